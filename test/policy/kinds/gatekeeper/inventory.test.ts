import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildInventory } from '../../../../src/policy/kinds/gatekeeper/inventory.js';

describe('Gatekeeper data.inventory', () => {
  test("cluster[groupVersion][kind][name] and namespace[ns][groupVersion][kind][name], as Gatekeeper's sync", () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
    const ingress = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', namespace: 'shop' },
    };
    const other = { ...ingress, metadata: { name: 'api', namespace: 'shop' } };
    const inventory = buildInventory([ns, ingress, other, 'not an object', { kind: 'NoMeta' }]);
    assert.deepEqual(inventory.cluster, { v1: { Namespace: { shop: ns } } });
    assert.deepEqual(inventory.namespace, {
      shop: { 'networking.k8s.io/v1': { Ingress: { web: ingress, api: other } } },
    });
  });

  test('names like __proto__ stay plain keys', () => {
    const odd = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: '__proto__', namespace: 'constructor' },
    };
    const inventory = buildInventory([odd]);
    assert.equal(Object.getPrototypeOf(inventory.namespace), Object.prototype);
    assert.deepEqual(Object.keys(inventory.namespace), ['constructor']);
  });
});
