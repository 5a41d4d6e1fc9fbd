import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { field, parseApkIndex } from '../../src/apk/apkindex.js';
import { buildPackage } from '../../src/apk/build.js';
import { publish } from '../../src/apk/publish.js';
import { parseIndexBuffer } from '../../src/apk/read.js';
import { loadSigningKey } from '../../src/apk/sign.js';
import { verifyIndex } from '../../src/apk/verify.js';
import { tempDir } from '../helpers/index.js';
import { opensslKey, stagingTree, type TestKey } from './support.js';

describe('apk publish', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let stage: string;
  let key: TestKey;
  before(async () => {
    tmp = await tempDir('rampart-apk-publish-');
    stage = await stagingTree(tmp.path);
    key = await opensslKey(tmp.path, 'pub');
  });
  after(() => tmp.cleanup());

  const make = async (dir: string, name: string, version: string, arch: string, epoch = 1) => {
    await mkdir(dir, { recursive: true });
    await buildPackage({ dir: stage, out: join(dir, `${name}-${version}.apk`), name, version, arch, epoch });
  };

  test('lays out ROOT/<branch>/<repo>/<arch>/ with one signed index per arch; noarch goes to every arch', async () => {
    const src = join(tmp.path, 'src1');
    await make(src, 'app', '1.0-r0', 'x86_64');
    await make(join(tmp.path, 'src-arm'), 'app', '1.0-r0', 'aarch64');
    await make(src, 'common', '3.1-r2', 'noarch');
    const root = join(tmp.path, 'repo');
    const keys = [loadSigningKey(key.privateKey)];
    await publish({ source: join(tmp.path, 'src-arm'), root, branch: 'v3.19', repo: 'internal-ops', keys });
    const r = await publish({
      source: src,
      root,
      branch: 'v3.19',
      repo: 'internal-ops',
      keys,
      arches: ['x86_64', 'aarch64'],
    });
    assert.equal(r.repoDir, join(root, 'v3.19', 'internal-ops'));
    assert.deepEqual((await readdir(r.repoDir)).sort(), ['aarch64', 'x86_64']);
    for (const arch of ['x86_64', 'aarch64']) {
      const dir = join(r.repoDir, arch);
      assert.deepEqual((await readdir(dir)).sort(), [
        'APKINDEX.tar.gz',
        'app-1.0-r0.apk',
        'common-3.1-r2.apk',
      ]);
      const index = join(dir, 'APKINDEX.tar.gz');
      assert.equal((await verifyIndex(index, key.keysDir)).signature.status, 'ok');
      const records = parseApkIndex((await parseIndexBuffer(await readFile(index), index)).apkindex);
      assert.deepEqual(
        records.map((x) => field(x, 'A')),
        [arch, arch],
      );
    }
  });

  test('republishing identical bytes is a no-op; different bytes under the same name-version are refused', async () => {
    const root = join(tmp.path, 'repo2');
    const src = join(tmp.path, 'src2');
    await make(src, 'tool', '2.0-r0', 'x86_64', 10);
    const first = await publish({ source: src, root, branch: 'edge', repo: 'main' });
    assert.equal(first.copied.length, 1);
    const again = await publish({ source: src, root, branch: 'edge', repo: 'main' });
    assert.equal(again.copied.length, 0);
    assert.equal(again.unchanged.length, 1);
    // A damaged index left behind (say, by a copy tool) is rebuilt by the next publish.
    const index = join(root, 'edge', 'main', 'x86_64', 'APKINDEX.tar.gz');
    await writeFile(index, 'garbage');
    await publish({ source: src, root, branch: 'edge', repo: 'main' });
    assert.equal(parseApkIndex((await parseIndexBuffer(await readFile(index), index)).apkindex).length, 1);
    await make(src, 'tool', '2.0-r0', 'x86_64', 11);
    await assert.rejects(publish({ source: src, root, branch: 'edge', repo: 'main' }), /bump the release/);
  });

  test('rejects unsafe branch or repository names and noarch without a target arch', async () => {
    const src = join(tmp.path, 'src3');
    await make(src, 'doc', '1.0-r0', 'noarch');
    await assert.rejects(
      publish({ source: src, root: join(tmp.path, 'r3'), branch: '../x', repo: 'main' }),
      /invalid branch/,
    );
    await assert.rejects(
      publish({ source: src, root: join(tmp.path, 'r3'), branch: 'v3.19', repo: 'a/b' }),
      /invalid repository name/,
    );
    await assert.rejects(
      publish({ source: src, root: join(tmp.path, 'r3'), branch: 'v3.19', repo: 'main' }),
      /noarch.*--arch/,
    );
  });
});
