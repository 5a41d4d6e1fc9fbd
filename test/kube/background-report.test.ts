import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { loadReportPolicies, runBackgroundReport } from '../../src/kube/background-report.js';
import { KubeRest } from '../../src/kube/rest.js';
import { tempDir } from '../helpers/index.js';
import { FakeApiServer } from './fake-apiserver.js';
import { CORE_TYPES } from './fake-objects.js';
import { POLICIES, pod, seedCluster } from './report-fixtures.js';

describe('rampart report against the fake API server', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let fake: FakeApiServer;
  let rest: KubeRest;
  let policyFile: string;
  const writes = () => fake.requests.filter((r) => ['POST', 'PUT', 'DELETE', 'PATCH'].includes(r.method));
  const run = async (extra: { dryRun?: boolean } = {}) =>
    runBackgroundReport(rest, { ...(await loadReportPolicies([policyFile], [])), pageSize: 1, ...extra });

  before(async () => {
    tmp = await tempDir('rampart-report-');
    policyFile = join(tmp.path, 'policies.yaml');
    await writeFile(policyFile, POLICIES);
  });
  beforeEach(async () => {
    await fake?.close();
    fake = await FakeApiServer.start({ types: CORE_TYPES });
    seedCluster(fake);
    rest = KubeRest.fromOptions({ kubeconfig: fake.writeKubeconfig(tmp.path), env: {} });
  });
  after(async () => {
    await fake.close();
    await tmp.cleanup();
  });

  test('lists every page, evaluates background validate rules, writes one report per namespace', async () => {
    const result = await run();
    const podLists = fake.requests.filter((r) => r.path === '/api/v1/pods');
    assert.equal(podLists.length, 4, 'four pods, one per page');
    assert.ok(podLists.every((r) => r.query.includes('limit=1')));
    assert.equal(podLists.filter((r) => r.query.includes('continue=')).length, 3);
    assert.ok(
      !fake.requests.some((r) => r.path.includes('configmaps')),
      'no background rule selects ConfigMaps',
    );

    assert.deepEqual(
      result.outcomes.map((o) => `${o.action} ${o.kind} ${o.namespace ?? ''}/${o.name}`),
      [
        'created ClusterPolicyReport /rampart-cluster-policy-report',
        'created PolicyReport team-a/rampart-policy-report',
        'created PolicyReport team-b/rampart-policy-report',
      ],
    );
    const a = fake.objects.get('PolicyReport', 'rampart-policy-report', 'team-a')!;
    assert.deepEqual(a.summary, { pass: 1, fail: 1, warn: 0, error: 0, skip: 0 });
    assert.equal(
      (a.metadata as { labels: Record<string, string> }).labels['app.kubernetes.io/managed-by'],
      'rampart',
    );
    const failed = (a.results as Record<string, unknown>[]).find((r) => r.result === 'fail')!;
    assert.equal(failed.policy, 'require-team-label');
    assert.equal(failed.rule, 'check-team');
    assert.equal(failed.source, 'rampart');
    assert.equal(failed.severity, 'medium');
    assert.equal(failed.category, 'Best Practices');
    assert.equal(failed.scored, true);
    assert.match(String(failed.message), /label team is required/);
    assert.equal(typeof (failed.timestamp as { seconds: number }).seconds, 'number');
    assert.deepEqual(failed.resources, [{ apiVersion: 'v1', kind: 'Pod', name: 'bad', namespace: 'team-a' }]);

    // team-b: the bare pod and the Deployment (through the autogen rule) fail; background: false never reports.
    const b = fake.objects.get('PolicyReport', 'rampart-policy-report', 'team-b')!;
    const bResults = b.results as {
      policy: string;
      rule: string;
      result: string;
      resources: { kind: string }[];
    }[];
    assert.deepEqual(
      bResults.map((r) => `${r.policy}/${r.rule} ${r.resources[0]!.kind} ${r.result}`).sort(),
      ['require-team-label/autogen-check-team Deployment fail', 'require-team-label/check-team Pod fail'],
    );
    const cluster = fake.objects.get('ClusterPolicyReport', 'rampart-cluster-policy-report')!;
    assert.deepEqual(cluster.summary, { pass: 1, fail: 1, warn: 0, error: 0, skip: 0 });
    assert.equal(fake.objects.get('PolicyReport', 'rampart-policy-report', 'kube-system'), undefined);
    assert.ok(!JSON.stringify(fake.objects.list('PolicyReport')).includes('admission-only'));
  });

  test('a second run updates in place and never duplicates; unchanged reports are not rewritten', async () => {
    await run();
    const created = fake.objects.list('PolicyReport').length;
    const second = await run();
    assert.deepEqual(
      second.outcomes.map((o) => o.action),
      ['unchanged', 'unchanged', 'unchanged'],
    );
    assert.equal(fake.objects.list('PolicyReport').length, created);
    assert.equal(fake.objects.list('ClusterPolicyReport').length, 1);

    fake.objects.put(pod('team-a', 'bad', { team: 'fixed' }));
    const before = writes().length;
    const third = await run();
    assert.deepEqual(
      third.outcomes.map((o) => `${o.action} ${o.namespace ?? ''}`),
      ['unchanged ', 'updated team-a', 'unchanged team-b'],
    );
    const put = writes().slice(before);
    assert.deepEqual(
      put.map((r) => `${r.method} ${r.path}`),
      ['PUT /apis/wgpolicyk8s.io/v1alpha2/namespaces/team-a/policyreports/rampart-policy-report'],
    );
    const a = fake.objects.get('PolicyReport', 'rampart-policy-report', 'team-a')!;
    assert.deepEqual(a.summary, { pass: 2, fail: 0, warn: 0, error: 0, skip: 0 });
    assert.equal(fake.objects.list('PolicyReport').length, created);
  });

  test('409 conflicts on update and a lost create race are retried from a fresh read', async () => {
    await run();
    fake.objects.put(pod('team-b', 'bad-too', { team: 'b' }));
    fake.objects.faults.conflictingUpdates = 2;
    const updated = await run();
    const b = updated.outcomes.find((o) => o.namespace === 'team-b')!;
    assert.equal(b.action, 'updated');
    assert.equal(b.conflicts, 2);
    const stored = fake.objects.get('PolicyReport', 'rampart-policy-report', 'team-b')!;
    assert.equal((stored.summary as { pass: number }).pass, 1);

    fake.objects.put({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team-c', labels: { owner: 'c' } },
    });
    fake.objects.put(pod('team-c', 'new'));
    fake.objects.faults.racingCreates = 1;
    const raced = await run();
    const c = raced.outcomes.find((o) => o.namespace === 'team-c')!;
    assert.equal(c.conflicts, 1);
    assert.equal(c.action, 'updated', 'the report another writer created is updated, not duplicated');
    assert.equal(
      fake.objects
        .list('PolicyReport')
        .filter((r) => (r.metadata as { namespace: string }).namespace === 'team-c').length,
      1,
    );
    assert.deepEqual(fake.objects.get('PolicyReport', 'rampart-policy-report', 'team-c')!.summary, {
      pass: 0,
      fail: 1,
      warn: 0,
      error: 0,
      skip: 0,
    });
  });

  test('endless conflicts give up with a clear error', async () => {
    await run();
    fake.objects.put(pod('team-a', 'bad', { team: 'fixed' }));
    fake.objects.faults.conflictingUpdates = 100;
    await assert.rejects(
      run(),
      /update|write policyreports\.wgpolicyk8s\.io team-a\/rampart-policy-report: still conflicting after 5 attempts/,
    );
  });

  test('a namespace that became clean gets its earlier report emptied', async () => {
    await run();
    fake.objects.remove('Pod', 'bad-too', 'team-b');
    fake.objects.remove('Deployment', 'web', 'team-b');
    const result = await run();
    assert.equal(result.outcomes.find((o) => o.namespace === 'team-b')?.action, 'updated');
    const b = fake.objects.get('PolicyReport', 'rampart-policy-report', 'team-b')!;
    assert.deepEqual(b.results, []);
    assert.deepEqual(b.summary, { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 });
  });

  test('--dry-run reads and builds the reports but writes nothing', async () => {
    const result = await run({ dryRun: true });
    assert.deepEqual(writes(), []);
    assert.equal(fake.objects.list('PolicyReport').length, 0);
    assert.equal(result.reports.length, 3);
    assert.deepEqual(result.outcomes, []);
  });

  test('a 403 on writing names the verb, the resource and the namespace', async () => {
    fake.objects.faults.forbid = (verb, type) => verb === 'create' && type.plural === 'policyreports';
    await assert.rejects(run(), (error: Error & { exitCode?: number }) => {
      assert.match(error.message, /^create policyreports\.wgpolicyk8s\.io team-a\/rampart-policy-report: /);
      assert.match(error.message, /cannot create resource "policyreports"/);
      assert.equal(error.exitCode, 1);
      return true;
    });
  });

  test('a cluster without the PolicyReport CRDs is refused unless --dry-run', async () => {
    const bare = await FakeApiServer.start({ types: CORE_TYPES.filter((t) => t.group !== 'wgpolicyk8s.io') });
    seedCluster(bare);
    const dir = await tempDir('rampart-report-bare-');
    try {
      const r = KubeRest.fromOptions({ kubeconfig: bare.writeKubeconfig(dir.path), env: {} });
      const policies = await loadReportPolicies([policyFile], []);
      await assert.rejects(
        runBackgroundReport(r, policies),
        /does not serve PolicyReport \(wgpolicyk8s\.io\/v1alpha2\)/,
      );
      assert.equal((await runBackgroundReport(r, { ...policies, dryRun: true })).reports.length, 3);
    } finally {
      await bare.close();
      await dir.cleanup();
    }
  });
});
