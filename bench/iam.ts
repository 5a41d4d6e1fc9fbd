import { performance } from 'node:perf_hooks';
import { composePolicyDocument, type PolicyStatementArgs } from '../src/iam/compose.js';
import { lintPolicy } from '../src/iam/lint.js';
import { parsePolicy } from '../src/iam/policy.js';
import { type PolicySet, type SimulationRequest, simulate } from '../src/iam/simulate.js';

const REQUESTS = 100_000;
const TARGET_MS = 5_000;

/** A deterministic pseudo-random sequence, so every run simulates the same requests. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function policySet(): PolicySet {
  const statements: unknown[] = [];
  for (let i = 0; i < 20; i++) {
    statements.push({
      Sid: `Data${i}`,
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', `s3:List*`],
      Resource: [`arn:aws:s3:::bucket-${i}/*`, `arn:aws:s3:::bucket-${i}`],
      Condition: { StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'eu-central-1'] } },
    });
  }
  statements.push(
    { Sid: 'Home', Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::home/${aws:username}/*' },
    {
      Sid: 'Describe',
      Effect: 'Allow',
      Action: ['ec2:Describe*', 'dynamodb:Query'],
      Resource: '*',
      Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    },
    { Sid: 'NoSecrets', Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::bucket-13/secret/*' },
    {
      Sid: 'Tls',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  );
  return {
    identity: [parsePolicy({ Version: '2012-10-17', Statement: statements }, 'identity')],
    scps: [
      parsePolicy(
        { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
        'FullAWSAccess',
      ),
      parsePolicy(
        {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              NotAction: ['iam:*', 'sts:*'],
              Resource: '*',
              Condition: {
                StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1', 'eu-central-1', 'us-east-1'] },
              },
            },
          ],
        },
        'RegionLock',
      ),
    ],
    boundary: parsePolicy(
      {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['s3:*', 'ec2:Describe*'], Resource: '*' }],
      },
      'boundary',
    ),
  };
}

function requests(n: number): SimulationRequest[] {
  const next = rng(42);
  const actions = [
    's3:GetObject',
    's3:PutObject',
    's3:ListBucket',
    's3:DeleteObject',
    'ec2:DescribeInstances',
    'dynamodb:Query',
  ];
  const regions = ['eu-west-1', 'eu-central-1', 'us-west-2'];
  const out: SimulationRequest[] = [];
  for (let i = 0; i < n; i++) {
    const bucket = Math.floor(next() * 25);
    const home = next() < 0.1;
    out.push({
      action: actions[Math.floor(next() * actions.length)] as string,
      resource: home
        ? `arn:aws:s3:::home/user${i % 50}/file`
        : `arn:aws:s3:::bucket-${bucket}/${next() < 0.05 ? 'secret' : 'data'}/k${i}`,
      principal: `arn:aws:iam::111122223333:user/user${i % 40}`,
      context: {
        'aws:RequestedRegion': regions[Math.floor(next() * regions.length)] as string,
        'aws:SecureTransport': next() < 0.98 ? 'true' : 'false',
        'aws:SourceIp': `10.${i % 250}.1.${i % 200}`,
      },
    });
  }
  return out;
}

export async function bench(): Promise<void> {
  const set = policySet();
  const reqs = requests(REQUESTS);
  const counts = { allowed: 0, explicitDeny: 0, implicitDeny: 0 };
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (const r of reqs) counts[simulate(set, r).decision]++;
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  // CPU time is reported too: on a shared, loaded machine wall time mostly measures the neighbours.
  console.log(
    `iam simulate: ${REQUESTS.toLocaleString('en')} requests in ${(ms / 1000).toFixed(2)} s wall, ${(cpuMs / 1000).toFixed(2)} s CPU ` +
      `(${Math.round(REQUESTS / (ms / 1000)).toLocaleString('en')}/s; target < ${TARGET_MS / 1000} s: ${ms < TARGET_MS ? 'met' : 'MISSED'}) ` +
      `allowed ${counts.allowed}, explicit deny ${counts.explicitDeny}, implicit deny ${counts.implicitDeny}`,
  );

  const statement: PolicyStatementArgs[] = Array.from({ length: 50 }, (_, i) => ({
    sid: `S${i}`,
    actions: ['s3:GetObject', 's3:PutObject', 's3:ListBucket'],
    resources: [`arn:aws:s3:::b${i}`, `arn:aws:s3:::b${i}/*`],
    condition: [{ test: 'StringEquals', variable: 'aws:PrincipalOrgID', values: ['o-abc'] }],
  }));
  const composeRuns = 2_000;
  const t1 = performance.now();
  let json = '';
  for (let i = 0; i < composeRuns; i++) json = composePolicyDocument({ statement }).json;
  const composeMs = performance.now() - t1;
  const t2 = performance.now();
  const lintRuns = 200;
  let findings = 0;
  for (let i = 0; i < lintRuns; i++) findings += lintPolicy(JSON.parse(json)).length;
  const lintMs = performance.now() - t2;
  console.log(
    `iam compose: ${composeRuns} documents of 50 statements in ${(composeMs / 1000).toFixed(2)} s; ` +
      `iam lint: ${lintRuns} of them in ${(lintMs / 1000).toFixed(2)} s (${findings / lintRuns} findings each)`,
  );
}
