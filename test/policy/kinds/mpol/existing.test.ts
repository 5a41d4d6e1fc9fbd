import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Document } from '../../../../src/core/document.js';
import { UserError } from '../../../../src/core/errors.js';
import '../../../../src/policy/builtins.js';
import { evaluateResources } from '../../../../src/policy/engine/evaluate.js';
import { parsePolicyException } from '../../../../src/policy/exceptions/index.js';
import { loadMpol } from '../../../../src/policy/kinds/mpol/policy.js';
import { loadPolicyDocuments } from '../../../../src/policy/parse.js';
import { fixture, runRampart } from '../../../helpers/index.js';

const doc = (content: Record<string, unknown>, index = 0): Document => ({
  id: String(index),
  origin: { file: 'r.yaml', line: 1, column: 1, index },
  format: 'kubernetes' as const,
  content,
});
const rule = (resources: string[], operations = ['CREATE']) => ({
  apiGroups: [''],
  apiVersions: ['v1'],
  operations,
  resources,
});
const policy = (spec: Record<string, unknown>, kind = 'MutatingPolicy', namespace?: string) => ({
  apiVersion: 'policies.kyverno.io/v1',
  kind,
  metadata: { name: 'sync', ...(namespace ? { namespace } : {}) },
  spec: {
    evaluation: { mutateExisting: { enabled: true } },
    matchConstraints: { resourceRules: [rule(['configmaps'])] },
    mutations: [
      {
        patchType: 'ApplyConfiguration',
        applyConfiguration: { expression: 'Object{metadata: Object.metadata{labels: {"synced": "yes"}}}' },
      },
    ],
    ...spec,
  },
});
const configMap = (name: string, namespace = 'apps') => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
});
const secret = (name: string, namespace = 'apps', labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace, labels },
});

function run(
  p: Record<string, unknown>,
  triggers: Record<string, unknown>[],
  existing: Record<string, unknown>[],
  options: Record<string, unknown> = {},
) {
  const loaded = loadPolicyDocuments([doc(p)]);
  assert.deepEqual(loaded.invalid, []);
  const resourceSet = [...triggers, ...existing].map((c, i) => doc(c, i));
  return evaluateResources(
    loaded.policies,
    triggers.map((c, i) => doc(c, i)),
    { resourceSet, ...options },
  );
}
const names = (targets: Record<string, unknown>[] | undefined) =>
  (targets ?? []).map((t) => {
    const m = t.metadata as { name: string; namespace?: string };
    return `${t.kind}/${m.namespace ?? ''}/${m.name}`;
  });

