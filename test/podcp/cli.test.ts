import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runRampart, tempDir } from '../helpers/index.js';
import { FakeApiServer } from '../kube/fake-apiserver.js';

describe('rampart cp CLI against the fake API server', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let fake: FakeApiServer;
  let kubeconfig: string;
  let root: string;
  before(async () => {
    tmp = await tempDir('rampart-cp-cli-');
    fake = await FakeApiServer.start();
    root = fake.addPod('web', { namespace: 'shop', containers: ['app', 'log'] });
    kubeconfig = fake.writeKubeconfig(tmp.path);
    await writeFile(join(root, 'conf.txt'), 'remote config\n');
  });
  after(async () => {
    await fake.close();
    await tmp.cleanup();
  });

  test('ns/pod:path download with -c, then upload back; summary says verified', async () => {
    const down = await runRampart([
      'cp',
      'shop/web:conf.txt',
      join(tmp.path, 'conf.txt'),
      '-c',
      'log',
      '--kubeconfig',
      kubeconfig,
    ]);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stderr, /copied 1 file\(s\).*sha256 verified/);
    assert.equal(await readFile(join(tmp.path, 'conf.txt'), 'utf8'), 'remote config\n');
    assert.ok(fake.execs.every((e) => e.container === 'log'));
    await mkdir(join(root, 'up'));
    const up = await runRampart([
      'cp',
      join(tmp.path, 'conf.txt'),
      'web:up/',
      '-n',
      'shop',
      '--kubeconfig',
      kubeconfig,
    ]);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(await readFile(join(root, 'up', 'conf.txt'), 'utf8'), 'remote config\n');
  });

  test('exit codes: 4 for a missing pod or path, 2 for usage', async () => {
    const noPod = await runRampart(['cp', 'shop/ghost:x', tmp.path, '--kubeconfig', kubeconfig]);
    assert.equal(noPod.code, 4, noPod.stderr);
    assert.match(noPod.stderr, /not found/);
    const noPath = await runRampart([
      'cp',
      'shop/web:missing.txt',
      join(tmp.path, 'm'),
      '--kubeconfig',
      kubeconfig,
    ]);
    assert.equal(noPath.code, 4, noPath.stderr);
    const usage = await runRampart(['cp', 'only-one']);
    assert.equal(usage.code, 2);
    const bothLocal = await runRampart(['cp', './a', './b', '--kubeconfig', kubeconfig]);
    assert.equal(bothLocal.code, 2);
    assert.doesNotMatch(bothLocal.stderr, /at .*\.js/);
  });
});
