import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { generateCertificates, writeCertificates } from '../../src/serve/certificates.js';
import { ServeMetrics } from '../../src/serve/metrics.js';
import { loadNamespaceLabels } from '../../src/serve/namespace-labels.js';
import { PolicyStore } from '../../src/serve/policy-set.js';
import { startServer } from '../../src/serve/run.js';
import { startWebhook, type Webhook } from '../../src/serve/server.js';
import { fixture, tempDir } from '../helpers/index.js';
import { get, POD_CREATE, post, review } from './client.js';

/**
 * The webhook while it runs: certificate rotation and policy reloads under live connections, the failure
 * policy on evaluation errors, slow and idle clients. Real HTTPS on 127.0.0.1, real files, real clients.
 */

const POLICIES = fixture('serve', 'fixtures', 'policies');

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The fingerprint of the certificate a fresh TLS handshake presents. */
function servedFingerprint(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: hostname, port: Number(port), rejectUnauthorized: false }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fingerprint);
    });
    socket.on('error', reject);
  });
}

const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

function compliantPod(uid: string): any {
  const r = review(POD_CREATE);
  r.request.uid = uid;
  r.request.object.metadata.labels.team = 'a';
  r.request.object.spec.securityContext = { runAsNonRoot: true };
  return r;
}

describe('serve: certificate rotation and policy hot reload, live', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let running: Awaited<ReturnType<typeof startServer>>;
  const logs: Record<string, any>[] = [];
  let caA: string;
  let policyDir: string;
  let tlsDir: string;

  before(async () => {
    tmp = await tempDir();
    tlsDir = join(tmp.path, 'tls');
    policyDir = join(tmp.path, 'policies');
    await mkdir(policyDir);
    await copyFile(join(POLICIES, 'audit-run-as-non-root.yaml'), join(policyDir, 'audit.yaml'));
    const certs = generateCertificates({
      dnsNames: ['rampart-webhook.rampart.svc'],
      ipAddresses: ['127.0.0.1'],
    });
    await writeCertificates(tlsDir, certs);
    caA = certs.caCert;
    running = await startServer(
      {
        policyPaths: [policyDir],
        packs: [],
        tls: { cert: join(tlsDir, 'tls.crt'), key: join(tlsDir, 'tls.key') },
        service: { namespace: 'rampart', name: 'rampart-webhook' },
        host: '127.0.0.1',
        port: 0,
        workers: 1,
        failurePolicy: 'Fail',
        gracePeriodMs: 200,
        certPollMs: 50,
      },
      (entry) => logs.push(entry),
    );
  });
  after(async () => {
    await running.stop();
    await tmp.cleanup();
  });

  test('rotated certificate files: new handshakes get the new certificate, an open keep-alive connection is kept', async () => {
    const url = running.webhook.url;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await post(`${url}/validate`, caA, JSON.stringify(compliantPod('rot-1')), { agent });
      assert.equal(first.status, 200);

      // cert-manager writes a new CA and key pair into the same files.
      const next = generateCertificates({
        dnsNames: ['rampart-webhook.rampart.svc'],
        ipAddresses: ['127.0.0.1'],
      });
      await writeCertificates(tlsDir, next);
      await until('the new certificate on new handshakes', async () =>
        (await servedFingerprint(url)) === fingerprint(next.cert) ? true : undefined,
      );

      // The connection opened under the old certificate still carries reviews.
      const second = await post(`${url}/validate`, caA, JSON.stringify(compliantPod('rot-2')), { agent });
      assert.equal(second.status, 200);
      assert.equal(second.reusedSocket, true, 'the keep-alive connection was not dropped');
      assert.equal(second.json().response.uid, 'rot-2');

      // A new connection trusts only the new CA.
      const fresh = await post(`${url}/validate`, next.caCert, JSON.stringify(compliantPod('rot-3')));
      assert.equal(fresh.status, 200);
      await assert.rejects(post(`${url}/healthz`, caA, '', { method: 'GET' }), /certificate/);
      assert.ok(logs.some((l) => l.msg === 'certificates reloaded'));
      caA = next.caCert;
    } finally {
      agent.destroy();
    }
  });

  test('a changed policy directory gives new verdicts; an invalid policy keeps the old set, logged and counted', async () => {
    const url = running.webhook.url;
    const verdict = async (uid: string) => {
      const r = review(POD_CREATE);
      r.request.uid = uid;
      return (await post(`${url}/validate`, caA, JSON.stringify(r))).json().response;
    };
    const before = await verdict('reload-0');
    assert.equal(before.allowed, true, 'only the Audit policy is loaded');

    await copyFile(join(POLICIES, 'require-team-label.yaml'), join(policyDir, 'require-team-label.yaml'));
    const denied = await until('the Enforce policy to load', async () => {
      const response = await verdict('reload-1');
      return response.allowed ? undefined : response;
    });
    assert.match(denied.status.message, /require-team-label:\n {2}check-team/);
    assert.equal(running.store.current?.policies.length, 2);

    // A half-written policy: rejected off the request path, the two-policy set keeps serving.
    await writeFile(
      join(policyDir, 'half-written.yaml'),
      'apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: half-written}\nspec:\n  rules:\n    - name: no-type\n      match: {any: [{resources: {kinds: [Pod]}}]}\n',
    );
    const metrics = await until('the reload error metric', async () => {
      const body = (await get(`${url}/metrics`, caA)).body;
      return /rampart_policy_reloads_total\{result="error"\} [1-9]/.test(body) ? body : undefined;
    });
    assert.match(metrics, /rampart_policy_reloads_total\{result="success"\} [1-9]/);
    const error = logs.find((l) => l.msg === 'policy reload rejected; the previous set keeps serving');
    assert.equal(error?.level, 'error');
    assert.match(error?.error, /half-written.*one of validate, mutate, generate or verifyImages is required/);
    assert.equal((await verdict('reload-2')).allowed, false, 'the old set still denies');
    assert.equal(running.store.current?.policies.length, 2);

    // Fixing the file brings the directory back.
    await rm(join(policyDir, 'half-written.yaml'));
    await rm(join(policyDir, 'require-team-label.yaml'));
    await until('the Enforce policy to go', async () =>
      (await verdict('reload-3')).allowed ? true : undefined,
    );
  });
});

