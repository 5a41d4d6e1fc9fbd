import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateCertificates, writeCertificates } from '../../src/serve/certificates.js';
import { clusterConfigured, namespaceLabelSource } from '../../src/serve/namespace-labels.js';
import { startServer } from '../../src/serve/run.js';
import { fixture, tempDir } from '../helpers/index.js';
import { FakeApiServer } from '../kube/fake-apiserver.js';
import { CORE_TYPES } from '../kube/fake-objects.js';
import { get, POD_EXEC, post, review } from './client.js';

/**
 * `rampart serve` with namespace labels from a cluster: the Namespace informer (src/kube/) against the
 * project's protocol-level fake API server (test/kube/fake-apiserver.ts: paged lists, watches with
 * resourceVersion and bookmarks, 410 Gone once history is compacted). Real HTTPS reviews on 127.0.0.1
 * see the labels the watch delivered.
 */

const ns = (name: string, labels: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});

async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('serve: namespace labels from a Namespace informer, against a fake API server', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let fake: FakeApiServer;
  let running: Awaited<ReturnType<typeof startServer>>;
  let ca: string;
  const logs: Record<string, any>[] = [];
  const lists = () =>
    fake.requests.filter((r) => r.path === '/api/v1/namespaces' && !r.query.includes('watch')).length;
  // pods/exec in team-a: deny-exec-in-prod denies it only where the namespace has env=prod.
  let uid = 0;
  const execAllowed = async (): Promise<boolean> => {
    const r = review(POD_EXEC);
    r.request.uid = `exec-${++uid}`;
    const reply = await post(`${running.webhook.url}/validate`, ca, JSON.stringify(r));
    assert.equal(reply.status, 200);
    return reply.json().response.allowed;
  };

  before(async () => {
    tmp = await tempDir('rampart-serve-informer-');
    fake = await FakeApiServer.start({ types: CORE_TYPES, token: 'tok' });
    fake.objects.put(ns('team-a', { env: 'dev' }));
    fake.objects.put(ns('team-b', { env: 'dev' }));
    const certs = generateCertificates({
      dnsNames: ['rampart-webhook.rampart.svc'],
      ipAddresses: ['127.0.0.1'],
    });
    await writeCertificates(join(tmp.path, 'tls'), certs);
    ca = certs.caCert;
    running = await startServer(
      {
        policyPaths: [fixture('serve', 'fixtures', 'policies', 'deny-exec-in-prod.yaml')],
        packs: [],
        tls: { cert: join(tmp.path, 'tls', 'tls.crt'), key: join(tmp.path, 'tls', 'tls.key') },
        service: { namespace: 'rampart', name: 'rampart-webhook' },
        host: '127.0.0.1',
        port: 0,
        kube: { kubeconfig: fake.writeKubeconfig(tmp.path), env: {} },
        workers: 1,
        failurePolicy: 'Fail',
        gracePeriodMs: 200,
      },
      (entry) => logs.push(entry),
    );
  });
  after(async () => {
    await running?.stop();
    await fake.close();
    await tmp.cleanup();
  });

  test('the listed labels arrive and /readyz turns ready once the first list is in', async () => {
    await until('ready', async () => (await get(`${running.webhook.url}/readyz`, ca)).status === 200);
    assert.ok(lists() >= 1);
    assert.ok(logs.some((l) => l.msg === 'serving' && l.namespaceLabels === 'cluster'));
    assert.ok(logs.some((l) => l.msg === 'namespace informer listed' && l.namespaces === 2));
    assert.equal(await execAllowed(), true, 'team-a is env=dev');
  });

  test('a watch event updates the labels a review sees', async () => {
    await until('the watch', () => fake.objects.openWatches === 1);
    fake.objects.put(ns('team-a', { env: 'prod' }));
    await until('the denial', async () => !(await execAllowed()));
  });

  test('410 Gone after a dropped watch re-lists, and a review sees the labels of the new list', async () => {
    await until('the watch', () => fake.objects.openWatches === 1);
    const before = lists();
    fake.objects.endWatches(true); // the connection drops; while it is away the history is compacted
    fake.objects.put(ns('team-a', { env: 'staging' }));
    fake.objects.compact();
    await until(
      'the re-list',
      () => lists() > before && logs.some((l) => l.msg === 'namespace informer expired'),
    );
    await until('the new labels', () => execAllowed());
    await until('watching again', () => fake.objects.openWatches === 1);
  });
});

describe('serve: which namespace label source', () => {
  test('a cluster is configured by --kubeconfig/--context or by running in a pod', () => {
    assert.equal(clusterConfigured({ kube: { env: {} } }), false);
    assert.equal(clusterConfigured({ kube: { kubeconfig: 'k', env: {} } }), true);
    assert.equal(clusterConfigured({ kube: { context: 'c', env: {} } }), true);
    const pod = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' };
    assert.equal(clusterConfigured({ kube: { env: pod } }), true);
  });

  test('the file wins over an in-cluster environment; with --kubeconfig as well it is a usage error', async () => {
    const file = fixture('serve', 'fixtures', 'namespaces.yaml');
    const pod = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' };
    const source = await namespaceLabelSource({ file, kube: { env: pod } });
    assert.equal(source.kind, 'file');
    assert.deepEqual(source.lookup('team-a'), { env: 'prod', 'kubernetes.io/metadata.name': 'team-a' });
    await assert.rejects(namespaceLabelSource({ file, kube: { kubeconfig: 'x', env: {} } }), /not both/);
    const none = await namespaceLabelSource({ kube: { env: {} } });
    assert.equal(none.kind, 'none');
    assert.deepEqual(none.lookup('x'), { 'kubernetes.io/metadata.name': 'x' });
  });

  test('a refused first list is retried and the source is not ready meanwhile', async () => {
    const denied = await FakeApiServer.start({ types: CORE_TYPES });
    denied.objects.put(ns('team-a', { env: 'prod' }));
    let forbid = true;
    denied.objects.faults.forbid = (verb, type) => forbid && verb === 'list' && type.plural === 'namespaces';
    const dir = await tempDir('rampart-serve-informer-denied-');
    const logs: Record<string, any>[] = [];
    const source = await namespaceLabelSource({
      kube: { kubeconfig: denied.writeKubeconfig(dir.path), env: {} },
      startBackoff: { initialMs: 50, maxMs: 100 },
      log: (e) => logs.push(e),
    });
    try {
      await until('a retry', () => logs.filter((l) => /cannot list namespaces/.test(l.msg)).length >= 2);
      assert.equal(source.ready(), false);
      assert.match(logs[0]!.error, /list namespaces: .*cannot list resource "namespaces"/);
      forbid = false; // the ClusterRoleBinding arrives
      await until('ready', () => source.ready());
      assert.deepEqual(source.lookup('team-a'), { env: 'prod', 'kubernetes.io/metadata.name': 'team-a' });
    } finally {
      await source.stop();
      await denied.close();
      await dir.cleanup();
    }
  });
});
