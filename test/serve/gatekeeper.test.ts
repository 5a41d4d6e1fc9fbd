import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateCertificates, writeCertificates } from '../../src/serve/certificates.js';
import { ServeMetrics } from '../../src/serve/metrics.js';
import { loadNamespaceLabels } from '../../src/serve/namespace-labels.js';
import { PolicyStore } from '../../src/serve/policy-set.js';
import { startWebhook, type Webhook } from '../../src/serve/server.js';
import { fixture, REPO_ROOT, tempDir } from '../helpers/index.js';
import { POD_CREATE, post, review } from './client.js';

const library = join(REPO_ROOT, 'src', 'packs', 'gpu-isolation', 'gatekeeper');

describe('serve: Gatekeeper constraints enforced by the admission webhook (real HTTPS on 127.0.0.1)', () => {
  let webhook: Webhook;
  let ca: string;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  const send = (body: unknown) => post(`${webhook.url}/validate`, ca, JSON.stringify(body));

  before(async () => {
    tmp = await tempDir();
    const certs = generateCertificates({ dnsNames: ['rampart.svc'], ipAddresses: ['127.0.0.1'] });
    await writeCertificates(tmp.path, certs);
    ca = certs.caCert;
    // A warn constraint of a library template, loaded from another folder: linked all the same.
    await writeFile(
      join(tmp.path, 'data-hostpath-warn.yaml'),
      'apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sGpuDeviceHostPath\nmetadata:\n  name: data-hostpath-warn\nspec:\n  enforcementAction: warn\n  match:\n    kinds: [{apiGroups: [""], kinds: [Pod]}]\n  parameters:\n    additionalPathPatterns: ["^/data(/.*)?$"]\n',
    );
    const store = new PolicyStore({ paths: [library, join(tmp.path, 'data-hostpath-warn.yaml')], packs: [] });
    await store.load();
    webhook = await startWebhook(
      {
        store,
        metrics: new ServeMetrics(),
        namespaceLabels: await loadNamespaceLabels(fixture('serve', 'fixtures', 'namespaces.yaml')),
        tls: { cert: `${tmp.path}/tls.crt`, key: `${tmp.path}/tls.key` },
        log: () => {},
      },
      { host: '127.0.0.1', port: 0 },
    );
  });
  after(async () => {
    await webhook.shutdown(100);
    await tmp.cleanup();
  });

  test('a compliant Pod is allowed', async () => {
    const { response } = (await send(review(POD_CREATE))).json();
    assert.equal(response.allowed, true);
  });

  test('a deny constraint denies, naming the constraint and the template', async () => {
    const r = review(POD_CREATE);
    r.request.object.spec.containers[0].env = [{ name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' }];
    const { response } = (await send(r)).json();
    assert.equal(response.allowed, false);
    assert.match(
      response.status.message,
      /gpu-env-without-limit:\n {2}k8sgpuenvwithoutlimit: containers web set NVIDIA_VISIBLE_DEVICES/,
    );
  });

  test('a warn constraint lets the request through with a warning', async () => {
    const r = review(POD_CREATE);
    r.request.object.spec.volumes = [{ name: 'data', hostPath: { path: '/data/sets' } }];
    const { response } = (await send(r)).json();
    assert.equal(response.allowed, true);
    assert.deepEqual(response.warnings, [
      'policy data-hostpath-warn.k8sgpudevicehostpath: hostPath volumes data (/data/sets) expose GPU devices, driver state or the container runtime',
    ]);
  });
});
