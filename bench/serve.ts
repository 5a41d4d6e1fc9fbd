import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { stringify } from 'yaml';

/**
 * Load on the admission webhook, end to end: `rampart serve --workers 2` as a real process on loopback,
 * 50 policies (validate patterns, mutate, podSecurity, CEL), autocannon POSTing an API-server-shaped Pod
 * CREATE review to /validate and then /mutate over HTTPS keep-alive connections. Bounded in time:
 * RAMPART_BENCH_SERVE_SECONDS (default 60) per endpoint, RAMPART_BENCH_SERVE_CONNECTIONS (default 10).
 * The target on a 2-core machine: >= 2,000 reviews/s, p99 < 10 ms, 0 errors.
 * (autocannon skips certificate verification: the CA is the bench's own, on 127.0.0.1.)
 */

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const match = (ops = ['CREATE', 'UPDATE']) => ({ any: [{ resources: { kinds: ['Pod'], operations: ops } }] });

/** 50 policies: 20 validate patterns/deny, 12 mutate, 8 podSecurity, 10 CEL; a compliant Pod passes all. */
export function servePolicies(): Record<string, unknown>[] {
  const policies: Record<string, unknown>[] = [];
  const policy = (name: string, rule: Record<string, unknown>, action = 'Enforce') =>
    policies.push({
      apiVersion: 'kyverno.io/v1',
      kind: 'ClusterPolicy',
      metadata: { name },
      spec: {
        validationFailureAction: action,
        background: true,
        rules: [{ name: 'r', match: match(), ...rule }],
      },
    });
  for (let i = 0; i < 20; i++)
    policy(
      `validate-${i}`,
      i % 2
        ? { validate: { message: `label app ${i}`, pattern: { metadata: { labels: { app: '?*' } } } } }
        : {
            validate: {
              message: `resources ${i}`,
              pattern: { spec: { containers: [{ resources: { requests: { memory: '?*', cpu: '?*' } } }] } },
            },
          },
      i % 3 ? 'Enforce' : 'Audit',
    );
  for (let i = 0; i < 12; i++)
    policy(`mutate-${i}`, {
      mutate:
        i % 2
          ? {
              patchStrategicMerge: {
                metadata: { labels: { [`+(default-${i})`]: '{{ request.namespace }}' } },
              },
            }
          : {
              patchStrategicMerge: {
                spec: {
                  containers: [{ '(name)': '*', securityContext: { '+(allowPrivilegeEscalation)': false } }],
                },
              },
            },
    });
  for (let i = 0; i < 8; i++)
    policy(`pod-security-${i}`, {
      validate: { podSecurity: { level: i % 2 ? 'baseline' : 'restricted', version: 'latest' } },
    });
  for (let i = 0; i < 10; i++)
    policy(`cel-${i}`, {
      validate: {
        cel: {
          expressions: [
            {
              expression:
                "object.spec.containers.all(c, c.image.contains(':') && !c.image.endsWith(':latest'))",
              message: 'pin image tags',
            },
            {
              expression: `!has(object.spec.hostNetwork) || !object.spec.hostNetwork`,
              message: `no hostNetwork ${i}`,
            },
          ],
        },
      },
    });
  return policies;
}

/** A realistic Pod that every policy above passes (so each review runs all 50 to completion). */
function podReview(): string {
  const review = JSON.parse(
    readFileSync(join(ROOT, 'test', 'serve', 'fixtures', 'apiserver-shaped-pod-create.json'), 'utf8'),
  );
  const pod = review.request.object;
  pod.metadata.labels = { ...pod.metadata.labels, app: 'web', team: 'a' };
  pod.spec.securityContext = {
    runAsNonRoot: true,
    runAsUser: 1000,
    seccompProfile: { type: 'RuntimeDefault' },
  };
  pod.spec.containers = pod.spec.containers.map((c: Record<string, unknown>) => ({
    ...c,
    image: 'nginx:1.27',
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true },
  }));
  return JSON.stringify(review);
}

function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

function startServe(dir: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bin', 'rampart.js'),
      'serve',
      '--policy',
      join(dir, 'policies'),
      '--tls-generate',
      join(dir, 'tls'),
      '--listen',
      `127.0.0.1:${port}`,
      '--workers',
      '2',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((done, fail) => {
    let serving = 0;
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      serving = out.split('\n').filter((l) => l.includes('"msg":"serving"')).length;
      if (serving === 2) {
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume(); // denials and warnings would be logged here; none are expected
        done(child);
      }
    });
    child.on('exit', (code) => fail(new Error(`rampart serve exited ${code}: ${out}`)));
  });
}

export async function bench(): Promise<void> {
  const seconds = Number(process.env.RAMPART_BENCH_SERVE_SECONDS ?? 60);
  const connections = Number(process.env.RAMPART_BENCH_SERVE_CONNECTIONS ?? 10);
  const dir = await mkdtemp(join(tmpdir(), 'rampart-bench-serve-'));
  await mkdir(join(dir, 'policies'));
  const policies = servePolicies();
  await writeFile(join(dir, 'policies', 'policies.yaml'), policies.map((p) => stringify(p)).join('---\n'));
  const port = await freePort();
  const child = await startServe(dir, port);
  const body = podReview();
  try {
    console.log(
      `${policies.length} policies (20 validate, 12 mutate, 8 podSecurity, 10 CEL), rampart serve --workers 2, ` +
        `${connections} keep-alive connections, ${seconds} s per endpoint, ${Buffer.byteLength(body)}-byte review`,
    );
    for (const path of ['/validate', '/mutate']) {
      const result = await autocannon({
        url: `https://127.0.0.1:${port}${path}`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections,
        duration: seconds,
      });
      const errors = result.errors + result.timeouts + result.non2xx;
      console.log(
        `${path.padEnd(10)} ${Math.round(result.requests.average)} reviews/s (${result.requests.total} total), ` +
          `latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms, ` +
          `errors ${errors} (non-2xx ${result.non2xx}, timeouts ${result.timeouts})`,
      );
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((done) => child.once('exit', done));
    await rm(dir, { recursive: true, force: true });
  }
}
