import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connect } from 'node:tls';
import fastJsonPatch from 'fast-json-patch';
import { generateCertificates, writeCertificates } from '../../src/serve/certificates.js';
import { ServeMetrics } from '../../src/serve/metrics.js';
import { loadNamespaceLabels } from '../../src/serve/namespace-labels.js';
import { PolicyStore } from '../../src/serve/policy-set.js';
import { startWebhook, type Webhook } from '../../src/serve/server.js';
import { fixture, tempDir } from '../helpers/index.js';
import { DOCS_SCALE, get, POD_CREATE, POD_DELETE, POD_EXEC, post, review } from './client.js';

describe('serve/server: admission webhook over real HTTPS on 127.0.0.1', () => {
  let webhook: Webhook;
  let ca: string;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  const logs: Record<string, any>[] = [];
  const send = (path: string, body: unknown) => post(`${webhook.url}${path}`, ca, JSON.stringify(body));

  before(async () => {
    tmp = await tempDir();
    const certs = generateCertificates({
      dnsNames: ['rampart-webhook.rampart.svc'],
      ipAddresses: ['127.0.0.1'],
    });
    await writeCertificates(tmp.path, certs);
    ca = certs.caCert;
    const store = new PolicyStore({ paths: [fixture('serve', 'fixtures', 'policies')], packs: [] });
    await store.load();
    webhook = await startWebhook(
      {
        store,
        metrics: new ServeMetrics(),
        namespaceLabels: await loadNamespaceLabels(fixture('serve', 'fixtures', 'namespaces.yaml')),
        tls: { cert: `${tmp.path}/tls.crt`, key: `${tmp.path}/tls.key` },
        log: (e) => logs.push(e),
        headersTimeoutMs: 500,
        requestTimeoutMs: 1000,
      },
      { host: '127.0.0.1', port: 0 },
    );
  });
  after(async () => {
    await webhook.shutdown(100);
    await tmp.cleanup();
  });

  test('allows a compliant Pod and echoes request.uid', async () => {
    const r = review(POD_CREATE);
    r.request.object.metadata.labels.team = 'a';
    r.request.object.spec.securityContext = { runAsNonRoot: true };
    const reply = await send('/validate', r);
    assert.equal(reply.status, 200);
    const body = reply.json();
    assert.equal(body.apiVersion, 'admission.k8s.io/v1');
    assert.equal(body.kind, 'AdmissionReview');
    assert.deepEqual(body.response, { uid: r.request.uid, allowed: true });
  });

  test('denies an Enforce failure with a Kyverno-style message, and warns Audit failures', async () => {
    const reply = await send('/validate', review(POD_CREATE));
    const { response } = reply.json();
    assert.equal(response.allowed, false);
    assert.equal(response.status.code, 403);
    assert.equal(response.status.reason, 'Forbidden');
    assert.match(
      response.status.message,
      /^resource Pod\/team-a\/web was blocked due to the following policies\n\nrequire-team-label:\n {2}check-team: validation error: label 'team' is required/,
    );
    assert.equal(response.warnings.length, 1);
    assert.match(response.warnings[0], /^policy audit-run-as-non-root\.run-as-non-root: validation error/);
    const line = logs.find((l) => l.uid === review(POD_CREATE).request.uid);
    assert.equal(line?.msg, 'admission denied');
    assert.equal(line?.user, 'system:serviceaccount:kube-system:replicaset-controller');
  });

  test('allows an Audit-only failure with warnings', async () => {
    const r = review(POD_CREATE);
    r.request.uid = 'warned-1';
    r.request.object.metadata.labels.team = 'a';
    const { response } = (await send('/validate', r)).json();
    assert.equal(response.allowed, true);
    assert.deepEqual(response.warnings, [
      'policy audit-run-as-non-root.run-as-non-root: validation error: runAsNonRoot should be true. rule run-as-non-root failed at path /spec/securityContext/runAsNonRoot/',
    ]);
    assert.equal(logs.find((l) => l.uid === 'warned-1')?.msg, 'admission warned');
  });

  test('mutates with a base64 JSONPatch that applies cleanly to the object (RFC 6902)', async () => {
    const r = review(POD_CREATE);
    const { response } = (await send('/mutate', r)).json();
    assert.equal(response.allowed, true, 'the mutating endpoint does not validate');
    assert.equal(response.patchType, 'JSONPatch');
    const patch = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'));
    assert.ok(Array.isArray(patch) && patch.length > 0);
    const errors = fastJsonPatch.validate(patch, r.request.object);
    assert.equal(errors, undefined);
    const patched = fastJsonPatch.applyPatch(structuredClone(r.request.object), patch).newDocument;
    assert.equal(patched.metadata.labels['managed-by'], 'rampart');
    assert.equal(patched.metadata.labels.app, 'web');
    assert.equal(patched.spec.containers[0].securityContext.allowPrivilegeEscalation, false);
    assert.equal(patched.spec.containers[0].image, 'nginx:1.27');
  });

  test('an object already mutated gets no patch', async () => {
    const r = review(POD_CREATE);
    r.request.object.metadata.labels['managed-by'] = 'someone';
    r.request.object.spec.containers[0].securityContext = { allowPrivilegeEscalation: true };
    const { response } = (await send('/mutate', r)).json();
    assert.equal(response.allowed, true);
    assert.equal(response.patch, undefined);
  });

  test('dryRun requests get the same decision, logged as dryRun', async () => {
    const r = review(POD_CREATE);
    r.request.uid = 'dry-1';
    r.request.dryRun = true;
    const dry = (await send('/validate', r)).json().response;
    const wet = (await send('/validate', review(POD_CREATE))).json().response;
    assert.equal(dry.uid, 'dry-1');
    assert.deepEqual({ ...dry, uid: '' }, { ...wet, uid: '' });
    assert.equal(logs.find((l) => l.uid === 'dry-1')?.dryRun, true);
  });

  test('DELETE evaluates oldObject and userInfo', async () => {
    const r = review(POD_DELETE);
    const { response } = (await send('/validate', r)).json();
    assert.equal(response.allowed, false);
    assert.match(
      response.status.message,
      /protect-deletes:\n {2}block-protected-delete: jane may not delete protected pod web/,
    );
    r.request.oldObject.metadata.labels.protected = 'false';
    assert.equal((await send('/validate', r)).json().response.allowed, true);
  });

  test('pods/exec (CONNECT) matches Pod/exec with namespace labels from the file', async () => {
    const prod = review(POD_EXEC);
    const denied = (await send('/validate', prod)).json().response;
    assert.equal(denied.allowed, false);
    assert.match(denied.status.message, /^resource Pod\/exec\/team-a\/web was blocked/);
    assert.match(denied.status.message, /deny-exec-in-prod:\n {2}no-exec: exec into pods is not allowed/);
    const dev = review(POD_EXEC);
    dev.request.namespace = 'team-b';
    assert.equal((await send('/validate', dev)).json().response.allowed, true);
  });

  test('v1beta1 reviews are answered in v1beta1; the Kubernetes docs example (Scale) is allowed', async () => {
    const beta = review(DOCS_SCALE);
    beta.apiVersion = 'admission.k8s.io/v1beta1';
    const body = (await send('/validate', beta)).json();
    assert.equal(body.apiVersion, 'admission.k8s.io/v1beta1');
    assert.deepEqual(body.response, { uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true });
  });

  test('bad input is a 4xx with a reason, and the server keeps serving', async () => {
    const url = `${webhook.url}/validate`;
    const cases: [string, string | Buffer, number, RegExp, string?][] = [
      ['malformed JSON', '{"apiVersion": ', 400, /malformed JSON/],
      ['wrong content type', JSON.stringify(review(POD_CREATE)), 415, /application\/json/, 'text/plain'],
      [
        'wrong apiVersion',
        JSON.stringify({ ...review(POD_CREATE), apiVersion: 'admission.k8s.io/v2' }),
        400,
        /apiVersion/,
      ],
      [
        'wrong kind',
        JSON.stringify({ ...review(POD_CREATE), kind: 'Pod' }),
        400,
        /kind must be AdmissionReview/,
      ],
      [
        'missing request',
        JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }),
        400,
        /request is missing/,
      ],
      ['a JSON array', '[]', 400, /JSON object/],
    ];
    for (const [name, body, status, message, type] of cases) {
      const reply = await post(url, ca, body, { contentType: type });
      assert.equal(reply.status, status, name);
      assert.match(reply.json().error, message, name);
    }
    const notObject = review(POD_CREATE);
    notObject.request.object = 'a string';
    const reply = await send('/validate', notObject);
    assert.equal(reply.status, 400);
    assert.match(reply.json().error, /request\.object must be an object/);
    assert.equal((await get(`${webhook.url}/nope`, ca)).status, 404);
    assert.equal((await get(`${webhook.url}/validate`, ca)).status, 405);
  });

  test('a body over 3 MiB is refused (413 or closed), never buffered', async () => {
    const big = JSON.stringify({ ...review(POD_CREATE), padding: 'x'.repeat(3 * 1024 * 1024 + 10) });
    try {
      const reply = await post(`${webhook.url}/validate`, ca, big);
      assert.equal(reply.status, 413);
    } catch (error) {
      assert.match((error as NodeJS.ErrnoException).code ?? '', /ECONNRESET|EPIPE/);
    }
    assert.equal((await get(`${webhook.url}/healthz`, ca)).status, 200);
  });

  test('a client that never finishes its headers is disconnected', async () => {
    let answer = '';
    const closed = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: Number(new URL(webhook.url).port), ca }, () => {
        socket.write('POST /validate HTTP/1.1\r\nHost: x\r\n'); // and nothing more
      });
      socket.on('error', () => {});
      socket.on('data', (d) => (answer += d));
      socket.on('close', () => resolve(true));
      setTimeout(() => resolve(false), 5000).unref();
    });
    assert.equal(closed, true);
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.equal((await get(`${webhook.url}/healthz`, ca)).status, 200);
  });

  test('/healthz, /readyz and /metrics with Kyverno metric names and labels', async () => {
    assert.equal((await get(`${webhook.url}/healthz`, ca)).body, 'ok\n');
    assert.equal((await get(`${webhook.url}/readyz`, ca)).status, 200);
    const metrics = (await get(`${webhook.url}/metrics`, ca)).body;
    assert.match(
      metrics,
      /kyverno_admission_requests_total\{resource_kind="Pod",resource_namespace="team-a",resource_request_operation="create",request_allowed="false"\} \d+/,
    );
    assert.match(metrics, /kyverno_admission_review_duration_seconds_bucket\{le="0\.005",/);
    assert.match(
      metrics,
      /kyverno_policy_results_total\{policy_validation_mode="enforce",policy_type="cluster",policy_background_mode="true",policy_name="require-team-label",policy_namespace="-",resource_kind="Pod",resource_namespace="team-a",resource_request_operation="create",rule_name="check-team",rule_result="fail",rule_type="validate",rule_execution_cause="admission_request"\} \d+/,
    );
    assert.match(
      metrics,
      /kyverno_policy_execution_duration_seconds_count\{[^}]*policy_name="protect-deletes"/,
    );
    assert.match(metrics, /rampart_admission_bad_requests_total\{code="415"\} 1/);
    assert.match(metrics, /process_cpu_user_seconds_total/);
  });
});
