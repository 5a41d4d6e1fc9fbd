import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkGenerate, generateRule } from '../../../src/policy/generate/index.js';
import type { Rule } from '../../../src/policy/model/types.js';
import { EvalContext } from '../../../src/policy/vars/index.js';

const sources = { configMap: () => undefined, apiCall: () => undefined };
const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { tier: 'gold' } } };
const secret = (name: string, namespace: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace, labels, uid: 'u-1', resourceVersion: '7' },
  data: { token: 'eA==' },
});
function run(
  generate: Record<string, unknown>,
  cloneSources: Record<string, unknown>[] = [],
  extra: Partial<Rule> = {},
) {
  const ctx = new EvalContext({ request: { operation: 'CREATE', object: ns } });
  return generateRule({ name: 'g', match: {}, generate, ...extra } as Rule, {
    ctx,
    sources,
    resource: ns,
    cloneSources,
  })!;
}

describe('generateRule', () => {
  test('data: a default-deny NetworkPolicy named and placed with variables', () => {
    const out = run({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      name: 'default-deny',
      namespace: '{{ request.object.metadata.name }}',
      synchronize: true,
      data: { spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
    });
    assert.equal(out.status, 'pass');
    assert.deepEqual(out.generated, [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: {
          name: 'default-deny',
          namespace: 'team-a',
          labels: { 'app.kubernetes.io/managed-by': 'kyverno' },
        },
        spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
      },
    ]);
  });
  test('clone copies the source without its server metadata, under the new name and namespace', () => {
    const out = run(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        name: 'regcred',
        namespace: '{{request.object.metadata.name}}',
        clone: { namespace: 'default', name: 'regcred' },
      },
      [secret('regcred', 'default')],
    );
    assert.deepEqual(out.generated[0], {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'regcred',
        namespace: 'team-a',
        labels: { 'app.kubernetes.io/managed-by': 'kyverno' },
      },
      data: { token: 'eA==' },
    });
  });
  test('a missing clone source is an error naming it', () => {
    const out = run({
      apiVersion: 'v1',
      kind: 'Secret',
      name: 'x',
      namespace: 'team-a',
      clone: { namespace: 'default', name: 'nope' },
    });
    assert.equal(out.status, 'error');
    assert.match(out.message, /source resource v1\/Secret default\/nope not found/);
  });
  test('cloneList copies every selected source of the listed kinds', () => {
    const out = run(
      {
        namespace: 'team-a',
        cloneList: { namespace: 'default', kinds: ['v1/Secret'], selector: { matchLabels: { sync: 'yes' } } },
      },
      [
        secret('a', 'default', { sync: 'yes' }),
        secret('b', 'default'),
        secret('c', 'other', { sync: 'yes' }),
      ],
    );
    assert.deepEqual(
      out.generated.map((g) => [(g.metadata as any).name, (g.metadata as any).namespace]),
      [['a', 'team-a']],
    );
  });
  test('foreach generates once per element; preconditions skip the rule', () => {
    const out = run({
      foreach: [
        {
          list: "['q1','q2']",
          apiVersion: 'v1',
          kind: 'ResourceQuota',
          name: '{{ element }}',
          namespace: 'team-a',
          data: { spec: { hard: { pods: '{{ elementIndex }}' } } },
        },
      ],
    });
    assert.deepEqual(
      out.generated.map((g) => [(g.metadata as any).name, (g.spec as any).hard.pods]),
      [
        ['q1', 0],
        ['q2', 1],
      ],
    );
    const skipped = run({ kind: 'ConfigMap', name: 'x', data: {} }, [], {
      preconditions: {
        all: [{ key: '{{ request.object.metadata.labels.tier }}', operator: 'Equals', value: 'silver' }],
      },
    });
    assert.equal(skipped.status, 'skip');
  });
  test('checkGenerate names bad fields', () => {
    assert.deepEqual(checkGenerate({ kind: 'X', name: 'n', data: {}, clone: {} }, 'spec.rules[0].generate'), [
      'spec.rules[0].generate: only one of data, clone may be set',
    ]);
    assert.deepEqual(checkGenerate({ synchronize: 'yes', name: 'n' }, 'g'), [
      'g.synchronize: must be a boolean',
      'g: one of data, clone, cloneList or foreach is required',
    ]);
  });
});
