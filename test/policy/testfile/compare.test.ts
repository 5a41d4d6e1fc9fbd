import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareObjects, normalizeForComparison } from '../../../src/policy/testfile/compare.js';

test('objects are tidied and labels normalised before comparing, as the Kyverno CLI does', () => {
  const expected = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', annotations: {} },
    spec: { a: 1, b: null },
  };
  const actual = {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      name: 'p',
      labels: { 'generate.kyverno.io/policy-name': 'x', 'app.kubernetes.io/managed-by': 'kyverno' },
    },
    spec: { a: 1, c: [] },
  };
  assert.equal(compareObjects(expected, actual).equal, true);
  assert.deepEqual(normalizeForComparison(expected).metadata, {
    name: 'p',
    labels: { 'app.kubernetes.io/managed-by': 'kyverno' },
  });
});

test('a difference gives a unified diff of the YAML documents; list order matters', () => {
  const out = compareObjects(
    { kind: 'Pod', spec: { list: [1, 2] } },
    { kind: 'Pod', spec: { list: [2, 1] } },
    { expected: 'want.yaml', actual: 'got' },
  );
  assert.equal(out.equal, false);
  assert.match(out.diff!, /^--- want\.yaml\n\+\+\+ got\n@@/);
  assert.match(out.diff!, /\n- {4}- 1\n/);
});
