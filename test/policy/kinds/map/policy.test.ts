import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rewriteObjectConstruction } from '../../../../src/policy/cel/construct.js';
import { applyConfiguration, applyJsonPatch } from '../../../../src/policy/kinds/map/patch.js';
import { evaluateMap, loadMap } from '../../../../src/policy/kinds/map/policy.js';

const cmRules = {
  resourceRules: [
    { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] },
  ],
};
const cm = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'c', namespace: 'a', labels: { color: 'red' } },
  data: { k: 'v' },
};
const map = (mutations: unknown[], extra: Record<string, unknown> = {}) =>
  loadMap({
    apiVersion: 'admissionregistration.k8s.io/v1beta1',
    kind: 'MutatingAdmissionPolicy',
    metadata: { name: 'm' },
    spec: { matchConstraints: cmRules, mutations, ...extra },
  });

describe('object construction rewrite', () => {
  test('type names drop, field names are quoted, strings and maps are untouched', () => {
    assert.equal(
      rewriteObjectConstruction('Object{metadata: Object.metadata{labels: {"a": "b"}}}'),
      '{"metadata": {"labels": {"a": "b"}}}',
    );
    assert.equal(
      rewriteObjectConstruction('[JSONPatch{op: "add", path: "/x", value: 1}]'),
      '[{"op": "add", "path": "/x", "value": 1}]',
    );
    assert.equal(rewriteObjectConstruction("'Object{a: 1}' + {k: v}['x']"), "'Object{a: 1}' + {k: v}['x']");
    assert.equal(
      rewriteObjectConstruction('c ? Object{} : Object{spec: Object.spec{replicas: 1}}'),
      'c ? {} : {"spec": {"replicas": 1}}',
    );
  });
});

describe('apply configuration and JSON Patch', () => {
  test('maps merge, named lists merge by name, other lists are replaced, null deletes', () => {
    const pod = {
      spec: { containers: [{ name: 'a', image: 'x' }], tolerations: [{ key: 'k' }] },
      metadata: { labels: { a: '1' } },
    };
    assert.deepEqual(
      applyConfiguration(pod, {
        metadata: { labels: { b: '2', a: null } },
        spec: {
          containers: [
            { name: 'a', image: 'y' },
            { name: 'b', image: 'z' },
          ],
          tolerations: [{ key: 'j' }],
        },
      }),
      {
        spec: {
          containers: [
            { name: 'a', image: 'y' },
            { name: 'b', image: 'z' },
          ],
          tolerations: [{ key: 'j' }],
        },
        metadata: { labels: { b: '2' } },
      },
    );
  });
  test('RFC 6902 operations', () => {
    const doc = { a: { b: [1, 2] }, c: 'x' };
    assert.deepEqual(
      applyJsonPatch(doc, [
        { op: 'add', path: '/a/b/-', value: 3 },
        { op: 'replace', path: '/c', value: 'y' },
        { op: 'move', from: '/c', path: '/d' },
        { op: 'copy', from: '/d', path: '/e' },
        { op: 'remove', path: '/a/b/0' },
        { op: 'add', path: '/x~1y', value: true },
        { op: 'test', path: '/e', value: 'y' },
      ]),
      { a: { b: [2, 3] }, d: 'y', e: 'y', 'x/y': true },
    );
    assert.deepEqual(doc, { a: { b: [1, 2] }, c: 'x' }, 'input untouched');
    assert.throws(() => applyJsonPatch(doc, [{ op: 'remove', path: '/nope' }]), /does not exist/);
    assert.throws(() => applyJsonPatch(doc, [{ op: 'test', path: '/c', value: 'z' }]), /test operation/);
  });
});

describe('MutatingAdmissionPolicy', () => {
  test('ApplyConfiguration adds a label once', () => {
    const p = map([
      {
        patchType: 'ApplyConfiguration',
        applyConfiguration: {
          expression:
            'object.metadata.?labels["team"].hasValue() ? Object{} : Object{metadata: Object.metadata{labels: {"team": "core"}}}',
        },
      },
    ]);
    const out = evaluateMap(p, { object: cm, resources: [] });
    assert.equal(out?.status, 'pass');
    assert.deepEqual(out?.status === 'pass' ? out.patched.metadata : undefined, {
      name: 'c',
      namespace: 'a',
      labels: { color: 'red', team: 'core' },
    });
  });
  test('JSONPatch mutations chain, each seeing the previous result', () => {
    const p = map([
      {
        patchType: 'JSONPatch',
        jsonPatch: { expression: '[JSONPatch{op: "add", path: "/data/n", value: "1"}]' },
      },
      {
        patchType: 'JSONPatch',
        jsonPatch: { expression: '[JSONPatch{op: "add", path: "/data/m", value: object.data.n + "2"}]' },
      },
    ]);
    const out = evaluateMap(p, { object: cm, resources: [] });
    assert.deepEqual(out?.status === 'pass' ? out.patched.data : undefined, { k: 'v', n: '1', m: '12' });
  });
  test('matchConditions skip, errors are error results, unmatched objects get nothing', () => {
    const p = map(
      [
        {
          patchType: 'JSONPatch',
          jsonPatch: { expression: '[JSONPatch{op: "remove", path: "/data/nope"}]' },
        },
      ],
      {
        matchConditions: [{ name: 'only-a', expression: "object.metadata.namespace == 'a'" }],
      },
    );
    assert.equal(
      evaluateMap(p, { object: { ...cm, metadata: { name: 'c', namespace: 'b' } }, resources: [] })?.status,
      'skip',
    );
    assert.match(
      evaluateMap(p, { object: cm, resources: [] })?.message ?? '',
      /mutation 0: path \/data\/nope does not exist/,
    );
    assert.equal(
      evaluateMap(p, {
        object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } },
        resources: [],
      }),
      undefined,
    );
  });
  test('a compile error names the mutation field', () => {
    assert.throws(
      () => map([{ patchType: 'JSONPatch', jsonPatch: { expression: '[JSONPatch{op: ]' } }]),
      /MutatingAdmissionPolicy\/m: spec\.mutations\[0\]\.jsonPatch\.expression/,
    );
  });
});
