import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { KubeClient } from '../../src/kube/client.js';
import { copy } from '../../src/podcp/copy.js';
import { CopyError, EXIT_NOT_FOUND, EXIT_TOOLS } from '../../src/podcp/errors.js';
import { LocalSide } from '../../src/podcp/local.js';
import { RemoteSide } from '../../src/podcp/remote.js';
import { tempDir } from '../helpers/index.js';
import { FakeApiServer } from '../kube/fake-apiserver.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function makeTree(root: string): Promise<Buffer> {
  const big = randomBytes(6 * 1024 * 1024);
  await mkdir(join(root, 'tree', 'sub', 'deeper'), { recursive: true });
  await writeFile(join(root, 'tree', 'big.bin'), big);
  await writeFile(join(root, 'tree', 'run.sh'), '#!/bin/sh\necho hi\n');
  await chmod(join(root, 'tree', 'run.sh'), 0o755);
  await writeFile(join(root, 'tree', 'secret'), 'k');
  await chmod(join(root, 'tree', 'secret'), 0o600);
  await writeFile(join(root, 'tree', 'empty'), '');
  await writeFile(join(root, 'tree', 'sub', 'deeper', 'note.txt'), 'deep\n');
  await symlink('sub/deeper/note.txt', join(root, 'tree', 'link'));
  return big;
}

async function assertTree(root: string, big: Buffer): Promise<void> {
  assert.equal(sha(await readFile(join(root, 'big.bin'))), sha(big));
  assert.equal((await stat(join(root, 'run.sh'))).mode & 0o777, 0o755);
  assert.equal((await stat(join(root, 'secret'))).mode & 0o777, 0o600);
  assert.equal((await stat(join(root, 'empty'))).size, 0);
  assert.equal(await readFile(join(root, 'sub', 'deeper', 'note.txt'), 'utf8'), 'deep\n');
  assert.ok((await lstat(join(root, 'link'))).isSymbolicLink());
  assert.equal(await readlink(join(root, 'link')), 'sub/deeper/note.txt');
}

describe('rampart cp engine through the fake API server (real tar in the "container")', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let fake: FakeApiServer;
  let client: KubeClient;
  let podRoot: string;
  let big: Buffer;
  const remote = (pod = 'app') => new RemoteSide({ client, pod, namespace: 'default' });
  before(async () => {
    tmp = await tempDir('rampart-cp-');
    fake = await FakeApiServer.start();
    podRoot = fake.addPod('app');
    fake.addPod('other');
    client = KubeClient.fromOptions({ kubeconfig: fake.writeKubeconfig(tmp.path), env: {} });
    big = await makeTree(podRoot);
  });
  after(async () => {
    await fake.close();
    await tmp.cleanup();
  });

  test('downloads a directory with modes and symlinks, and verifies it', async () => {
    const dest = join(tmp.path, 'down');
    let moved = 0;
    const report = await copy(remote(), 'tree', new LocalSide(), dest, { onBytes: (n) => (moved += n) });
    await assertTree(dest, big);
    assert.equal(report.verified, true);
    assert.equal(report.files, 5);
    assert.equal(moved, report.bytes);
    assert.ok(
      fake.execs.some((e) => e.command.join(' ').includes('tar czf')),
      'used gzip',
    );
  });

  test('uploads a directory into an existing remote directory', async () => {
    await mkdir(join(podRoot, 'incoming'));
    const report = await copy(new LocalSide(), join(tmp.path, 'down'), remote(), 'incoming');
    await assertTree(join(podRoot, 'incoming', 'down'), big);
    assert.equal(report.verified, true);
  });

  test('pod to pod, streamed without a local copy', async () => {
    await copy(remote('app'), 'tree', remote('other'), 'copied');
    await assertTree(join(fake.podRoot('other'), 'copied'), big);
  });

  test('a broken download resumes per file and verifies', async () => {
    let broke = 0;
    fake.scenario.onExec = (ctx) => {
      if (ctx.command.join(' ').includes('tar c') && broke === 0) {
        broke++;
        return { breakAfterStdoutBytes: 2 * 1024 * 1024 };
      }
      return undefined;
    };
    try {
      const logs: string[] = [];
      const report = await copy(remote(), 'tree', new LocalSide(), join(tmp.path, 'resumed'), {
        log: (m) => logs.push(m),
      });
      assert.equal(report.resumed, 1);
      assert.match(logs.join('\n'), /resuming/);
      await assertTree(join(tmp.path, 'resumed'), big);
      assert.ok(
        fake.execs.some((e) => e.command.join(' ').includes('tail -c')),
        'continued the partial file',
      );
    } finally {
      fake.scenario.onExec = undefined;
    }
  });

  test('a broken upload resumes and verifies', async () => {
    let broke = 0;
    fake.scenario.onExec = (ctx) => {
      if (ctx.command.join(' ').includes('tar x') && broke === 0) {
        broke++;
        return { breakAfterStdinBytes: 3 * 1024 * 1024 };
      }
      return undefined;
    };
    try {
      const report = await copy(new LocalSide(), join(tmp.path, 'down'), remote(), 'up-resumed', {
        compress: false,
      } as never);
      assert.equal(report.resumed, 1);
      await assertTree(join(podRoot, 'up-resumed'), big);
    } finally {
      fake.scenario.onExec = undefined;
    }
  });

  test('remote globs match files; shell syntax in the pattern stays inert', async () => {
    await mkdir(join(podRoot, 'logs'));
    await writeFile(join(podRoot, 'logs', 'a.log'), 'a');
    await writeFile(join(podRoot, 'logs', 'b.log'), 'b');
    await writeFile(join(podRoot, 'logs', 'c.txt'), 'c');
    const dest = join(tmp.path, 'globbed');
    await mkdir(dest);
    await copy(remote(), 'logs/*.log', new LocalSide(), dest);
    assert.equal(await readFile(join(dest, 'a.log'), 'utf8'), 'a');
    assert.equal(await readFile(join(dest, 'b.log'), 'utf8'), 'b');
    await assert.rejects(lstat(join(dest, 'c.txt')));
    await assert.rejects(
      copy(remote(), 'logs/$(touch pwned)*.log', new LocalSide(), dest),
      (e: unknown) => e instanceof CopyError && e.exitCode === EXIT_NOT_FOUND,
    );
    await assert.rejects(lstat(join(podRoot, 'logs', 'pwned')));
    await assert.rejects(lstat(join(podRoot, 'pwned')));
  });

  test('a missing remote path exits with the not-found code', async () => {
    await assert.rejects(
      copy(remote(), 'no/such/file', new LocalSide(), join(tmp.path, 'x')),
      (e: unknown) => e instanceof CopyError && e.exitCode === EXIT_NOT_FOUND,
    );
  });
});

