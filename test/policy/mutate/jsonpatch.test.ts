import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyJsonPatch, JsonPatchError, parseJsonPatch } from '../../../src/policy/mutate/jsonpatch.js';

const pod = () => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', labels: { 'a/b': 'x', 'c~d': 'y' } },
  spec: { containers: [{ name: 'a' }, { name: 'b' }] },
});

describe('parseJsonPatch', () => {
  test('reads the string (YAML) form Kyverno documents', () => {
    const ops = parseJsonPatch('- op: add\n  path: /metadata/labels/env\n  value: prod\n');
    assert.deepEqual(ops, [{ op: 'add', path: '/metadata/labels/env', value: 'prod' }]);
  });
  test('reads a JSON string and the list form', () => {
    assert.equal(parseJsonPatch('[{"op":"remove","path":"/spec"}]')[0]!.op, 'remove');
    assert.equal(parseJsonPatch([{ op: 'test', path: '/a', value: 1 }])[0]!.op, 'test');
  });
  test('rejects unknown ops and missing fields, naming the operation', () => {
    assert.throws(
      () => parseJsonPatch([{ op: 'upsert', path: '/a' }]),
      /operation 0 has unknown op "upsert"/,
    );
    assert.throws(() => parseJsonPatch([{ op: 'add', path: '/a' }]), /operation 0 \(add\) has no value/);
    assert.throws(() => parseJsonPatch([{ op: 'move', path: '/a' }]), /has no from/);
    assert.throws(() => parseJsonPatch('{a: 1}'), JsonPatchError);
  });
});

describe('applyJsonPatch', () => {
  test('add, replace, remove, move, copy and test, without touching the input', () => {
    const input = pod();
    const out = applyJsonPatch(input, [
      { op: 'add', path: '/spec/containers/-', value: { name: 'c' } },
      { op: 'replace', path: '/spec/containers/0/name', value: 'z' },
      { op: 'remove', path: '/spec/containers/1' },
      { op: 'copy', from: '/metadata/name', path: '/metadata/labels/copied' },
      { op: 'move', from: '/metadata/labels/copied', path: '/metadata/labels/moved' },
      { op: 'test', path: '/metadata/labels/moved', value: 'p' },
    ]);
    assert.deepEqual(out.spec.containers, [{ name: 'z' }, { name: 'c' }]);
    assert.equal((out.metadata.labels as Record<string, string>).moved, 'p');
    assert.deepEqual(input, pod());
  });
  test('~1 and ~0 escapes address keys with / and ~', () => {
    const out = applyJsonPatch(pod(), [
      { op: 'replace', path: '/metadata/labels/a~1b', value: 'slash' },
      { op: 'replace', path: '/metadata/labels/c~0d', value: 'tilde' },
    ]);
    assert.deepEqual(out.metadata.labels, { 'a/b': 'slash', 'c~d': 'tilde' });
  });
  test('replace on a missing path is an error naming the path (RFC 6902 4.3)', () => {
    assert.throws(
      () => applyJsonPatch(pod(), [{ op: 'replace', path: '/spec/hostNetwork', value: true }]),
      /replace operation does not apply: doc is missing path: \/spec\/hostNetwork/,
    );
  });
  test('a failing test op is an error', () => {
    assert.throws(
      () => applyJsonPatch(pod(), [{ op: 'test', path: '/metadata/name', value: 'q' }]),
      /testing value \/metadata\/name failed/,
    );
  });
  test('Kyverno options: remove of a missing path is a no-op, add creates parents, negative indices', () => {
    const out = applyJsonPatch(pod(), [
      { op: 'remove', path: '/metadata/annotations/x' },
      { op: 'add', path: '/metadata/annotations/team', value: 'a' },
      { op: 'replace', path: '/spec/containers/-1/name', value: 'last' },
    ]);
    assert.deepEqual(out.metadata, {
      name: 'p',
      labels: { 'a/b': 'x', 'c~d': 'y' },
      annotations: { team: 'a' },
    });
    assert.equal(out.spec.containers[1]!.name, 'last');
  });
  test('strict mode follows RFC 6902: remove of a missing path and add under a missing parent fail', () => {
    assert.throws(
      () => applyJsonPatch(pod(), [{ op: 'remove', path: '/metadata/annotations/x' }], { strict: true }),
      /remove operation does not apply/,
    );
    assert.throws(
      () => applyJsonPatch(pod(), [{ op: 'add', path: '/x/y', value: 1 }], { strict: true }),
      /add operation does not apply/,
    );
  });
});
