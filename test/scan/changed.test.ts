import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runRampart, tempDir } from '../helpers/index.js';

const pod = (name: string, ns: string, tag: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  containers:
    - name: ${name}
      image: registry.example.com/${name}:${tag}
`;

const namespace = (ns: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: ${ns}
  labels: {team: ${ns}}
`;

describe('rampart scan --changed-since (real git, real CLI)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir });

  before(async () => {
    ({ path: dir, cleanup } = await tempDir('rampart-changed-'));
    for (const ns of ['a', 'b']) {
      await mkdir(join(dir, ns), { recursive: true });
      await writeFile(join(dir, ns, 'namespace.yaml'), namespace(ns));
      await writeFile(join(dir, ns, 'app.yaml'), pod(`app-${ns}`, ns, 'latest'));
    }
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'base');
    // One changed file in namespace a, one new (untracked) file in namespace a.
    await writeFile(join(dir, 'a', 'app.yaml'), pod('app-a', 'a', '1.0.0'));
    await writeFile(join(dir, 'a', 'new.yaml'), pod('new-a', 'a', 'latest'));
  });
  after(() => cleanup());

  test('only documents of changed files are evaluated; namespace rules only for their namespaces', async () => {
    const r = await runRampart(['scan', dir, '--changed-since', 'HEAD', '-o', 'json']);
    const results = JSON.parse(r.stdout).results as any[];
    const names = new Set(results.map((x) => `${x.resource.kind}/${x.resource.name}`));
    assert.ok(names.has('Pod/new-a'), 'the untracked file is scanned');
    assert.ok(names.has('Pod/app-a'), 'the modified file is scanned');
    assert.ok(!names.has('Pod/app-b'), 'an unchanged file is not');
    assert.ok(names.has('Namespace/a'), 'namespace rules for the changed namespace');
    assert.ok(!names.has('Namespace/b'), 'no namespace findings for untouched namespaces');
    assert.ok(!results.some((x) => x.policy === 'disallow-latest-tag' && x.resource.name === 'app-a'));
    assert.match(
      r.stderr,
      /Only what changed since HEAD: 2 document\(s\) in 2 changed file\(s\) evaluated; all 5 documents read/,
    );
  });

  test('the table footer says so; an unknown ref is a usage error', async () => {
    const r = await runRampart(['scan', dir, '--changed-since', 'HEAD']);
    assert.match(r.stdout, /^Only what changed since HEAD: /m);
    const bad = await runRampart(['scan', dir, '--changed-since', 'no-such-ref']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--changed-since no-such-ref: not a commit/);
  });
});
