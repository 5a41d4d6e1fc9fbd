import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePolicy } from '../../../src/policy/parse.js';

const origin = { file: 'p.yaml', line: 1, column: 1, index: 0 };
function policy(rules: unknown[], annotations: Record<string, string> = {}) {
  return parsePolicy({
    content: {
      apiVersion: 'kyverno.io/v1',
      kind: 'ClusterPolicy',
      metadata: { name: 'p', annotations },
      spec: { rules },
    },
    origin,
  });
}
const podRule = {
  name: 'check',
  match: { any: [{ resources: { kinds: ['Pod'] } }] },
  validate: { message: 'x {{ request.object.metadata.name }}', pattern: { spec: { hostNetwork: false } } },
};

describe('autogen', () => {
  test('adds autogen- and autogen-cronjob- rules with wrapped patterns and rewritten variables', () => {
    const p = policy([podRule]);
    assert.deepEqual(
      p.computedRules.map((r) => r.name),
      ['check', 'autogen-check', 'autogen-cronjob-check'],
    );
    const ctrl = p.computedRules[1]!;
    assert.deepEqual((ctrl.match as any).any[0].resources.kinds, [
      'DaemonSet',
      'Deployment',
      'Job',
      'ReplicaSet',
      'ReplicationController',
      'StatefulSet',
    ]);
    assert.deepEqual(ctrl.validate!.pattern, { spec: { template: { spec: { hostNetwork: false } } } });
    assert.equal(ctrl.validate!.message, 'x {{ request.object.spec.template.metadata.name }}');
    const cron = p.computedRules[2]!;
    assert.deepEqual((cron.match as any).any[0].resources.kinds, ['CronJob']);
    assert.deepEqual(cron.validate!.pattern, {
      spec: { jobTemplate: { spec: { template: { spec: { hostNetwork: false } } } } },
    });
    assert.equal(
      cron.validate!.message,
      'x {{ request.object.spec.jobTemplate.spec.template.metadata.name }}',
    );
  });

  test('the annotation narrows or disables generation', () => {
    const narrowed = policy([podRule], {
      'pod-policies.kyverno.io/autogen-controllers': 'Deployment,CronJob',
    });
    assert.deepEqual(
      narrowed.computedRules.map((r) => r.name),
      ['check', 'autogen-check', 'autogen-cronjob-check'],
    );
    assert.deepEqual((narrowed.computedRules[1]!.match as any).any[0].resources.kinds, ['Deployment']);
    const none = policy([podRule], { 'pod-policies.kyverno.io/autogen-controllers': 'none' });
    assert.deepEqual(
      none.computedRules.map((r) => r.name),
      ['check'],
    );
    const onlyCron = policy([podRule], { 'pod-policies.kyverno.io/autogen-controllers': 'CronJob' });
    assert.deepEqual(
      onlyCron.computedRules.map((r) => r.name),
      ['check', 'autogen-cronjob-check'],
    );
  });

  test('names, selectors and mixed kinds prevent autogen for the whole policy', () => {
    const withSelector = policy([
      podRule,
      {
        ...podRule,
        name: 'sel',
        match: { any: [{ resources: { kinds: ['Pod'], selector: { matchLabels: { a: 'b' } } } }] },
      },
    ]);
    assert.deepEqual(
      withSelector.computedRules.map((r) => r.name),
      ['check', 'sel'],
    );
    const mixed = policy([{ ...podRule, match: { any: [{ resources: { kinds: ['Pod', 'Deployment'] } }] } }]);
    assert.deepEqual(
      mixed.computedRules.map((r) => r.name),
      ['check'],
    );
  });

  test('non-Pod rules get nothing; deny and foreach keep their body with rewritten variables', () => {
    const svc = policy([{ ...podRule, match: { any: [{ resources: { kinds: ['Service'] } }] } }]);
    assert.deepEqual(
      svc.computedRules.map((r) => r.name),
      ['check'],
    );
    const fe = policy([
      {
        name: 'fe',
        match: { any: [{ resources: { kinds: ['Pod'] } }] },
        validate: {
          foreach: [{ list: 'request.object.spec.containers', deny: { conditions: { any: [] } } }],
        },
      },
    ]);
    assert.equal(
      fe.computedRules[1]!.validate!.foreach[0].list,
      'request.object.spec.template.spec.containers',
    );
    assert.equal(
      fe.computedRules[2]!.validate!.foreach[0].list,
      'request.object.spec.jobTemplate.spec.template.spec.containers',
    );
  });
});
