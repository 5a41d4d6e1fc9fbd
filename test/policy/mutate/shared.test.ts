import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cloneJson } from '../../../src/policy/mutate/clone.js';
import { applyJsonPatch } from '../../../src/policy/mutate/jsonpatch.js';
import { strategicMerge } from '../../../src/policy/mutate/strategic-merge.js';
import { imagesKey, sameImages } from '../../../src/policy/vars/index.js';

const pod = () => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', labels: { app: 'a' } },
  spec: { containers: [{ name: 'app', image: 'nginx:1', env: [{ name: 'A', value: '1' }] }] },
});

describe('mutation shares what it leaves alone', () => {
  test('a strategic merge that changes nothing returns the resource itself', () => {
    const base = pod();
    assert.equal(strategicMerge(base, { metadata: { labels: { app: 'a' } } }), base);
    assert.equal(strategicMerge(base, { spec: { containers: [{ name: 'app', image: 'nginx:1' }] } }), base);
    assert.equal(strategicMerge(base, { metadata: { annotations: null } }), base);
  });

  test('a strategic merge that changes one field copies only the path to it', () => {
    const base = pod();
    const out = strategicMerge(base, { metadata: { labels: { tier: 'web' } } }) as ReturnType<typeof pod>;
    assert.notEqual(out, base);
    assert.deepEqual(out.metadata.labels, { app: 'a', tier: 'web' });
    assert.equal(out.spec, base.spec);
    assert.deepEqual(base.metadata.labels, { app: 'a' });
  });

  test('JSON patch add/replace/remove of object keys leave the input and the policy value untouched', () => {
    const base = pod();
    const value = { team: 'x' };
    const out = applyJsonPatch(base, [
      { op: 'add', path: '/metadata/annotations', value },
      { op: 'replace', path: '/metadata/name', value: 'q' },
      { op: 'remove', path: '/metadata/labels/app' },
    ]) as any;
    assert.deepEqual(out.metadata, { name: 'q', labels: {}, annotations: { team: 'x' } });
    assert.notEqual(out.metadata.annotations, value);
    assert.deepEqual(base.metadata, { name: 'p', labels: { app: 'a' } });
    assert.equal(out.spec, base.spec);
    out.metadata.annotations.team = 'y';
    assert.equal(value.team, 'x');
  });

  test('JSON patch errors are unchanged where the fast path does not apply', () => {
    assert.throws(
      () => applyJsonPatch(pod(), [{ op: 'replace', path: '/metadata/missing', value: 1 }]),
      /replace operation does not apply: doc is missing path: \/metadata\/missing/,
    );
    assert.throws(
      () => applyJsonPatch(pod(), [{ op: 'add', path: '/metadata/__proto__/x', value: 1 }]),
      /__proto__/,
    );
  });

  test('cloneJson copies objects and arrays deeply and keeps an own __proto__ key a plain key', () => {
    const source = JSON.parse('{"a":[{"b":1}],"__proto__":{"polluted":true}}');
    const copy = cloneJson(source);
    assert.deepEqual(copy, source);
    assert.notEqual(copy.a, source.a);
    assert.notEqual(copy.a[0], source.a[0]);
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.equal(({} as any).polluted, undefined);
  });

  test('sameImages agrees with imagesKey', () => {
    const base = pod();
    const cases: unknown[] = [
      base,
      { ...base, metadata: { name: 'other' } },
      { ...base, spec: { ...base.spec, containers: [{ ...base.spec.containers[0], env: [] }] } },
      { ...base, spec: { ...base.spec, containers: [{ name: 'app', image: 'nginx:2' }] } },
      { ...base, spec: { ...base.spec, containers: [{ name: 'x', image: 'nginx:1' }] } },
      { ...base, spec: { containers: base.spec.containers, initContainers: [{ name: 'i', image: 'b' }] } },
      { ...base, spec: { containers: [...base.spec.containers, { name: 'b', image: 'b' }] } },
      { ...base, kind: 'ConfigMap' },
      { kind: 'Deployment', spec: { template: { spec: base.spec } } },
      { ...base, spec: {} },
      'not an object',
    ];
    for (const a of cases) {
      for (const b of cases) {
        assert.equal(
          sameImages(a, b),
          imagesKey(a) === imagesKey(b),
          `${JSON.stringify(a)} vs ${JSON.stringify(b)}`,
        );
      }
    }
  });
});
