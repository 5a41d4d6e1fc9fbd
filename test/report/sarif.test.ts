import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Result } from '../../src/core/result.js';
import { renderSarif, renderSarifChunks } from '../../src/report/sarif.js';

function result(i: number, status: Result['status']): Result {
  return {
    policy: `policy-${i % 3}`,
    rule: 'rule',
    resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'ns', name: `pod-${i}` },
    status,
    message: `message ${i}\nwith "quotes" and a second line`,
    severity: i % 2 ? 'high' : 'low',
    category: 'pod-security',
    origin: { file: `/repo/apps/pod-${i}.yaml`, line: i + 1, column: 3, index: 0, path: 'spec.hostPID' },
    fix: 'Fix it.',
    docs: 'docs/packs.md#rule',
    title: 'A title',
  };
}

test('SARIF written a result at a time is the same text as the whole log indented by JSON.stringify', () => {
  const results = [
    result(0, 'fail'),
    result(1, 'pass'),
    result(2, 'warn'),
    result(3, 'skip'),
    result(4, 'fail'),
  ];
  const chunks = [...renderSarifChunks(results, { baseDir: '/repo', toolVersion: '1.2.3' })];
  const text = chunks.join('');
  // One piece per written result, plus the text before and after them.
  assert.equal(chunks.length, 4 + 2);
  const log = JSON.parse(text);
  assert.equal(text, `${JSON.stringify(log, null, 2)}\n`);
  assert.equal(log.runs[0].results.length, 4);
  assert.equal(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, 'apps/pod-0.yaml');
  assert.equal(log.runs[0].tool.driver.rules.length, 3);
  assert.equal(renderSarif(results, { baseDir: '/repo', toolVersion: '1.2.3' }), text);
});

test('SARIF with no findings is a complete log with an empty results list', () => {
  const text = renderSarif([result(0, 'pass')], { baseDir: '/repo' });
  const log = JSON.parse(text);
  assert.deepEqual(log.runs[0].results, []);
  assert.equal(text, `${JSON.stringify(log, null, 2)}\n`);
});
