import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UserError } from '../../src/core/errors.js';
import {
  cpuQuantity,
  formatCpu,
  formatMemory,
  memoryQuantity,
  parseCpu,
  parseMemory,
} from '../../src/core/units/resources.js';
import { planBatches } from '../../src/rightsize/collect.js';
import { applyOverrides, DEFAULT_LABELS } from '../../src/rightsize/config.js';
import { globToRegex } from '../../src/rightsize/promql.js';
import { parseSelector, selectorMatchers } from '../../src/rightsize/selector.js';
import { formatDuration, parseDuration, parseTime } from '../../src/rightsize/units.js';
import { resolveOwners } from '../../src/rightsize/workloads.js';

describe('rightsize units and parsing', () => {
  test('quantities, durations and times', () => {
    assert.equal(parseCpu('10m'), 0.01);
    assert.equal(parseCpu('1.5'), 1.5);
    assert.equal(parseMemory('100Mi'), 100 * 2 ** 20);
    assert.equal(parseMemory('1G'), 1e9);
    assert.equal(parseDuration('14d'), 1_209_600);
    assert.equal(parseDuration('1h30m'), 5400);
    assert.equal(formatDuration(1_209_600), '14d');
    assert.equal(formatDuration(75), '75s');
    assert.equal(parseTime('2026-01-01T00:00:00Z'), 1_767_225_600);
    assert.equal(parseTime('1767225600'), 1_767_225_600);
    assert.equal(formatCpu(0.363), '363m');
    assert.equal(formatCpu(null), 'unset');
    assert.equal(formatMemory(345 * 2 ** 20), '345Mi');
    assert.equal(cpuQuantity(0.2), '200m');
    assert.equal(memoryQuantity(2 ** 30), '1Gi');
    assert.equal(memoryQuantity(1000), '1000');
    for (const bad of [
      () => parseCpu('1 core'),
      () => parseMemory('12XB'),
      () => parseDuration('7 days'),
      () => parseTime('now'),
    ]) {
      assert.throws(bad, UserError);
    }
  });

  test('selectors become kube_pod_labels matchers; globs become anchored regexes', () => {
    const reqs = parseSelector('app.kubernetes.io/name=web,tier in (a, b),!legacy,env!=dev,team');
    assert.deepEqual(selectorMatchers(reqs), [
      'label_app_kubernetes_io_name="web"',
      'label_tier=~"a|b"',
      'label_legacy=""',
      'label_env!="dev"',
      'label_team!=""',
    ]);
    assert.equal(globToRegex('team-*.prod?'), 'team-.*\\.prod.');
    assert.deepEqual(applyOverrides(DEFAULT_LABELS, ['pod=pod_name'], 'label').pod, 'pod_name');
  });

  test('owners resolve Pod → ReplicaSet → Deployment and Job → CronJob; no owner is a bare Pod', () => {
    const row = (metric: Record<string, string>) => ({ metric, value: 1 });
    const owners = resolveOwners({
      pods: [
        row({ namespace: 'a', pod: 'w-1', owner_kind: 'ReplicaSet', owner_name: 'w-rs' }),
        row({ namespace: 'a', pod: 'j-1', owner_kind: 'Job', owner_name: 'j-123' }),
        row({ namespace: 'a', pod: 'bare', owner_kind: '<none>', owner_name: '<none>' }),
        row({ namespace: 'a', pod: 'orphan', owner_kind: 'ReplicaSet', owner_name: 'gone' }),
      ],
      replicasets: [row({ namespace: 'a', replicaset: 'w-rs', owner_kind: 'Deployment', owner_name: 'w' })],
      jobs: [row({ namespace: 'a', job_name: 'j-123', owner_kind: 'CronJob', owner_name: 'j' })],
    });
    assert.deepEqual(owners.get('a/w-1'), { namespace: 'a', kind: 'Deployment', name: 'w' });
    assert.deepEqual(owners.get('a/j-1'), { namespace: 'a', kind: 'CronJob', name: 'j' });
    assert.deepEqual(owners.get('a/bare'), { namespace: 'a', kind: 'Pod', name: 'bare' });
    assert.deepEqual(owners.get('a/orphan'), { namespace: 'a', kind: 'ReplicaSet', name: 'gone' });
  });

  test('batches pack whole namespaces under the series limit and split big namespaces by pod', () => {
    const c = (ns: string, pod: string) => ({ ns, pod, ctr: 'c' });
    const one = planBatches([c('a', 'p1'), c('b', 'p2')], 10, DEFAULT_LABELS);
    assert.deepEqual(
      one.map((b) => b.matcher),
      [''],
      'everything fits: no extra matcher',
    );
    const many = planBatches([c('a', 'p1'), c('a', 'p2'), c('a', 'p3'), c('b', 'q1')], 2, DEFAULT_LABELS);
    assert.deepEqual(
      many.map((b) => b.matcher),
      ['namespace="a",pod=~"p1|p2"', 'namespace="a",pod=~"p3"', 'namespace=~"b"'],
    );
  });
});
