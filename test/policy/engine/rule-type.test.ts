import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Document } from '../../../src/core/document.js';
import { isObject } from '../../../src/core/document.js';
import { evaluate, evaluateResources } from '../../../src/policy/engine/evaluate.js';
import {
  type RuleType,
  registerRuleFeature,
  registerRuleType,
  resolveRule,
} from '../../../src/policy/engine/rule-type.js';
import { parsePolicy } from '../../../src/policy/parse.js';

const origin = { file: 'p.yaml', line: 1, column: 1, index: 0 };
const match = { any: [{ resources: { kinds: ['Pod'] } }] };

function policy(name: string, rules: unknown[], spec: Record<string, unknown> = {}) {
  return parsePolicy({
    content: {
      apiVersion: 'kyverno.io/v1',
      kind: 'ClusterPolicy',
      metadata: { name },
      spec: { rules, ...spec },
    },
    origin,
  });
}

function pod(labels: Record<string, string> = {}): Document {
  return {
    id: 'pod',
    origin: { file: 'r.yaml', line: 3, column: 1, index: 0 },
    format: 'kubernetes',
    content: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'a', namespace: 'default', labels },
      spec: { containers: [{ name: 'c', image: 'nginx:1' }] },
    },
  };
}

/** A test mutate rule type: `mutate: { addLabels: {k: v} }` sets labels, as a strategic merge would. */
const addLabels: RuleType = {
  field: 'mutate',
  phase: 'mutate',
  check(rule, path, problems) {
    const body = rule.mutate;
    if (!isObject(body) || !isObject(body.addLabels)) problems.push(`${path}.mutate.addLabels: required map`);
  },
  apply({ resource, rule }) {
    const add = (rule.mutate as { addLabels: Record<string, string> }).addLabels;
    const meta = (resource.metadata ?? {}) as Record<string, unknown>;
    const labels = { ...((meta.labels as Record<string, string>) ?? {}), ...add };
    return {
      status: 'pass',
      message: 'labels added',
      patchedResource: { ...resource, metadata: { ...meta, labels } },
      patch: Object.entries(add).map(([k, v]) => ({
        op: 'add' as const,
        path: `/metadata/labels/${k}`,
        value: v,
      })),
    };
  },
};

const requireTeam = {
  name: 'team',
  match,
  validate: {
    message: 'team is {{ request.object.metadata.labels.team || `none` }}',
    deny: {
      conditions: {
        any: [{ key: '{{ request.object.metadata.labels.team || `` }}', operator: 'Equals', value: '' }],
      },
    },
  },
};

describe('rule types', () => {
  test('a rule body without a registered rule type is a skip naming the body', () => {
    const p = policy('m', [{ name: 'm', match, validate: { assert: { object: {} } } }]);
    const [r] = evaluate([p], [pod()]);
    assert.deepEqual(
      [r!.status, r!.message, r!.properties],
      ['skip', 'validate.assert rules are not supported yet', { unsupported: 'true' }],
    );
    const manifests = policy('c', [{ name: 'c', match, validate: { manifests: { attestors: [] } } }]);
    assert.equal(
      evaluate([manifests], [pod()])[0]!.message,
      'validate.manifests rules are not supported yet',
    );
  });

  test('mutations run first, chain into later policies and rules, and validation sees the patched resource', () => {
    const unregister = registerRuleType(addLabels);
    try {
      // The validating policy comes first in the list; the mutating one still runs before it.
      const validating = policy('validating', [requireTeam]);
      const mutating = policy('mutating', [
        { name: 'add-team', match, mutate: { addLabels: { team: 'platform' } } },
        { name: 'add-tier', match, mutate: { addLabels: { tier: 'web' } } },
      ]);
      const doc = pod({ app: 'x' });
      const response = evaluateResources([validating, mutating], [doc]);
      const [resource] = response.resources;
      assert.deepEqual(
        resource!.ruleResponses.map((r) => [r.policy, r.rule, r.status, r.message]),
        [
          ['mutating', 'add-team', 'pass', 'labels added'],
          ['mutating', 'add-tier', 'pass', 'labels added'],
          ['validating', 'team', 'pass', "validation rule 'team' passed."],
        ],
      );
      assert.deepEqual((resource!.patchedResource!.metadata as { labels: unknown }).labels, {
        app: 'x',
        team: 'platform',
        tier: 'web',
      });
      assert.deepEqual(resource!.ruleResponses[1]!.patch, [
        { op: 'add', path: '/metadata/labels/tier', value: 'web' },
      ]);
      // The document itself is never modified.
      assert.deepEqual((doc.content as { metadata: { labels: unknown } }).metadata.labels, { app: 'x' });
      // Without the mutating policy, the same validation fails: the context was rebuilt after the patch.
      const [unpatched] = evaluate([validating], [doc]);
      assert.deepEqual([unpatched!.status, unpatched!.message], ['fail', 'team is none']);
    } finally {
      unregister();
    }
  });

  test('a rule type checks its body when the policy loads, naming the field', () => {
    const unregister = registerRuleType(addLabels);
    try {
      assert.throws(
        () => policy('bad', [{ name: 'm', match, mutate: { patchStrategicMerge: {} } }]),
        /spec\.rules\[0\]\.mutate\.addLabels: required map/,
      );
    } finally {
      unregister();
    }
  });

  test('applyRules One stops the policy across phases', () => {
    const unregister = registerRuleType(addLabels);
    try {
      const p = policy('one', [{ name: 'add', match, mutate: { addLabels: { team: 'a' } } }, requireTeam], {
        applyRules: 'One',
      });
      assert.deepEqual(
        evaluate([p], [pod()]).map((r) => r.rule),
        ['add'],
      );
    } finally {
      unregister();
    }
  });

  test('rule features (celPreconditions) plug in the same way', () => {
    const rule = { ...requireTeam, celPreconditions: [{ name: 'c', expression: 'false' }] };
    const p = policy('cel', [rule]);
    // The built-in feature (src/policy/kinds/validate-cel) evaluates the CEL condition.
    const builtin = evaluate([p], [pod()]).map((r) => [r.status, r.message]);
    assert.deepEqual(builtin, [['skip', 'cel preconditions not met']]);
    assert.equal(resolveRule(p.computedRules[0]!).unsupported, undefined);
    const unregister = registerRuleFeature({
      field: 'celPreconditions',
      apply: () => ({ status: 'skip', message: 'celPreconditions not met' }),
    });
    try {
      assert.deepEqual(
        evaluate([p], [pod()]).map((r) => [r.status, r.message]),
        [['skip', 'celPreconditions not met']],
      );
    } finally {
      unregister();
    }
    assert.deepEqual(
      evaluate([p], [pod()]).map((r) => [r.status, r.message]),
      builtin,
    );
  });
});