describe('serve: failure policy, slow and idle clients', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  const webhooks: Webhook[] = [];
  let ca: string;
  const start = async (failurePolicy: 'Fail' | 'Ignore', policies: string) => {
    const store = new PolicyStore({ paths: [policies], packs: [] });
    await store.load();
    const webhook = await startWebhook(
      {
        store,
        metrics: new ServeMetrics(false),
        namespaceLabels: await loadNamespaceLabels(undefined),
        tls: { cert: join(tmp.path, 'tls.crt'), key: join(tmp.path, 'tls.key') },
        failurePolicy,
        headersTimeoutMs: 500,
        requestTimeoutMs: 1000,
        handshakeTimeoutMs: 1000,
      },
      { host: '127.0.0.1', port: 0 },
    );
    webhooks.push(webhook);
    return webhook;
  };

  before(async () => {
    tmp = await tempDir();
    const certs = generateCertificates({
      dnsNames: ['rampart-webhook.rampart.svc'],
      ipAddresses: ['127.0.0.1'],
    });
    await writeCertificates(tmp.path, certs);
    ca = certs.caCert;
    await mkdir(join(tmp.path, 'broken'));
    // Evaluates, then fails at run time: divide by zero in a JMESPath expression.
    await writeFile(
      join(tmp.path, 'broken', 'broken-lookup.yaml'),
      `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: broken-lookup}
spec:
  validationFailureAction: Enforce
  rules:
    - name: divide
      match: {any: [{resources: {kinds: [Pod]}}]}
      validate:
        message: never shown
        deny:
          conditions:
            any:
              - {key: "{{ divide(\`1\`, \`0\`) }}", operator: Equals, value: 1}
`,
    );
  });
  after(async () => {
    for (const w of webhooks) await w.shutdown(100);
    await tmp.cleanup();
  });

  test('an evaluation error denies under failurePolicy Fail and allows with a warning under Ignore', async () => {
    const fail = await start('Fail', join(tmp.path, 'broken'));
    const ignore = await start('Ignore', join(tmp.path, 'broken'));
    const body = JSON.stringify(compliantPod('eval-error'));
    const denied = (await post(`${fail.url}/validate`, ca, body)).json().response;
    assert.equal(denied.allowed, false);
    assert.equal(denied.uid, 'eval-error');
    assert.match(denied.status.message, /broken-lookup:\n {2}divide: .*Zero divisor/);
    const allowed = (await post(`${ignore.url}/validate`, ca, body)).json().response;
    assert.equal(allowed.allowed, true);
    assert.equal(allowed.warnings.length, 1);
    assert.match(allowed.warnings[0], /^policy broken-lookup\.divide: evaluation error: .*Zero divisor/);
  });

  test('a client that stops in the middle of its body is answered 408 or disconnected', async () => {
    const webhook = await start('Fail', POLICIES);
    const { port } = new URL(webhook.url);
    const body = JSON.stringify(compliantPod('slow-body'));
    let answer = '';
    const closed = await new Promise<boolean>((resolve) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: Number(port), ca }, () => {
        socket.write(
          `POST /validate HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`,
        );
        socket.write(body.slice(0, 100)); // and the rest never comes
      });
      socket.on('error', () => {});
      socket.on('data', (d) => (answer += d));
      socket.on('close', () => resolve(true));
      setTimeout(() => resolve(false), 8000).unref();
    });
    assert.equal(closed, true, 'the server closed the connection');
    assert.ok(answer === '' || /^HTTP\/1\.1 408 /.test(answer), answer);
    assert.equal((await get(`${webhook.url}/healthz`, ca)).status, 200);
  });

  test('2,000 idle connections: the server keeps answering, memory stays bounded, and it drops them', async () => {
    const webhook = await start('Fail', POLICIES);
    const { port } = new URL(webhook.url);
    const rssBefore = process.memoryUsage().rss;
    const closedByServer: Promise<void>[] = [];
    const sockets = await Promise.all(
      Array.from(
        { length: 2000 },
        () =>
          new Promise<ReturnType<typeof tcpConnect>>((resolve, reject) => {
            const socket = tcpConnect({ host: '127.0.0.1', port: Number(port) }, () => resolve(socket));
            socket.once('error', reject);
            closedByServer.push(new Promise<void>((closed) => socket.once('close', () => closed())));
          }),
      ),
    );
    for (const s of sockets) s.on('error', () => {});
    // A review still gets through while they all sit there.
    const reply = await post(`${webhook.url}/validate`, ca, JSON.stringify(compliantPod('idle-1')));
    assert.equal(reply.status, 200);
    assert.equal(reply.json().response.uid, 'idle-1');
    const grown = process.memoryUsage().rss - rssBefore;
    assert.ok(
      grown < 150 * 1024 * 1024,
      `rss grew by ${Math.round(grown / 1048576)} MiB for 2,000 idle sockets`,
    );
    // Sockets that never complete a TLS handshake are dropped after the handshake timeout.
    const allClosed = await Promise.race([
      Promise.all(closedByServer).then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 10_000).unref()),
    ]);
    for (const s of sockets) s.destroy();
    assert.equal(allClosed, true, 'every idle connection was closed by the server');
    assert.equal((await get(`${webhook.url}/healthz`, ca)).status, 200);
  });

  test('a TLS connection that never sends a request is closed', async () => {
    const webhook = await start('Fail', POLICIES);
    const { port } = new URL(webhook.url);
    const closed = await new Promise<boolean>((resolve) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: Number(port), ca });
      socket.on('error', () => {});
      socket.resume(); // read, or the end of the stream is never seen
      socket.on('close', () => resolve(true));
      setTimeout(() => {
        socket.destroy();
        resolve(false);
      }, 8000).unref();
    });
    assert.equal(closed, true);
  });
});