describe('rampart cp without tar in the container (cat/head fallback)', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let fake: FakeApiServer;
  let client: KubeClient;
  let podRoot: string;
  let big: Buffer;
  before(async () => {
    tmp = await tempDir('rampart-cp-notar-');
    // A PATH holding every tool the fallback uses, but no tar.
    const bin = join(tmp.path, 'bin');
    await mkdir(bin);
    for (const tool of [
      'sh',
      'find',
      'stat',
      'head',
      'tail',
      'cat',
      'sha256sum',
      'mkdir',
      'chmod',
      'ln',
      'rm',
      'readlink',
      'dirname',
    ]) {
      await symlink(
        (await import('node:child_process'))
          .execFileSync('sh', ['-c', `command -v ${tool}`])
          .toString()
          .trim(),
        join(bin, tool),
      );
    }
    fake = await FakeApiServer.start({ onExec: () => ({ env: { PATH: bin } }) });
    podRoot = fake.addPod('slim');
    client = KubeClient.fromOptions({ kubeconfig: fake.writeKubeconfig(tmp.path), env: {} });
    big = await makeTree(podRoot);
  });
  after(async () => {
    await fake.close();
    await tmp.cleanup();
  });

  test('downloads and uploads a tree file by file', async () => {
    const side = new RemoteSide({ client, pod: 'slim', namespace: 'default' });
    assert.equal((await side.probe()).has('tar'), false);
    await copy(side, 'tree', new LocalSide(), join(tmp.path, 'down'));
    await assertTree(join(tmp.path, 'down'), big);
    await copy(new LocalSide(), join(tmp.path, 'down'), side, 'back');
    await assertTree(join(podRoot, 'back'), big);
  });

  test('a container without sh is a clear tools error', async () => {
    fake.scenario.onExec = () => ({ env: { PATH: join(tmp.path, 'empty-path') } });
    try {
      await assert.rejects(
        copy(
          new RemoteSide({ client, pod: 'slim', namespace: 'default' }),
          'tree',
          new LocalSide(),
          join(tmp.path, 'y'),
        ),
        (e: unknown) => e instanceof CopyError && e.exitCode === EXIT_TOOLS && /no shell/.test(e.message),
      );
    } finally {
      fake.scenario.onExec = undefined;
    }
  });
});
