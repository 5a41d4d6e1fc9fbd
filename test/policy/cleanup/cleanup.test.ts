import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Document } from '../../../src/core/document.js';
import { cleanupCandidates, cronProblem, parseCleanupPolicy } from '../../../src/policy/cleanup/index.js';

const origin = { file: 'c.yaml', line: 1, column: 1, index: 0 };
const policy = (spec: Record<string, unknown>, kind = 'ClusterCleanupPolicy', namespace?: string) =>
  parseCleanupPolicy({
    content: { apiVersion: 'kyverno.io/v2', kind, metadata: { name: 'clean', namespace }, spec },
    origin,
  });
let n = 0;
const doc = (
  kind: string,
  name: string,
  namespace: string,
  labels: Record<string, string> = {},
  spec: Record<string, unknown> = {},
): Document => ({
  id: name,
  origin: { file: 'r.yaml', line: ++n, column: 1, index: n },
  format: 'kubernetes',
  content: {
    apiVersion: kind === 'Deployment' ? 'apps/v1' : 'v1',
    kind,
    metadata: { name, namespace, labels },
    spec,
  },
});

describe('cron schedules', () => {
  test('standard five-field schedules, names, steps and descriptors are accepted', () => {
    for (const s of [
      '*/5 * * * *',
      '0 0 * * SUN',
      '0 9-17/2 1,15 jan-jun mon-fri',
      '@hourly',
      '@every 1h30m',
      'CRON_TZ=UTC 0 * * * *',
    ]) {
      assert.equal(cronProblem(s), undefined, s);
    }
  });
  test('bad schedules say what is wrong', () => {
    assert.equal(cronProblem('* * * *'), 'expected exactly 5 fields, found 4: "* * * *"');
    assert.equal(cronProblem('61 * * * *'), 'minute: 61 is out of range 0-59');
    assert.equal(cronProblem('* * * * 7'), 'day of week: 7 is out of range 0-6');
    assert.equal(cronProblem('@often'), 'unrecognized descriptor: @often');
  });
  test('a policy with a bad schedule is rejected naming spec.schedule', () => {
    assert.throws(
      () => policy({ schedule: '* * *', match: {} }),
      /spec\.schedule: invalid cron schedule "\* \* \*": expected exactly 5 fields/,
    );
    assert.throws(
      () => policy({ match: {} }),
      /spec\.schedule: invalid cron schedule "": a cron schedule is required/,
    );
  });
});

describe('cleanupCandidates', () => {
  const docs = [
    doc('Deployment', 'idle', 'dev', { app: 'x' }, { replicas: 0 }),
    doc('Deployment', 'busy', 'dev', { app: 'x' }, { replicas: 2 }),
    doc('Deployment', 'keep', 'dev', { keep: 'true' }, { replicas: 0 }),
    doc('Pod', 'pod', 'dev'),
    doc('Deployment', 'other', 'prod', {}, { replicas: 0 }),
  ];
  test('match, exclude and conditions over target select what would be deleted', () => {
    const p = policy({
      schedule: '0 * * * *',
      match: { any: [{ resources: { kinds: ['Deployment'] } }] },
      exclude: { any: [{ resources: { selector: { matchLabels: { keep: 'true' } } } }] },
      conditions: { all: [{ key: '{{ target.spec.replicas }}', operator: 'Equals', value: 0 }] },
    });
    const names = cleanupCandidates([p], docs).map((c) => (c.resource.metadata as any).name);
    assert.deepEqual(names, ['idle', 'other']);
  });
  test('a namespaced CleanupPolicy only sees its own namespace', () => {
    const p = policy(
      { schedule: '@daily', match: { any: [{ resources: { kinds: ['Deployment'] } }] } },
      'CleanupPolicy',
      'prod',
    );
    assert.deepEqual(
      cleanupCandidates([p], docs).map((c) => [c.policy, (c.resource.metadata as any).name]),
      [['prod/clean', 'other']],
    );
  });
});
