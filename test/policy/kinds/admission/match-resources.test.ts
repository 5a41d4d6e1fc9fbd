import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gvrOf, matchResources } from '../../../../src/policy/kinds/admission/match-resources.js';

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'a', labels: { app: 'x' } } };

describe('MatchResources', () => {
  test('resource rules by group, version, plural and operation', () => {
    const rules = {
      resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'] }],
    };
    assert.equal(matchResources(rules, { object: pod, operation: 'CREATE' }), true);
    assert.equal(matchResources(rules, { object: pod, operation: 'UPDATE' }), false);
    assert.equal(
      matchResources(
        { resourceRules: [{ apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], operations: ['*'] }] },
        { object: pod, operation: 'DELETE' },
      ),
      true,
    );
    assert.equal(matchResources(undefined, { object: pod, operation: 'CREATE' }), false);
    assert.deepEqual(gvrOf({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' }), {
      group: 'networking.k8s.io',
      version: 'v1',
      resource: 'networkpolicies',
      kind: 'NetworkPolicy',
    });
  });
  test('exclusions, names, scope and selectors', () => {
    const all = { apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], operations: ['*'] };
    assert.equal(
      matchResources(
        { resourceRules: [all], excludeResourceRules: [{ ...all, resources: ['pods'] }] },
        { object: pod, operation: 'CREATE' },
      ),
      false,
    );
    assert.equal(
      matchResources(
        { resourceRules: [{ ...all, resourceNames: ['other'] }] },
        { object: pod, operation: 'CREATE' },
      ),
      false,
    );
    assert.equal(
      matchResources({ resourceRules: [{ ...all, scope: 'Cluster' }] }, { object: pod, operation: 'CREATE' }),
      false,
    );
    assert.equal(
      matchResources(
        { resourceRules: [all], objectSelector: { matchLabels: { app: 'x' } } },
        { object: pod, operation: 'CREATE' },
      ),
      true,
    );
    const nsSel = { resourceRules: [all], namespaceSelector: { matchLabels: { env: 'prod' } } };
    assert.equal(
      matchResources(nsSel, { object: pod, operation: 'CREATE', namespaceLabels: { env: 'prod' } }),
      true,
    );
    assert.equal(matchResources(nsSel, { object: pod, operation: 'CREATE' }), false);
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', labels: { env: 'prod' } } };
    assert.equal(matchResources(nsSel, { object: ns, operation: 'CREATE' }), true);
  });
});
