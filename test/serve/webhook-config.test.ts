import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { fixture, runRampart, tempDir } from '../helpers/index.js';

/** `rampart serve webhook-config` as a user runs it: real policy files, real certificates, real openssl. */

const POLICIES = fixture('serve', 'fixtures', 'policies');

function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function docs(stdout: string): any[] {
  return parseAllDocuments(stdout).map((d) => d.toJS());
}

function rule(hook: any, resource: string): any {
  return hook.rules.find((r: any) => r.resources.includes(resource));
}

describe('serve webhook-config', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    tmp = await tempDir();
  });
  after(async () => tmp.cleanup());

  test('--tls-generate writes a CA and a serving certificate that openssl verifies, with the Service names and 127.0.0.1', async () => {
    const dir = join(tmp.path, 'tls');
    const result = await runRampart([
      'serve',
      'webhook-config',
      '--service',
      'guard/rampart-webhook',
      '--policy',
      POLICIES,
      '--tls-generate',
      dir,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(openssl('verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'tls.crt')), /tls\.crt: OK/);
    const sans = openssl('x509', '-in', join(dir, 'tls.crt'), '-noout', '-ext', 'subjectAltName');
    for (const name of [
      'DNS:rampart-webhook',
      'DNS:rampart-webhook.guard',
      'DNS:rampart-webhook.guard.svc',
      'DNS:rampart-webhook.guard.svc.cluster.local',
      'IP Address:127.0.0.1',
    ])
      assert.ok(sans.includes(name), `${name} in ${sans}`);
    assert.match(
      openssl('x509', '-in', join(dir, 'tls.crt'), '-noout', '-ext', 'extendedKeyUsage'),
      /TLS Web Server Authentication/,
    );
    assert.match(
      openssl('x509', '-in', join(dir, 'ca.crt'), '-noout', '-ext', 'basicConstraints'),
      /CA:TRUE/,
    );
    // The key matches the certificate.
    const certKey = openssl('x509', '-in', join(dir, 'tls.crt'), '-noout', '-pubkey');
    const keyPub = openssl('pkey', '-in', join(dir, 'tls.key'), '-pubout');
    assert.equal(certKey, keyPub);

    const caBundle = readFileSync(join(dir, 'ca.crt')).toString('base64');
    for (const config of docs(result.stdout))
      for (const hook of config.webhooks) assert.equal(hook.clientConfig.caBundle, caBundle);

    // A second run reuses the files: the caBundle in the cluster stays valid.
    const again = await runRampart(['serve', 'webhook-config', '--policy', POLICIES, '--tls-generate', dir]);
    assert.equal(docs(again.stdout)[0].webhooks[0].clientConfig.caBundle, caBundle);
  });

  test('webhooks derived from the policies: Fail for Enforce, Ignore for Audit-only, the settings kube-apiserver needs', async () => {
    const result = await runRampart([
      'serve',
      'webhook-config',
      '--service',
      'guard/rampart-webhook',
      '--service-account',
      'rampart-sa',
      '--policy',
      POLICIES,
      '--timeout-seconds',
      '5',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const [validating, mutating] = docs(result.stdout);
    assert.equal(validating.kind, 'ValidatingWebhookConfiguration');
    assert.equal(mutating.kind, 'MutatingWebhookConfiguration');
    const [fail, ignore] = validating.webhooks;
    assert.equal(fail.failurePolicy, 'Fail');
    assert.equal(ignore.failurePolicy, 'Ignore');
    assert.equal(mutating.webhooks[0].clientConfig.service.path, '/mutate');
    for (const hook of [fail, ignore, mutating.webhooks[0]]) {
      assert.equal(hook.sideEffects, 'None');
      assert.deepEqual(hook.admissionReviewVersions, ['v1']);
      assert.equal(hook.timeoutSeconds, 5);
      assert.deepEqual(hook.clientConfig.service, {
        namespace: 'guard',
        name: 'rampart-webhook',
        path: hook === mutating.webhooks[0] ? '/mutate' : '/validate',
        port: 443,
      });
      assert.deepEqual(hook.namespaceSelector, {
        matchExpressions: [
          { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'guard'] },
        ],
      });
      assert.deepEqual(hook.matchConditions, [
        {
          name: 'exclude-rampart-serviceaccount',
          expression: "request.userInfo.username != 'system:serviceaccount:guard:rampart-sa'",
        },
      ]);
    }
    // Enforce: require-team-label (Pod CREATE/UPDATE, autogen on controllers), protect-deletes (DELETE),
    // deny-exec-in-prod (Pod/exec, any operation: CONNECT is what exec sends).
    assert.deepEqual(rule(fail, 'pods/exec'), {
      apiGroups: [''],
      apiVersions: ['*'],
      operations: ['CONNECT', 'CREATE', 'DELETE', 'UPDATE'],
      resources: ['pods/exec'],
      scope: '*',
    });
    const podRules = fail.rules.filter((r: any) => r.apiGroups[0] === '' && r.resources.includes('pods'));
    assert.deepEqual(podRules.map((r: any) => r.operations).sort(), [['CREATE', 'UPDATE'], ['DELETE']]);
    assert.ok(fail.rules.some((r: any) => r.apiGroups[0] === 'apps' && r.resources.includes('deployments')));
    // Audit-only (audit-run-as-non-root, no operations given): never CONNECT on a plain resource.
    assert.deepEqual(rule(ignore, 'pods').operations, ['CREATE', 'DELETE', 'UPDATE']);
    assert.equal(rule(ignore, 'pods/exec'), undefined);
    // Mutate: add-default-labels on Pod CREATE only.
    assert.deepEqual(rule(mutating.webhooks[0], 'pods').operations, ['CREATE']);
    assert.equal(mutating.webhooks[0].reinvocationPolicy, 'IfNeeded');
  });

  test('Audit-only policies give one Ignore webhook; a policy on every kind keeps Leases and Events away', async () => {
    const dir = join(tmp.path, 'audit-only');
    await mkdir(dir, { recursive: true });
    await copyFile(join(POLICIES, 'audit-run-as-non-root.yaml'), join(dir, 'audit.yaml'));
    await writeFile(
      join(dir, 'every-kind.yaml'),
      `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: audit-owner-label}
spec:
  validationFailureAction: Audit
  rules:
    - name: owner
      match: {any: [{resources: {kinds: ["*"]}}]}
      validate: {message: owner label, pattern: {metadata: {labels: {owner: "?*"}}}}
`,
    );
    const result = await runRampart(['serve', 'webhook-config', '--policy', dir]);
    assert.equal(result.code, 0, result.stderr);
    const configs = docs(result.stdout);
    assert.deepEqual(
      configs.map((c) => c.kind),
      ['ValidatingWebhookConfiguration'],
    );
    const hooks = configs[0].webhooks;
    assert.deepEqual(
      hooks.map((h: any) => [h.name, h.failurePolicy]),
      [['validate-ignore.rampart-webhook.rampart.dev', 'Ignore']],
    );
    assert.deepEqual(rule(hooks[0], '*/*').apiGroups, ['*']);
    assert.deepEqual(
      hooks[0].matchConditions.map((c: any) => c.name),
      ['exclude-rampart-serviceaccount', 'exclude-leases', 'exclude-events'],
    );
    // The namespace defaults to the Service's: rampart.
    assert.deepEqual(hooks[0].namespaceSelector.matchExpressions[0].values, ['kube-system', 'rampart']);
  });

  test('usage errors exit 2 with a message', async () => {
    const noPolicy = await runRampart(['serve', 'webhook-config']);
    assert.equal(noPolicy.code, 2);
    assert.match(noPolicy.stderr, /at least one --policy or --pack/);
    const badService = await runRampart(['serve', 'webhook-config', '--policy', POLICIES, '--service', 'x']);
    assert.equal(badService.code, 2);
    assert.match(badService.stderr, /--service must be NAMESPACE\/NAME/);
  });
});
