import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT, runRampart } from '../helpers/index.js';

/** deploy/: the manifests pass Rampart's own packs and say what production needs. */

const MANIFESTS = join(REPO_ROOT, 'deploy', 'kubernetes');

function objects(): any[] {
  return readdirSync(MANIFESTS)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(readFileSync(join(MANIFESTS, f), 'utf8')).map((d) => d.toJS()));
}

const find = (kind: string, name?: string) =>
  objects().find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));

describe('deploy/', () => {
  test('rampart scan deploy/ passes every built-in pack with no finding', async () => {
    const result = await runRampart(['scan', 'deploy/', '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const { results, summary } = JSON.parse(result.stdout);
    assert.equal(summary.fail, 0);
    assert.equal(summary.warn, 0);
    assert.equal(summary.error, 0);
    assert.ok(summary.pass >= 20, `only ${summary.pass} passes: the manifests were not all scanned`);
    // The one suppression is explained: the image is not built here, so no digest can be pinned.
    const skipped = results.filter((r: any) => r.message?.startsWith('suppressed'));
    assert.deepEqual(
      skipped.map((r: any) => r.policy),
      ['require-image-digest'],
    );
    // Without helm on PATH the chart is skipped with a notice, never read as plain YAML.
    if (!result.stderr.includes('helm is not on PATH'))
      assert.ok(!results.some((r: any) => r.origin?.file?.includes('templates/')));
  });

  test('the Deployment: 3 replicas across nodes, PDB, probes, requests, restricted security context', () => {
    const deployment = find('Deployment', 'rampart-webhook');
    assert.equal(deployment.spec.replicas, 3);
    const pod = deployment.spec.template.spec;
    assert.equal(
      pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm
        .topologyKey,
      'kubernetes.io/hostname',
    );
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
    const [container] = pod.containers;
    assert.deepEqual(container.securityContext.capabilities.drop, ['ALL']);
    assert.equal(container.securityContext.allowPrivilegeEscalation, false);
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    assert.ok(container.resources.requests.cpu && container.resources.requests.memory);
    assert.ok(container.resources.limits.memory);
    assert.equal(container.readinessProbe.httpGet.path, '/readyz');
    assert.equal(container.livenessProbe.httpGet.path, '/healthz');
    assert.equal(container.readinessProbe.httpGet.scheme, 'HTTPS');
    assert.ok(container.args.includes('--listen=0.0.0.0:9443'));
    assert.ok(pod.terminationGracePeriodSeconds > 20, 'the pod outlives the webhook grace period');
    const pdb = find('PodDisruptionBudget', 'rampart-webhook');
    assert.equal(pdb.spec.minAvailable, 2);
    assert.deepEqual(pdb.spec.selector, deployment.spec.selector);
    assert.deepEqual(find('Service', 'rampart-webhook').spec.selector, deployment.spec.selector.matchLabels);
  });

  test('RBAC is least privilege: reads for the informer and report, writes only PolicyReports', () => {
    const role = find('ClusterRole', 'rampart');
    for (const rule of role.rules) {
      assert.ok(!rule.verbs.includes('*') && !rule.resources.includes('*') && !rule.apiGroups.includes('*'));
      assert.ok(!rule.resources.includes('secrets'), 'no access to Secrets');
      const writes = rule.verbs.filter((v: string) => !['get', 'list', 'watch'].includes(v));
      if (writes.length) {
        assert.deepEqual(rule.apiGroups, ['wgpolicyk8s.io']);
        assert.deepEqual(writes, ['create', 'update']);
      }
    }
    const core = role.rules.find((r: any) => r.apiGroups.includes(''));
    assert.ok(core.resources.includes('namespaces') && core.verbs.includes('watch'));
    const binding = find('ClusterRoleBinding', 'rampart');
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'rampart', namespace: 'rampart' }]);
  });

  test('the Helm chart and the Dockerfile are there: non-root distroless runtime', () => {
    const chart = join(REPO_ROOT, 'deploy', 'helm', 'rampart');
    const values = parseAllDocuments(readFileSync(join(chart, 'values.yaml'), 'utf8'))[0]!.toJS();
    assert.equal(values.replicaCount, 3);
    assert.equal(values.certManager.enabled, false);
    for (const t of [
      'deployment.yaml',
      'service.yaml',
      'rbac.yaml',
      'networkpolicy.yaml',
      'certificate.yaml',
    ])
      assert.ok(readdirSync(join(chart, 'templates')).includes(t), t);
    const dockerfile = readFileSync(join(REPO_ROOT, 'deploy', 'Dockerfile'), 'utf8');
    assert.match(dockerfile, /^FROM gcr\.io\/distroless\/nodejs20-debian12:nonroot$/m);
    assert.match(dockerfile, /^USER 65532:65532$/m);
  });
});
