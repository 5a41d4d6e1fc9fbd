import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  backgroundTargets,
  buildBackgroundReports,
  isBackgroundPolicy,
  isSkippedResource,
} from '../../src/policy/background.js';
import { loadPolicies } from '../../src/policy/load.js';
import type { LoadedPolicy } from '../../src/policy/model/types.js';
import { tempDir } from '../helpers/index.js';

const POLICIES = `apiVersion: policies.kyverno.io/v1
kind: ValidatingPolicy
metadata: { name: vpol-bg }
spec:
  matchConstraints:
    resourceRules:
      - { apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments] }
  validations:
    - expression: "object.spec.replicas >= 2"
      message: "at least two replicas"
---
apiVersion: policies.kyverno.io/v1
kind: ValidatingPolicy
metadata: { name: vpol-admission-only }
spec:
  evaluation:
    background:
      enabled: false
  matchConstraints:
    resourceRules:
      - { apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps] }
  validations:
    - expression: "false"
---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: { name: wildcard }
spec:
  rules:
    - name: any-kind
      match:
        any:
          - resources: { kinds: ["*"] }
      validate:
        message: "needs labels"
        pattern: { metadata: { labels: { "?*": "?*" } } }
---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: { name: mutate-only }
spec:
  rules:
    - name: add
      match:
        any:
          - resources: { kinds: [Secret] }
      mutate:
        patchStrategicMerge: { metadata: { labels: { x: "y" } } }
`;

describe('background scanning semantics', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let policies: LoadedPolicy[];
  const named = (name: string) => policies.find((p) => p.name === name)!;
  before(async () => {
    tmp = await tempDir('rampart-background-');
    await writeFile(join(tmp.path, 'p.yaml'), POLICIES);
    const loaded = await loadPolicies([join(tmp.path, 'p.yaml')]);
    assert.deepEqual(loaded.invalid, []);
    policies = loaded.policies;
  });
  after(() => tmp.cleanup());

  test('which policies run in the background', () => {
    assert.equal(isBackgroundPolicy(named('vpol-bg')), true);
    assert.equal(isBackgroundPolicy(named('vpol-admission-only')), false);
    assert.equal(isBackgroundPolicy(named('wildcard')), true);
    assert.equal(isBackgroundPolicy(named('mutate-only')), false, 'no validate or verifyImages rule');
  });

  test('targets: CEL resource names, Kyverno kinds, wildcards', () => {
    const cel = backgroundTargets([named('vpol-bg')]);
    assert.deepEqual([cel.all, [...cel.resources]], [false, ['deployments']]);
    assert.equal(backgroundTargets([named('wildcard')]).all, true);
  });

  test("Kyverno's default resource filters", () => {
    assert.equal(isSkippedResource({ kind: 'Event', metadata: { name: 'e', namespace: 'a' } }), true);
    assert.equal(isSkippedResource({ kind: 'Pod', metadata: { name: 'p', namespace: 'kube-system' } }), true);
    assert.equal(isSkippedResource({ kind: 'Namespace', metadata: { name: 'kube-public' } }), true);
    assert.equal(isSkippedResource({ kind: 'Pod', metadata: { name: 'p', namespace: 'apps' } }), false);
  });

  test('CEL and Kyverno results land in per-namespace and cluster reports', () => {
    const objects = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', labels: { team: 'x' } } },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'one', namespace: 'apps', labels: { a: 'b' } },
        spec: { replicas: 1 },
      },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'apps' } },
    ];
    const { reports } = buildBackgroundReports(policies, objects, { timestampSeconds: 42 });
    const summary = Object.fromEntries(
      reports.map((r) => [
        `${r.kind}/${(r.metadata as { namespace?: string }).namespace ?? ''}`,
        (r.results as { policy: string; result: string }[]).map((x) => `${x.policy}:${x.result}`).sort(),
      ]),
    );
    assert.deepEqual(summary, {
      'ClusterPolicyReport/': ['wildcard:pass'],
      'PolicyReport/apps': ['vpol-bg:fail', 'wildcard:fail', 'wildcard:pass'],
    });
    assert.ok(
      reports.every((r) => (r.results as { timestamp: { seconds: number } }[])[0]!.timestamp.seconds === 42),
    );
  });
});
