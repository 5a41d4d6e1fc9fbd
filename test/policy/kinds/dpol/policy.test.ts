import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UserError } from '../../../../src/core/errors.js';
import { evaluateDpol, loadDpol } from '../../../../src/policy/kinds/dpol/policy.js';
import { fixture, runRampart } from '../../../helpers/index.js';

const rsRules = {
  resourceRules: [
    { apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['replicasets'] },
  ],
};
const dpol = (spec: Record<string, unknown>, kind = 'DeletingPolicy', namespace?: string) =>
  loadDpol({
    apiVersion: 'policies.kyverno.io/v1',
    kind,
    metadata: { name: 'empty-rs', ...(namespace ? { namespace } : {}) },
    spec: { schedule: '*/5 * * * *', matchConstraints: rsRules, ...spec },
  });
const rs = (replicas: number, namespace = 'apps') => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'r', namespace },
  spec: { replicas },
});
const empty = {
  variables: [{ name: 'replicas', expression: 'object.spec.replicas' }],
  conditions: [{ name: 'is-empty', expression: 'variables.replicas == 0' }],
};

describe('DeletingPolicy', () => {
  test('matched with every condition true: pass "resource matched"; otherwise fail, as Kyverno CLI', () => {
    const policy = dpol(empty);
    assert.deepEqual(evaluateDpol(policy, { object: rs(0) }), {
      status: 'pass',
      message: 'resource matched',
    });
    assert.deepEqual(evaluateDpol(policy, { object: rs(3) }), {
      status: 'fail',
      message: 'resource did not match',
    });
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } };
    assert.equal(evaluateDpol(policy, { object: pod }).status, 'fail');
  });

  test('a condition that errors is an error result naming it', () => {
    const out = evaluateDpol(dpol({ conditions: [{ name: 'age', expression: 'object.status.age > 3' }] }), {
      object: rs(0),
    });
    assert.equal(out.status, 'error');
    assert.match(out.message, /age/);
  });

  test('a NamespacedDeletingPolicy sees only its namespace', () => {
    const policy = dpol(empty, 'NamespacedDeletingPolicy', 'apps');
    assert.equal(evaluateDpol(policy, { object: rs(0, 'apps') }).status, 'pass');
    assert.equal(evaluateDpol(policy, { object: rs(0, 'other') }).status, 'fail');
  });

  test('a bad cron schedule or expression rejects the policy when it loads', () => {
    assert.throws(
      () => dpol({ ...empty, schedule: '61 * * * *' }),
      (e: unknown) => e instanceof UserError && /spec\.schedule: invalid cron schedule/.test(e.message),
    );
    assert.throws(
      () => dpol({ conditions: [{ name: 'x', expression: 'object.spec.replicas ==' }] }),
      (e: unknown) => e instanceof UserError && /spec\.conditions\[0\]\.expression/.test(e.message),
    );
  });
});

describe('DeletingPolicy through the CLI', () => {
  const dir = fixture('policy', 'kinds', 'dpol', 'fixtures');
  test('rampart cleanup --dry-run lists what would be deleted, honouring the namespaceSelector', async () => {
    const r = await runRampart([
      'cleanup',
      '--dry-run',
      `${dir}/cleanup-empty-replicasets.yaml`,
      '-r',
      `${dir}/replicasets.yaml`,
      '-o',
      'json',
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const out = JSON.parse(r.stdout) as { deletions: { name: string; namespace: string }[] };
    assert.deepEqual(
      out.deletions.map((d) => `${d.namespace}/${d.name}`),
      ['apps/empty'],
    );
  });

  test('rampart test gives Kyverno CLI verdicts for isDeletingPolicy results', async () => {
    const r = await runRampart(['test', dir]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Test Summary: 4 tests passed and 0 tests failed/);
  });
});
