import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { strategicMerge } from '../../../src/policy/mutate/strategic-merge.js';

const pod = (spec: Record<string, unknown>) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p' },
  spec,
});

describe('strategicMerge', () => {
  test('containers merge by name: fields merged into the matching element, new ones appended', () => {
    const base = pod({
      containers: [
        { name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }] },
        { name: 'b', image: 'b:1' },
      ],
    });
    const out = strategicMerge(base, {
      spec: {
        containers: [
          { name: 'b', imagePullPolicy: 'Always' },
          { name: 'c', image: 'c:1' },
        ],
      },
    }) as any;
    assert.deepEqual(out.spec.containers, [
      { name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }] },
      { name: 'b', image: 'b:1', imagePullPolicy: 'Always' },
      { name: 'c', image: 'c:1' },
    ]);
    assert.equal((base.spec.containers as unknown[]).length, 2, 'input untouched');
  });
  test('volumeMounts merge by mountPath and ports by containerPort (merge keys from the OpenAPI table)', () => {
    const base = pod({
      containers: [
        {
          name: 'a',
          volumeMounts: [{ name: 'v', mountPath: '/data' }],
          ports: [{ containerPort: 80, protocol: 'TCP' }],
        },
      ],
    });
    const out = strategicMerge(base, {
      spec: {
        containers: [
          {
            name: 'a',
            volumeMounts: [{ name: 'v2', mountPath: '/data', readOnly: true }],
            ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }],
          },
        ],
      },
    }) as any;
    assert.deepEqual(out.spec.containers[0].volumeMounts, [
      { name: 'v2', mountPath: '/data', readOnly: true },
    ]);
    assert.deepEqual(out.spec.containers[0].ports, [
      { containerPort: 80, protocol: 'TCP', name: 'http' },
      { containerPort: 443 },
    ]);
  });
  test('lists without a merge strategy (tolerations, args) are replaced', () => {
    const base = pod({
      tolerations: [{ key: 'a', operator: 'Exists' }],
      containers: [{ name: 'a', args: ['x', 'y'] }],
    });
    const out = strategicMerge(base, {
      spec: { tolerations: [{ key: 'b' }], containers: [{ name: 'a', args: ['z'] }] },
    }) as any;
    assert.deepEqual(out.spec.tolerations, [{ key: 'b' }]);
    assert.deepEqual(out.spec.containers[0].args, ['z']);
  });
  test('primitive lists with strategy merge (finalizers) are unioned', () => {
    const base = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['a'] } };
    const out = strategicMerge(base, { metadata: { finalizers: ['b', 'a'] } }) as any;
    assert.deepEqual(out.metadata.finalizers, ['a', 'b']);
  });
  test('null removes a field; maps merge recursively', () => {
    const base = pod({ nodeSelector: { a: '1', b: '2' }, hostNetwork: true });
    const out = strategicMerge(base, {
      spec: { nodeSelector: { b: null, c: '3' }, hostNetwork: null },
    }) as any;
    assert.deepEqual(out.spec, { nodeSelector: { a: '1', c: '3' } });
  });
  test('$patch: delete on a list element removes the element with that key', () => {
    const base = pod({ containers: [{ name: 'a' }, { name: 'b' }] });
    const out = strategicMerge(base, { spec: { containers: [{ name: 'a', $patch: 'delete' }] } }) as any;
    assert.deepEqual(out.spec.containers, [{ name: 'b' }]);
  });
  test('$patch: delete on a map removes it; $patch: replace replaces it', () => {
    const base = pod({
      securityContext: { runAsUser: 1 },
      affinity: { nodeAffinity: { x: 1 }, podAffinity: { y: 2 } },
    });
    const out = strategicMerge(base, {
      spec: { securityContext: { $patch: 'delete' }, affinity: { $patch: 'replace', podAffinity: { z: 3 } } },
    }) as any;
    assert.equal(out.spec.securityContext, undefined);
    assert.deepEqual(out.spec.affinity, { podAffinity: { z: 3 } });
  });
  test('a {$patch: replace} element replaces the whole list', () => {
    const base = pod({ containers: [{ name: 'a' }, { name: 'b' }] });
    const out = strategicMerge(base, { spec: { containers: [{ $patch: 'replace' }, { name: 'c' }] } }) as any;
    assert.deepEqual(out.spec.containers, [{ name: 'c' }]);
  });
  test('$patch: merge is the default and an unknown directive is an error naming the path', () => {
    const base = pod({ securityContext: { runAsUser: 1 } });
    const out = strategicMerge(base, { spec: { securityContext: { $patch: 'merge', fsGroup: 2 } } }) as any;
    assert.deepEqual(out.spec.securityContext, { runAsUser: 1, fsGroup: 2 });
    assert.throws(
      () => strategicMerge(base, { spec: { securityContext: { $patch: 'drop' } } }),
      /\/spec\/securityContext: unknown \$patch directive "drop"/,
    );
  });
  test('$setElementOrder reorders a merged list by merge key', () => {
    const base = pod({ containers: [{ name: 'a' }, { name: 'b' }] });
    const out = strategicMerge(base, {
      spec: {
        '$setElementOrder/containers': [{ name: 'c' }, { name: 'b' }, { name: 'a' }],
        containers: [{ name: 'c' }],
      },
    }) as any;
    assert.deepEqual(
      out.spec.containers.map((c: any) => c.name),
      ['c', 'b', 'a'],
    );
  });
  test('$retainKeys drops the keys it does not list (volume source switch)', () => {
    const base = pod({ volumes: [{ name: 'v', emptyDir: {} }] });
    const out = strategicMerge(base, {
      spec: { volumes: [{ name: 'v', $retainKeys: ['name', 'hostPath'], hostPath: { path: '/x' } }] },
    }) as any;
    assert.deepEqual(out.spec.volumes, [{ name: 'v', hostPath: { path: '/x' } }]);
  });
  test('$deleteFromPrimitiveList removes values', () => {
    const base = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['a', 'b'] } };
    const out = strategicMerge(base, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }) as any;
    assert.deepEqual(out.metadata.finalizers, ['b']);
  });
  test('custom resources: lists of named objects merge by name (kyaml inference), others are replaced', () => {
    const base = {
      apiVersion: 'x.io/v1',
      kind: 'Thing',
      spec: { items: [{ name: 'a', v: 1 }], tags: [{ k: 1 }] },
    };
    const out = strategicMerge(base, {
      spec: { items: [{ name: 'a', w: 2 }, { name: 'b' }], tags: [{ k: 2 }] },
    }) as any;
    assert.deepEqual(out.spec.items, [{ name: 'a', v: 1, w: 2 }, { name: 'b' }]);
    assert.deepEqual(out.spec.tags, [{ k: 2 }]);
  });
  test('Deployment pod templates use the same metadata (imagePullSecrets by name)', () => {
    const base = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      spec: {
        template: { spec: { imagePullSecrets: [{ name: 'a' }], containers: [{ name: 'c', image: 'x' }] } },
      },
    };
    const out = strategicMerge(base, {
      spec: { template: { spec: { imagePullSecrets: [{ name: 'b' }] } } },
    }) as any;
    assert.deepEqual(out.spec.template.spec.imagePullSecrets, [{ name: 'a' }, { name: 'b' }]);
  });
});
