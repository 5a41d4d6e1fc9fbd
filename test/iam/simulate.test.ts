import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateCondition, parseOperator, type RequestContext } from '../../src/iam/conditions.js';
import { parsePolicy } from '../../src/iam/policy.js';
import { type PolicySet, type SimulationRequest, simulate } from '../../src/iam/simulate.js';
import { arnMatch, wildcardMatch } from '../../src/iam/wildcard.js';

const policy = (name: string, statements: unknown[]) =>
  parsePolicy({ Version: '2012-10-17', Statement: statements }, name);
const allow = (extra: Record<string, unknown> = {}) => ({
  Effect: 'Allow',
  Action: 's3:GetObject',
  Resource: '*',
  ...extra,
});

function decide(set: PolicySet, request: Partial<SimulationRequest> = {}) {
  return simulate(set, { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/key', ...request });
}

/** Evaluates one condition operator with the given context values (undefined: key absent). */
function cond(operator: string, policyValues: string[], ctx?: string[]): boolean {
  const context: RequestContext = new Map();
  if (ctx) context.set('k:key', ctx);
  return evaluateCondition(operator, 'k:key', policyValues, context, (key) => context.get(key)?.[0]);
}

describe('simulate: policy layers', () => {
  test('explicit Deny wins over Allow, in any layer', () => {
    const id = policy('id', [allow(), { Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::bucket/*' }]);
    const r = decide({ identity: [id] });
    assert.equal(r.decision, 'explicitDeny');
    assert.deepEqual(
      r.statements.map((s) => [s.policy, s.index, s.effect]),
      [['id', 1, 'Deny']],
    );
    const scpDeny = policy('scp', [
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: 's3:GetObject', Resource: '*' },
    ]);
    assert.equal(decide({ identity: [policy('id', [allow()])], scps: [scpDeny] }).decision, 'explicitDeny');
  });

  test('no matching Allow is an implicit deny', () => {
    const r = decide({ identity: [policy('id', [allow({ Action: 's3:PutObject' })])] });
    assert.equal(r.decision, 'implicitDeny');
    assert.equal(r.allowed, false);
  });

  test('SCPs and boundaries intersect with identity policies', () => {
    const id = policy('id', [allow()]);
    const scpEc2 = policy('scp', [{ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }]);
    const scpAll = policy('full', [{ Effect: 'Allow', Action: '*', Resource: '*' }]);
    const boundaryS3 = policy('boundary', [{ Effect: 'Allow', Action: 's3:Get*', Resource: '*' }]);
    const boundaryEc2 = policy('boundary', [{ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }]);
    assert.equal(decide({ identity: [id], scps: [scpEc2] }).decision, 'implicitDeny');
    assert.equal(decide({ identity: [id], scps: [scpEc2, scpAll] }).decision, 'allowed');
    assert.equal(
      decide({ identity: [id], boundary: boundaryEc2 }).reason,
      'the permissions boundary does not allow the action',
    );
    const ok = decide({ identity: [id], scps: [scpAll], boundary: boundaryS3 });
    assert.equal(ok.decision, 'allowed');
    assert.deepEqual(
      ok.statements.map((s) => s.source),
      ['scp', 'boundary', 'identity'],
    );
    assert.equal(decide({ identity: [], scps: [scpAll], boundary: boundaryS3 }).decision, 'implicitDeny');
  });

  test('a resource policy naming the principal grants without an identity policy', () => {
    const bucket = policy('bucket', [allow({ Principal: { AWS: 'arn:aws:iam::111122223333:user/alice' } })]);
    assert.equal(
      decide({ identity: [], resource: [bucket] }, { principal: 'arn:aws:iam::111122223333:user/alice' })
        .decision,
      'allowed',
    );
    assert.equal(
      decide({ identity: [], resource: [bucket] }, { principal: 'arn:aws:iam::111122223333:user/bob' })
        .decision,
      'implicitDeny',
    );
    const account = policy('bucket', [allow({ Principal: { AWS: '111122223333' } })]);
    assert.equal(
      decide({ identity: [], resource: [account] }, { principal: 'arn:aws:iam::111122223333:role/x' })
        .decision,
      'allowed',
    );
    const roleTrust = policy('trust', [
      { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: 'arn:aws:iam::111122223333:role/ci' } },
    ]);
    assert.equal(
      simulate(
        { identity: [], resource: [roleTrust] },
        {
          action: 'sts:AssumeRole',
          resource: 'arn:aws:iam::1:role/t',
          principal: 'arn:aws:sts::111122223333:assumed-role/ci/run-1',
        },
      ).decision,
      'allowed',
    );
  });

  test('NotPrincipal matches everyone except the principals named', () => {
    const bucket = policy('bucket', [
      { Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::1:user/admin' }, Action: 's3:*', Resource: '*' },
    ]);
    const id = policy('id', [allow()]);
    assert.equal(
      decide({ identity: [id], resource: [bucket] }, { principal: 'arn:aws:iam::1:user/dev' }).decision,
      'explicitDeny',
    );
    assert.equal(
      decide({ identity: [id], resource: [bucket] }, { principal: 'arn:aws:iam::1:user/admin' }).decision,
      'allowed',
    );
  });
});

describe('simulate: actions and resources', () => {
  test('action wildcards are case-insensitive; NotAction excludes', () => {
    const id = policy('id', [{ Effect: 'Allow', Action: 'S3:get*', Resource: '*' }]);
    assert.equal(decide({ identity: [id] }).decision, 'allowed');
    assert.equal(decide({ identity: [id] }, { action: 's3:PutObject' }).decision, 'implicitDeny');
    const not = policy('id', [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }]);
    assert.equal(decide({ identity: [not] }).decision, 'allowed');
    assert.equal(
      decide({ identity: [not] }, { action: 'iam:CreateUser', resource: '*' }).decision,
      'implicitDeny',
    );
    const q = policy('id', [{ Effect: 'Allow', Action: 's3:?etObject', Resource: '*' }]);
    assert.equal(decide({ identity: [q] }).decision, 'allowed');
  });

  test('ARN wildcards stay inside their segment; NotResource excludes', () => {
    assert.ok(arnMatch('arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b'));
    assert.ok(
      arnMatch('arn:aws:ec2:*:111122223333:instance/*', 'arn:aws:ec2:eu-west-1:111122223333:instance/i-1'),
    );
    assert.ok(
      !arnMatch('arn:aws:ec2:*:111122223333:instance/*', 'arn:aws:ec2:eu-west-1:999999999999:instance/i-1'),
    );
    assert.ok(!arnMatch('arn:aws:s3:::bucket', 'arn:aws:s3:::bucket/key'));
    const id = policy('id', [{ Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::secret/*' }]);
    assert.equal(decide({ identity: [id] }).decision, 'allowed');
    assert.equal(decide({ identity: [id] }, { resource: 'arn:aws:s3:::secret/x' }).decision, 'implicitDeny');
  });

  test('policy variables in resources, with defaults and the literal escapes', () => {
    const id = policy('id', [allow({ Resource: 'arn:aws:s3:::home/${aws:username}/*' })]);
    assert.equal(
      decide(
        { identity: [id] },
        { resource: 'arn:aws:s3:::home/alice/f', principal: 'arn:aws:iam::1:user/alice' },
      ).decision,
      'allowed',
    );
    assert.equal(
      decide(
        { identity: [id] },
        { resource: 'arn:aws:s3:::home/bob/f', principal: 'arn:aws:iam::1:user/alice' },
      ).decision,
      'implicitDeny',
    );
    assert.equal(
      decide({ identity: [id] }, { resource: 'arn:aws:s3:::home/alice/f' }).decision,
      'implicitDeny',
    );
    const dflt = policy('id', [
      allow({ Resource: "arn:aws:s3:::team/${aws:PrincipalTag/team, 'shared'}/*" }),
    ]);
    assert.equal(
      decide({ identity: [dflt] }, { resource: 'arn:aws:s3:::team/shared/f' }).decision,
      'allowed',
    );
    assert.equal(
      decide(
        { identity: [dflt] },
        { resource: 'arn:aws:s3:::team/red/f', context: { 'aws:PrincipalTag/team': 'red' } },
      ).decision,
      'allowed',
    );
    assert.ok(wildcardMatch('a${*}b', 'a*b', { lookup: () => undefined }));
    assert.ok(!wildcardMatch('a${*}b', 'axxb', { lookup: () => undefined }));
  });
});

describe('simulate: condition operators', () => {
  test('String operators', () => {
    assert.ok(cond('StringEquals', ['a', 'b'], ['b']));
    assert.ok(!cond('StringEquals', ['A'], ['a']));
    assert.ok(cond('StringNotEquals', ['a'], ['b']));
    assert.ok(!cond('StringNotEquals', ['a'], ['a']));
    assert.ok(cond('StringEqualsIgnoreCase', ['A'], ['a']));
    assert.ok(!cond('StringNotEqualsIgnoreCase', ['A'], ['a']));
    assert.ok(cond('StringLike', ['home/*'], ['home/x/y']));
    assert.ok(!cond('StringLike', ['home/?'], ['home/xy']));
    assert.ok(cond('StringNotLike', ['home/*'], ['other']));
  });

  test('Numeric operators', () => {
    assert.ok(cond('NumericEquals', ['10'], ['10.0']));
    assert.ok(cond('NumericNotEquals', ['10'], ['11']));
    assert.ok(cond('NumericLessThan', ['10'], ['9']));
    assert.ok(!cond('NumericLessThan', ['10'], ['10']));
    assert.ok(cond('NumericLessThanEquals', ['10'], ['10']));
    assert.ok(cond('NumericGreaterThan', ['1.2'], ['1.3']));
    assert.ok(cond('NumericGreaterThanEquals', ['3600'], ['3600']));
    assert.ok(!cond('NumericEquals', ['10'], ['ten']));
  });

  test('Date operators accept ISO 8601 and epoch seconds', () => {
    assert.ok(cond('DateLessThan', ['2030-01-01T00:00:00Z'], ['2026-11-26T10:00:00Z']));
    assert.ok(!cond('DateGreaterThan', ['2030-01-01T00:00:00Z'], ['2026-11-26T10:00:00Z']));
    assert.ok(cond('DateEquals', ['1700000000'], ['2023-11-14T22:13:20Z']));
    assert.ok(cond('DateNotEquals', ['1700000000'], ['2023-11-14T22:13:21Z']));
    assert.ok(cond('DateLessThanEquals', ['2020-01-01'], ['2020-01-01T00:00:00Z']));
    assert.ok(cond('DateGreaterThanEquals', ['2020-01-01T00:00:00Z'], ['2021-06-01T00:00:00Z']));
  });

  test('Bool, Binary, Null', () => {
    assert.ok(cond('Bool', ['false'], ['FALSE']));
    assert.ok(!cond('Bool', ['true'], ['false']));
    assert.ok(cond('BinaryEquals', ['QmluYXJ5VmFsdWU='], ['QmluYXJ5VmFsdWU=']));
    assert.ok(!cond('BinaryEquals', ['QmluYXJ5VmFsdWU='], ['b3RoZXI=']));
    assert.ok(cond('Null', ['true'], undefined));
    assert.ok(!cond('Null', ['true'], ['x']));
    assert.ok(cond('Null', ['false'], ['x']));
  });

  test('IpAddress / NotIpAddress with IPv4 and IPv6 CIDRs', () => {
    assert.ok(cond('IpAddress', ['203.0.113.0/24'], ['203.0.113.7']));
    assert.ok(!cond('IpAddress', ['203.0.113.0/24'], ['198.51.100.7']));
    assert.ok(cond('IpAddress', ['2001:db8::/32'], ['2001:db8:1::5']));
    assert.ok(cond('IpAddress', ['192.0.2.1'], ['192.0.2.1']));
    assert.ok(cond('NotIpAddress', ['10.0.0.0/8'], ['192.0.2.1']));
    assert.ok(!cond('NotIpAddress', ['10.0.0.0/8'], ['10.1.2.3']));
  });

  test('Arn operators compare segment by segment', () => {
    assert.ok(
      cond('ArnLike', ['arn:aws:sns:*:111122223333:topic-*'], ['arn:aws:sns:eu-west-1:111122223333:topic-a']),
    );
    assert.ok(cond('ArnEquals', ['arn:aws:iam::111122223333:role/*'], ['arn:aws:iam::111122223333:role/x']));
    assert.ok(cond('ArnNotLike', ['arn:aws:iam::111122223333:*'], ['arn:aws:iam::999999999999:role/x']));
    assert.ok(
      !cond('ArnNotEquals', ['arn:aws:iam::111122223333:role/x'], ['arn:aws:iam::111122223333:role/x']),
    );
  });

  test('missing keys: positive false, negated true, IfExists true', () => {
    assert.ok(!cond('StringEquals', ['a'], undefined));
    assert.ok(cond('StringNotEquals', ['a'], undefined));
    assert.ok(cond('StringEqualsIfExists', ['a'], undefined));
    assert.ok(!cond('StringEqualsIfExists', ['a'], ['b']));
    assert.ok(cond('NumericLessThanIfExists', ['5'], undefined));
    assert.ok(cond('NotIpAddress', ['10.0.0.0/8'], undefined));
  });

  test('ForAllValues and ForAnyValue over multivalued keys', () => {
    assert.ok(cond('ForAllValues:StringEquals', ['a', 'b'], ['a', 'b']));
    assert.ok(!cond('ForAllValues:StringEquals', ['a', 'b'], ['a', 'c']));
    assert.ok(cond('ForAllValues:StringEquals', ['a'], undefined));
    assert.ok(cond('ForAnyValue:StringEquals', ['a'], ['c', 'a']));
    assert.ok(!cond('ForAnyValue:StringEquals', ['a'], undefined));
    assert.ok(cond('ForAnyValue:StringLike', ['team-*'], ['x', 'team-red']));
    assert.ok(cond('ForAllValues:StringNotEquals', ['secret'], ['a', 'b']));
    assert.ok(!cond('ForAllValues:StringNotEquals', ['secret'], ['a', 'secret']));
    assert.ok(cond('ForAnyValue:StringNotEquals', ['secret'], ['a', 'secret']));
  });

  test('operator names are case-sensitive and set prefixes do not apply to Null', () => {
    assert.equal(parseOperator('stringequals'), undefined);
    assert.equal(parseOperator('ForAllValues:Null'), undefined);
    assert.deepEqual(parseOperator('ForAnyValue:StringLikeIfExists'), {
      set: 'any',
      ifExists: true,
      base: 'StringLike',
      isNull: false,
    });
  });

  test('conditions in a statement: operators and keys AND, values OR; variables in values', () => {
    const id = policy('id', [
      allow({
        Condition: {
          Bool: { 'aws:SecureTransport': 'true' },
          StringEquals: { 's3:prefix': ['${aws:username}/', 'public/'] },
        },
      }),
    ]);
    const base = { principal: 'arn:aws:iam::1:user/alice' };
    assert.equal(
      decide(
        { identity: [id] },
        { ...base, context: { 'aws:SecureTransport': 'true', 's3:prefix': 'alice/' } },
      ).decision,
      'allowed',
    );
    assert.equal(
      decide(
        { identity: [id] },
        { ...base, context: { 'aws:SecureTransport': 'true', 's3:prefix': 'public/' } },
      ).decision,
      'allowed',
    );
    assert.equal(
      decide(
        { identity: [id] },
        { ...base, context: { 'aws:SecureTransport': 'false', 's3:prefix': 'alice/' } },
      ).decision,
      'implicitDeny',
    );
    assert.equal(
      decide({ identity: [id] }, { ...base, context: { 'AWS:SECURETRANSPORT': 'true' } }).decision,
      'implicitDeny',
    );
  });

  test('aws:CurrentTime defaults to now', () => {
    const id = policy('id', [
      allow({ Condition: { DateGreaterThan: { 'aws:CurrentTime': '2000-01-01T00:00:00Z' } } }),
    ]);
    assert.equal(decide({ identity: [id] }).decision, 'allowed');
    const past = policy('id', [
      allow({ Condition: { DateLessThan: { 'aws:CurrentTime': '2000-01-01T00:00:00Z' } } }),
    ]);
    assert.equal(decide({ identity: [past] }).decision, 'implicitDeny');
  });
});
