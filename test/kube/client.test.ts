import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { KubeClient } from '../../src/kube/client.js';
import { KubeApiError } from '../../src/kube/errors.js';
import { tempDir } from '../helpers/index.js';
import { FakeApiServer } from './fake-apiserver.js';

describe('KubeClient against the fake API server', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let fake: FakeApiServer;
  let client: KubeClient;
  before(async () => {
    tmp = await tempDir('rampart-kube-client-');
    fake = await FakeApiServer.start({
      token: 's3cret',
      startDelayMs: 150,
      nodes: [
        { metadata: { name: 'gpu-a', labels: { 'nvidia.com/gpu.present': 'true', pool: 'a100' } } },
        { metadata: { name: 'cpu-1', labels: { pool: 'general' } } },
      ],
      onCreatePod: (pod) =>
        JSON.stringify(pod).includes('"privileged":true')
          ? { reject: { code: 403, message: 'admission webhook denied the request: privileged' } }
          : undefined,
      podEnv: (pod) => ({ POD_NAME: pod.metadata.name }),
    });
    client = KubeClient.fromOptions({
      kubeconfig: fake.writeKubeconfig(tmp.path, { namespace: 'gpu-test' }),
      env: {},
    });
  });
  after(async () => {
    await fake.close();
    await tmp.cleanup();
  });

  test('create, wait until Running, exec with the pod environment, delete', async () => {
    assert.equal(client.namespace, 'gpu-test');
    const created = await client.createPod({
      metadata: { name: 'probe', labels: { app: 'rampart' } },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    assert.equal(created.status?.phase, 'Pending');
    const running = await client.waitForPodRunning('probe', undefined, { intervalMs: 20, timeoutMs: 5000 });
    assert.equal(running.status?.phase, 'Running');
    const r = await client.exec('probe', ['sh', '-c', 'echo $POD_NAME']);
    assert.equal(r.stdout, 'probe\n');
    const listed = await client.listPods({ labelSelector: 'app=rampart' });
    assert.deepEqual(
      listed.map((p) => p.metadata?.name),
      ['probe'],
    );
    await client.deletePod('probe');
    assert.deepEqual(fake.deleted, ['gpu-test/probe']);
    await client.deletePod('probe'); // already gone: not an error
    await assert.rejects(client.getPod('probe'), (e: unknown) => e instanceof KubeApiError && e.notFound);
  });

  test('admission rejection surfaces as a forbidden KubeApiError with the server message', async () => {
    await assert.rejects(
      client.createPod({
        metadata: { name: 'rogue' },
        spec: { containers: [{ name: 'c', image: 'x', securityContext: { privileged: true } }] },
      }),
      (e: unknown) =>
        e instanceof KubeApiError && e.forbidden && /denied the request: privileged/.test(e.message),
    );
  });

  test('lists nodes with a label selector', async () => {
    const nodes = await client.listNodes({ labelSelector: 'nvidia.com/gpu.present=true' });
    assert.deepEqual(
      nodes.map((n) => n.metadata?.name),
      ['gpu-a'],
    );
    assert.equal((await client.listNodes()).length, 2);
  });

  test('waiting times out with a clear error', async () => {
    fake.scenario.finalPhase = () => 'Pending';
    try {
      await client.createPod({
        metadata: { name: 'stuck' },
        spec: { containers: [{ name: 'c', image: 'x' }] },
      });
      await assert.rejects(
        client.waitForPodRunning('stuck', undefined, { intervalMs: 20, timeoutMs: 200 }),
        (e: unknown) => e instanceof KubeApiError && /not running after 200 ms/.test(e.message),
      );
    } finally {
      fake.scenario.finalPhase = undefined;
    }
  });

  test('a wrong token is rejected as 401', async () => {
    const bad = KubeClient.fromOptions({
      kubeconfig: fake.writeKubeconfig(tmp.path),
      env: {},
    });
    fake.scenario.token = 'rotated';
    try {
      await assert.rejects(bad.listNodes(), (e: unknown) => e instanceof KubeApiError && e.status === 401);
      await assert.rejects(
        bad.exec('x', ['true']),
        (e: unknown) => e instanceof KubeApiError && e.status === 401,
      );
    } finally {
      fake.scenario.token = 's3cret';
    }
  });
});
