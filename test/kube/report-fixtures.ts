import type { FakeApiServer } from './fake-apiserver.js';

/** Policies and a small cluster for the `rampart report` tests (library and CLI). */
export const POLICIES = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: require-team-label
  annotations:
    policies.kyverno.io/severity: medium
    policies.kyverno.io/category: Best Practices
spec:
  validationFailureAction: Audit
  rules:
    - name: check-team
      match:
        any:
          - resources:
              kinds: [Pod]
      validate:
        message: "label team is required"
        pattern:
          metadata:
            labels:
              team: "?*"
---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: namespace-owner
spec:
  validationFailureAction: Enforce
  rules:
    - name: owner
      match:
        any:
          - resources:
              kinds: [Namespace]
      validate:
        message: "namespaces need an owner label"
        pattern:
          metadata:
            labels:
              owner: "?*"
---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: admission-only
spec:
  background: false
  rules:
    - name: never-in-reports
      match:
        any:
          - resources:
              kinds: [Pod]
      validate:
        message: "admission only"
        pattern:
          metadata:
            name: "nothing-matches-this"
---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: add-label
spec:
  rules:
    - name: add
      match:
        any:
          - resources:
              kinds: [ConfigMap]
      mutate:
        patchStrategicMerge:
          metadata:
            labels:
              added: "yes"
`;

export const pod = (namespace: string, name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels },
  spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] },
});

export function seedCluster(fake: FakeApiServer): void {
  const o = fake.objects;
  o.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { owner: 'a' } } });
  o.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b' } });
  o.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
  o.put(pod('team-a', 'good', { team: 'a' }));
  o.put(pod('team-a', 'bad'));
  o.put(pod('team-b', 'bad-too'));
  o.put(pod('kube-system', 'skipped'));
  o.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'team-a' } });
  o.put({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'team-b' },
    spec: {
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
    },
  });
}
