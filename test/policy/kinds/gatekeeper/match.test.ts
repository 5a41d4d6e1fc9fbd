import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { constraintMatches, globMatch } from '../../../../src/policy/kinds/gatekeeper/match.js';

describe('Gatekeeper spec.match', () => {
  test('globs: * only as a prefix or a suffix, as Gatekeeper allows', () => {
    assert.ok(globMatch('kube-*', 'kube-system'));
    assert.ok(globMatch('*-system', 'gatekeeper-system'));
    assert.ok(globMatch('*team*', 'a-team-b'));
    assert.ok(globMatch('*', 'anything'));
    assert.ok(!globMatch('kube-*', 'default'));
    assert.ok(!globMatch('prod', 'prod-east'));
  });

  test('kinds with apiGroups: the group comes from apiVersion, "" is the core group, * any', () => {
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'a' } };
    const apps = { kinds: [{ apiGroups: ['apps'], kinds: ['Deployment'] }] };
    assert.ok(constraintMatches(apps, { object: deployment }));
    assert.ok(
      !constraintMatches({ kinds: [{ apiGroups: [''], kinds: ['Deployment'] }] }, { object: deployment }),
    );
    assert.ok(constraintMatches({ kinds: [{ apiGroups: ['*'], kinds: ['*'] }] }, { object: deployment }));
    assert.ok(!constraintMatches(apps, { object: { ...deployment, apiVersion: 'v1' } }));
  });

  test('namespace criteria use the namespace labels given, and skip cluster-scoped objects', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' } };
    const selector = { namespaceSelector: { matchLabels: { env: 'prod' } } };
    assert.ok(constraintMatches(selector, { object: pod, namespaceLabels: { env: 'prod' } }));
    assert.ok(!constraintMatches(selector, { object: pod, namespaceLabels: { env: 'dev' } }));
    assert.ok(!constraintMatches(selector, { object: pod }));
    const clusterRole = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'r' },
    };
    assert.ok(constraintMatches({ namespaces: ['shop'], ...selector }, { object: clusterRole }));
    assert.ok(!constraintMatches({ scope: 'Namespaced' }, { object: clusterRole }));
  });
});