describe('MutatingPolicy mutate-existing (targetMatchConstraints)', () => {
  const toSecrets = {
    targetMatchConstraints: {
      resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['secrets'] }],
    },
  };

  test('the trigger is left as it is; the targets it selects come back patched on its one response', () => {
    const response = run(policy(toSecrets), [configMap('trigger')], [secret('a'), secret('b', 'other')]);
    const [r] = response.resources;
    assert.equal(r?.patchedResource, undefined, 'the trigger is not patched');
    assert.equal(r?.ruleResponses.length, 1);
    const [res] = r?.ruleResponses ?? [];
    assert.equal(res?.status, 'pass');
    assert.equal(res?.message, 'success');
    assert.deepEqual(names(res?.patchedTargets), ['Secret/apps/a', 'Secret/other/b']);
    assert.deepEqual((res?.patchedTargets?.[0]?.metadata as { labels?: unknown } | undefined)?.labels, {
      synced: 'yes',
    });
  });

  test('no response for an object matchConstraints or matchConditions does not select, nor without targets', () => {
    const p = policy({
      ...toSecrets,
      matchConditions: [{ name: 'n', expression: "object.metadata.name == 'go'" }],
    });
    assert.deepEqual(run(p, [configMap('stop')], [secret('a')]).resources[0]?.ruleResponses, []);
    assert.deepEqual(run(p, [secret('not-a-trigger')], [secret('a')]).resources[0]?.ruleResponses, []);
    assert.deepEqual(run(p, [configMap('go')], [configMap('no-secret')]).resources[0]?.ruleResponses, []);
  });

  test('targetMatchConditions (not matchConditions) decide per target; all skipped is a skip', () => {
    const p = policy({
      ...toSecrets,
      matchConditions: [{ name: 'trigger-only', expression: "object.kind == 'ConfigMap'" }],
      targetMatchConditions: [
        { name: 'opt-in', expression: "object.metadata.labels.?sync.orValue('') == 'on'" },
      ],
    });
    const [res] = run(p, [configMap('t')], [secret('a', 'apps', { sync: 'on' }), secret('b')]).resources[0]!
      .ruleResponses;
    assert.deepEqual(names(res?.patchedTargets), ['Secret/apps/a']);
    const [none] = run(p, [configMap('t')], [secret('b')]).resources[0]!.ruleResponses;
    assert.deepEqual([none?.status, none?.message, none?.patchedTargets], ['skip', 'skip', undefined]);
  });

  test('targetMatchConstraints selectors: namespaceSelector reads the Namespace objects of the run', () => {
    const p = policy({
      targetMatchConstraints: {
        ...toSecrets.targetMatchConstraints,
        namespaceSelector: { matchLabels: { env: 'dev' } },
      },
    });
    const ns = (name: string, env: string) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { env } },
    });
    const [res] = run(
      p,
      [configMap('t')],
      [ns('apps', 'dev'), ns('other', 'prod'), secret('a'), secret('b', 'other')],
    ).resources[0]!.ruleResponses;
    assert.deepEqual(names(res?.patchedTargets), ['Secret/apps/a']);
  });

  test('without targetMatchConstraints the targets are what matchConstraints selects, whatever the operation', () => {
    const p = policy({
      matchConstraints: { resourceRules: [rule(['configmaps'], ['UPDATE'])] },
      matchConditions: [
        {
          name: 'not-locked',
          expression: "!has(object.metadata.labels) || !('locked' in object.metadata.labels)",
        },
      ],
    });
    const locked = {
      ...configMap('locked'),
      metadata: { name: 'locked', namespace: 'apps', labels: { locked: '1' } },
    };
    const [res] = run(p, [configMap('trigger')], [configMap('old'), locked], { operation: 'UPDATE' })
      .resources[0]!.ruleResponses;
    // The trigger is one of the existing ConfigMaps too; the locked one fails the (target) matchConditions.
    assert.deepEqual(names(res?.patchedTargets), ['ConfigMap/apps/trigger', 'ConfigMap/apps/old']);
  });

  test('an error in a target condition is the policy error on the trigger', () => {
    const p = policy({
      ...toSecrets,
      targetMatchConditions: [{ name: 'bad', expression: 'object.data.missing == 1' }],
    });
    const [res] = run(p, [configMap('t')], [secret('a')]).resources[0]!.ruleResponses;
    assert.equal(res?.status, 'error');
    assert.match(res?.message ?? '', /matchCondition 'bad': No such key: data/);
  });

  test('a NamespacedMutatingPolicy triggers and mutates in its own namespace only', () => {
    const p = policy(toSecrets, 'NamespacedMutatingPolicy', 'apps');
    const [res] = run(p, [configMap('t')], [secret('a'), secret('b', 'other')]).resources[0]!.ruleResponses;
    assert.deepEqual(names(res?.patchedTargets), ['Secret/apps/a']);
    assert.deepEqual(
      run(p, [configMap('t', 'other')], [secret('b', 'other')]).resources[0]?.ruleResponses,
      [],
    );
  });

  test('a CEL PolicyException naming the policy exempts the targets its conditions match', () => {
    const ex = parsePolicyException({
      content: {
        apiVersion: 'policies.kyverno.io/v1',
        kind: 'PolicyException',
        metadata: { name: 'keep-a', namespace: 'apps' },
        spec: {
          policyRefs: [{ name: 'sync', kind: 'MutatingPolicy' }],
          matchConditions: [{ name: 'a', expression: "object.metadata.name == 'a'" }],
        },
      },
      origin: { file: 'x.yaml', line: 1, column: 1, index: 0 },
    });
    const [res] = run(policy(toSecrets), [configMap('t')], [secret('a'), secret('b')], { exceptions: [ex] })
      .resources[0]!.ruleResponses;
    assert.deepEqual(names(res?.patchedTargets), ['Secret/apps/b']);
    const [only] = run(policy(toSecrets), [configMap('t')], [secret('a')], { exceptions: [ex] }).resources[0]!
      .ruleResponses;
    assert.deepEqual(
      [only?.status, only?.message],
      ['skip', 'rule skipped due to policy exception apps/keep-a'],
    );
  });

  test('expressions of targetMatchConstraints and targetMatchConditions are checked at load, with their field', () => {
    assert.throws(
      () => loadMpol(policy({ targetMatchConstraints: { expression: 'resource.List(' } })),
      (e: unknown) => e instanceof UserError && /spec\.targetMatchConstraints\.expression/.test(e.message),
    );
    assert.throws(
      () => loadMpol(policy({ ...toSecrets, targetMatchConditions: [{ name: 'x', expression: '1 +' }] })),
      (e: unknown) =>
        e instanceof UserError && /spec\.targetMatchConditions\[0\]\.expression/.test(e.message),
    );
    assert.equal(loadMpol(policy({}, 'MutatingPolicy')).mutateExisting?.targetConstraints, undefined);
    const off = policy({ evaluation: { mutateExisting: { enabled: false } } });
    assert.equal(loadMpol(off).mutateExisting, undefined);
  });

  test('`rampart apply` looks targets up among every given object and reports them on the trigger', async () => {
    const dir = fixture('policy', 'kinds', 'mpol', 'suites', 'rampart-mutate-existing');
    const r = await runRampart([
      'apply',
      `${dir}/mutate-existing.yaml`,
      '-r',
      `${dir}/.kyverno-test/triggers.yaml`,
      '-r',
      `${dir}/.kyverno-test/targets.yaml`,
      '-o',
      'json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const results = (JSON.parse(r.stdout) as { results: { policy: string; patchedTargets?: unknown[] }[] })
      .results;
    assert.deepEqual(
      results.map((x) => [x.policy, names(x.patchedTargets as Record<string, unknown>[])]),
      [
        ['label-staging-secrets', ['Secret/staging/app-credentials']],
        ['suspend-batch-jobs', ['Job/batch/nightly-report']],
      ],
    );
  });
});
