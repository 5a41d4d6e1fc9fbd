import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { runRampart, tempDir } from '../helpers/index.js';
import { FakeApiServer } from '../kube/fake-apiserver.js';
import { CORE_TYPES } from '../kube/fake-objects.js';
import { POLICIES, seedCluster } from '../kube/report-fixtures.js';

describe('rampart report (CLI) against the fake API server', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let fake: FakeApiServer;
  let kubeconfig: string;
  let policies: string;
  const writes = () => fake.requests.filter((r) => ['POST', 'PUT', 'DELETE', 'PATCH'].includes(r.method));

  before(async () => {
    tmp = await tempDir('rampart-report-cli-');
    policies = join(tmp.path, 'policies.yaml');
    await writeFile(policies, POLICIES);
    fake = await FakeApiServer.start({ types: CORE_TYPES, token: 'right' });
    seedCluster(fake);
    kubeconfig = fake.writeKubeconfig(tmp.path);
  });
  after(async () => {
    await fake.close();
    await tmp.cleanup();
  });

  test('--dry-run prints the reports (yaml, json) and writes nothing', async () => {
    const yaml = await runRampart(['report', '--kubeconfig', kubeconfig, '-p', policies, '--dry-run']);
    assert.equal(yaml.code, 0, yaml.stderr);
    const docs = parseAllDocuments(yaml.stdout).map((d) => d.toJSON());
    assert.deepEqual(
      docs.map((d) => `${d.kind} ${d.metadata.namespace ?? ''}`),
      ['ClusterPolicyReport ', 'PolicyReport team-a', 'PolicyReport team-b'],
    );
    assert.ok(docs.every((d) => d.apiVersion === 'wgpolicyk8s.io/v1alpha2'));
    assert.match(yaml.stderr, /dry run: nothing written/);

    const json = await runRampart([
      'report',
      '--kubeconfig',
      kubeconfig,
      '-p',
      policies,
      '--dry-run',
      '-o',
      'json',
    ]);
    assert.equal(json.code, 0, json.stderr);
    const list = JSON.parse(json.stdout);
    assert.equal(list.kind, 'List');
    assert.equal(list.items.length, 3);
    assert.deepEqual(writes(), []);
  });

  test('writes the reports once; a second run reports them unchanged', async () => {
    const first = await runRampart(['report', '--kubeconfig', kubeconfig, '-p', policies]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^created PolicyReport team-a\/rampart-policy-report$/m);
    assert.match(first.stdout, /^created ClusterPolicyReport rampart-cluster-policy-report$/m);
    const second = await runRampart(['report', '--kubeconfig', kubeconfig, '-p', policies, '-o', 'yaml']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /^unchanged PolicyReport team-a\/rampart-policy-report$/m);
    assert.equal(parse(second.stdout.split('---\n')[0]!).kind, 'ClusterPolicyReport');
    assert.equal(fake.objects.list('PolicyReport').length, 2);
  });

  test('built-in packs run in the background too', async () => {
    const r = await runRampart([
      'report',
      '--kubeconfig',
      kubeconfig,
      '--pack',
      'pod-security',
      '--dry-run',
      '-o',
      'json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const results = JSON.parse(r.stdout).items.flatMap((i: { results: unknown[] }) => i.results);
    assert.ok(results.length > 0);
  });

  test('rejected credentials: exit 1, naming the request and the cause', async () => {
    const wrong = join(tmp.path, 'wrong');
    await writeFile(
      wrong,
      (await import('node:fs')).readFileSync(kubeconfig, 'utf8').replace('token: right', 'token: wrong'),
    );
    const r = await runRampart(['report', '--kubeconfig', wrong, '-p', policies]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /discover the core API \(GET \/api\/v1\): Unauthorized \(the credentials in the kubeconfig were rejected\)/,
    );
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });

  test('an unreachable API server: exit 1, naming the address', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const dead = join(tmp.path, 'dead');
    await writeFile(
      dead,
      (await import('node:fs'))
        .readFileSync(kubeconfig, 'utf8')
        .replace(fake.url, `http://127.0.0.1:${port}`),
    );
    const r = await runRampart(['report', '--kubeconfig', dead, '-p', policies]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(`cannot reach the Kubernetes API server at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
    );
  });

  test('input mistakes exit 2: malformed kubeconfig (file:line:column), no policy, bad -o', async () => {
    const bad = join(tmp.path, 'bad-kubeconfig');
    await writeFile(
      bad,
      'apiVersion: v1\nkind: Config\nclusters:\n- name: x\n  cluster:\n    server: [oops\n',
    );
    const malformed = await runRampart(['report', '--kubeconfig', bad, '-p', policies]);
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, new RegExp(`${bad.replace(/[/.]/g, '\\$&')}:7:1: malformed kubeconfig: `));
    const none = await runRampart(['report', '--kubeconfig', kubeconfig]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /at least one --policy or --pack/);
    const output = await runRampart(['report', '--kubeconfig', kubeconfig, '-p', policies, '-o', 'table']);
    assert.equal(output.code, 2);
    assert.match(output.stderr, /--output must be one of yaml, json/);
  });
});
