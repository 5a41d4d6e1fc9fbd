import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { UserError } from '../../src/core/errors.js';
import { loadKubeConfig } from '../../src/kube/config.js';
import { tempDir } from '../helpers/index.js';

function kubeconfig(
  contexts: { name: string; server: string; namespace?: string }[],
  current?: string,
): string {
  const lines = ['apiVersion: v1', 'kind: Config'];
  if (current) lines.push(`current-context: ${current}`);
  lines.push('clusters:');
  for (const c of contexts) lines.push(`- name: ${c.name}-cluster`, '  cluster:', `    server: ${c.server}`);
  lines.push('users:');
  for (const c of contexts) lines.push(`- name: ${c.name}-user`, '  user:', `    token: token-${c.name}`);
  lines.push('contexts:');
  for (const c of contexts) {
    lines.push(
      `- name: ${c.name}`,
      '  context:',
      `    cluster: ${c.name}-cluster`,
      `    user: ${c.name}-user`,
    );
    if (c.namespace) lines.push(`    namespace: ${c.namespace}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('kube config selection (kubectl precedence)', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let first: string;
  let second: string;
  before(async () => {
    tmp = await tempDir('rampart-kubeconfig-');
    first = join(tmp.path, 'first.yaml');
    second = join(tmp.path, 'second.yaml');
    await writeFile(
      first,
      kubeconfig(
        [
          { name: 'dev', server: 'https://dev.example:6443', namespace: 'team-a' },
          { name: 'local', server: 'http://127.0.0.1:8001' },
        ],
        'dev',
      ),
    );
    await writeFile(
      second,
      kubeconfig([{ name: 'prod', server: 'https://prod.example:6443', namespace: 'ops' }], 'prod'),
    );
  });
  after(() => tmp.cleanup());

  test('--kubeconfig uses that file and its current-context and namespace', () => {
    const c = loadKubeConfig({ kubeconfig: first, env: {} });
    assert.equal(c.contextName, 'dev');
    assert.equal(c.server, 'https://dev.example:6443');
    assert.equal(c.namespace, 'team-a');
  });

  test('--context switches context; -n overrides the namespace; default is "default"', () => {
    const local = loadKubeConfig({ kubeconfig: first, context: 'local', env: {} });
    assert.equal(local.server, 'http://127.0.0.1:8001');
    assert.equal(local.namespace, 'default');
    const overridden = loadKubeConfig({ kubeconfig: first, namespace: 'other', env: {} });
    assert.equal(overridden.namespace, 'other');
  });

  test('an unknown --context is a user error naming the known contexts', () => {
    assert.throws(
      () => loadKubeConfig({ kubeconfig: first, context: 'nope', env: {} }),
      (e: unknown) => e instanceof UserError && /"nope" not found.*dev, local/.test(e.message),
    );
  });

  test('a missing --kubeconfig file is a user error', () => {
    assert.throws(() => loadKubeConfig({ kubeconfig: join(tmp.path, 'missing'), env: {} }), UserError);
  });

  test('KUBECONFIG merges existing files, skips missing ones, and the first current-context wins', () => {
    const env = { KUBECONFIG: [join(tmp.path, 'missing'), first, second].join(':') };
    const c = loadKubeConfig({ env });
    assert.equal(c.contextName, 'dev');
    assert.deepEqual(c.files, [first, second]);
    const prod = loadKubeConfig({ env, context: 'prod' });
    assert.equal(prod.server, 'https://prod.example:6443');
    assert.equal(prod.namespace, 'ops');
  });

  test('--kubeconfig takes precedence over KUBECONFIG', () => {
    const c = loadKubeConfig({ kubeconfig: second, env: { KUBECONFIG: first } });
    assert.equal(c.contextName, 'prod');
  });

  test('falls back to ~/.kube/config', async () => {
    const home = join(tmp.path, 'home');
    await mkdir(join(home, '.kube'), { recursive: true });
    await writeFile(
      join(home, '.kube', 'config'),
      kubeconfig([{ name: 'home', server: 'https://home:6443' }], 'home'),
    );
    const c = loadKubeConfig({ env: { HOME: home } });
    assert.equal(c.server, 'https://home:6443');
  });

  test('in-cluster: service host/port, token file and the namespace file', async () => {
    const sa = join(tmp.path, 'sa');
    await mkdir(sa, { recursive: true });
    await writeFile(join(sa, 'namespace'), 'gpu-system\n');
    await writeFile(join(sa, 'token'), 'sa-token');
    await writeFile(join(sa, 'ca.crt'), '');
    const c = loadKubeConfig({
      env: {
        HOME: join(tmp.path, 'nohome'),
        KUBERNETES_SERVICE_HOST: '10.96.0.1',
        KUBERNETES_SERVICE_PORT: '443',
      },
      serviceAccountDir: sa,
    });
    assert.equal(c.contextName, 'in-cluster');
    assert.equal(c.server, 'https://10.96.0.1:443');
    assert.equal(c.namespace, 'gpu-system');
  });

  test('no configuration at all is a clear user error', () => {
    assert.throws(
      () => loadKubeConfig({ env: { HOME: join(tmp.path, 'nohome') } }),
      (e: unknown) => e instanceof UserError && /no Kubernetes configuration/.test(e.message),
    );
  });
});
