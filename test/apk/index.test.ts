import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildIndexFile, field, parseApkIndex } from '../../src/apk/apkindex.js';
import { buildPackage } from '../../src/apk/build.js';
import { indexDirectory } from '../../src/apk/indexer.js';
import { parseIndexBuffer, readPackageHead } from '../../src/apk/read.js';
import { loadSigningKey } from '../../src/apk/sign.js';
import { verifyIndex } from '../../src/apk/verify.js';
import { tempDir } from '../helpers/index.js';
import { exec, opensslKey, stagingTree, type TestKey } from './support.js';

describe('apk index', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let stage: string;
  let key: TestKey;
  let other: TestKey;
  let repo: string;
  before(async () => {
    tmp = await tempDir('rampart-apk-index-');
    stage = await stagingTree(tmp.path);
    key = await opensslKey(tmp.path, 'ops');
    other = await opensslKey(tmp.path, 'other');
    repo = join(tmp.path, 'x86_64');
    await mkdir(repo);
    const common = { dir: stage, epoch: 1700000000, license: 'MIT', url: 'https://example.com' };
    await buildPackage({
      ...common,
      out: join(repo, 'hello-1.0-r0.apk'),
      name: 'hello',
      version: '1.0-r0',
      arch: 'x86_64',
      depends: ['musl'],
    });
    await buildPackage({
      ...common,
      out: join(repo, 'hello-1.0-r1.apk'),
      name: 'hello',
      version: '1.0-r1',
      arch: 'x86_64',
      provides: ['cmd:hello=1.0-r1'],
    });
    await buildPackage({
      ...common,
      out: join(repo, 'hello-1.0_rc1-r0.apk'),
      name: 'hello',
      version: '1.0_rc1-r0',
      arch: 'x86_64',
    });
    await buildPackage({
      ...common,
      out: join(repo, 'docs-2.0-r0.apk'),
      name: 'docs',
      version: '2.0-r0',
      arch: 'noarch',
      description: 'Docs',
    });
  });
  after(() => tmp.cleanup());

  test('writes DESCRIPTION and APKINDEX with apk field letters, noarch rewritten, newest first', async () => {
    const r = await indexDirectory({ dir: repo, description: 'internal v1', mtime: 1700000000 });
    const listing = (await exec('tar', ['-tzf', r.out])).stdout.trim().split('\n');
    assert.deepEqual(listing, ['DESCRIPTION', 'APKINDEX']);
    assert.equal((await exec('tar', ['-xzOf', r.out, 'DESCRIPTION'])).stdout, 'internal v1');
    const text = (await exec('tar', ['-xzOf', r.out, 'APKINDEX'])).stdout;
    assert.ok(text.endsWith('\n\n'), 'the last record ends with a blank line');
    const records = parseApkIndex(text);
    assert.deepEqual(
      records.map((rec) => `${field(rec, 'P')}-${field(rec, 'V')}`),
      ['docs-2.0-r0', 'hello-1.0-r1', 'hello-1.0-r0', 'hello-1.0_rc1-r0'],
    );
    assert.equal(r.newest.get('hello'), '1.0-r1');
    const docs = records[0];
    assert.equal(field(docs, 'A'), 'x86_64');
    const head = await readPackageHead(join(repo, 'hello-1.0-r0.apk'));
    const hello = records[2];
    assert.deepEqual(
      hello.map(([l]) => l),
      ['C', 'P', 'V', 'A', 'S', 'I', 'U', 'L', 'o', 't', 'D'],
    );
    assert.equal(field(hello, 'C'), head.identity);
    assert.match(field(hello, 'C') ?? '', /^Q1[A-Za-z0-9+/]{27}=$/);
    assert.equal(field(hello, 'S'), String(head.fileSize));
    assert.equal(field(hello, 'D'), 'musl');
    assert.equal(field(records[1], 'p'), 'cmd:hello=1.0-r1');
  });

  test('a signed index is a signature member followed by the unsigned index; openssl verifies it', async () => {
    const signingKey = loadSigningKey(key.privateKey);
    const signed = await indexDirectory({
      dir: repo,
      keys: [signingKey],
      mtime: 1700000000,
      out: join(tmp.path, 'signed.tar.gz'),
    });
    const unsigned = await indexDirectory({
      dir: repo,
      mtime: 1700000000,
      out: join(tmp.path, 'unsigned.tar.gz'),
    });
    const s = await readFile(signed.out);
    const u = await readFile(unsigned.out);
    assert.deepEqual(s.subarray(s.length - u.length), u);
    const listing = (await exec('tar', ['-tzf', signed.out])).stdout.trim().split('\n');
    assert.deepEqual(listing, [`.SIGN.RSA256.${key.keyName}`, 'APKINDEX']);
    const sigDir = join(tmp.path, 'idxsig');
    await mkdir(sigDir);
    await exec('tar', ['-xzf', signed.out, '-C', sigDir, listing[0]]);
    const v = await exec('openssl', [
      'dgst',
      '-sha256',
      '-verify',
      key.publicKey,
      '-signature',
      join(sigDir, listing[0]),
      unsigned.out,
    ]);
    assert.match(v.stdout, /Verified OK/);
    assert.equal((await verifyIndex(signed.out, key.keysDir)).signature.status, 'ok');
  });

  test('tampering, a missing key and a wrong key under the trusted name are told apart', async () => {
    const signingKey = loadSigningKey(key.privateKey);
    const out = join(tmp.path, 'tamper.tar.gz');
    await indexDirectory({ dir: repo, keys: [signingKey], mtime: 1700000000, out });
    const buf = await readFile(out);
    const parsed = await parseIndexBuffer(buf, out);
    const records = parseApkIndex(parsed.apkindex);
    records[0] = records[0].map(([l, v]) => [l, l === 'S' ? String(Number(v) + 1) : v]);
    const forged = Buffer.concat([
      buf.subarray(0, parsed.unsignedStart),
      await buildIndexFile(records, { mtime: 1700000000 }),
    ]);
    await writeFile(join(tmp.path, 'APKINDEX-forged.tar.gz'), forged);
    const bad = await verifyIndex(join(tmp.path, 'APKINDEX-forged.tar.gz'), key.keysDir);
    assert.equal(bad.signature.status, 'bad');
    assert.match(bad.signature.message, /BAD signature/);

    const untrusted = await verifyIndex(out, other.keysDir);
    assert.equal(untrusted.signature.status, 'untrusted');
    assert.match(untrusted.signature.message, /UNTRUSTED/);

    // Another key saved under the trusted key's name: apk finds it by name and rejects the signature.
    const impostorDir = join(tmp.path, 'impostor');
    await mkdir(impostorDir);
    await copyFile(other.publicKey, join(impostorDir, key.keyName));
    assert.equal((await verifyIndex(out, impostorDir)).signature.status, 'bad');
  });

  test('a package of another arch is rejected; a file not named P-V.apk too', async () => {
    const dir = join(tmp.path, 'mixed', 'x86_64');
    await mkdir(dir, { recursive: true });
    await buildPackage({
      dir: stage,
      out: join(dir, 'arm-1.0-r0.apk'),
      name: 'arm',
      version: '1.0-r0',
      arch: 'aarch64',
      epoch: 1,
    });
    await assert.rejects(indexDirectory({ dir }), /arch aarch64 does not match the directory's arch x86_64/);
    const dir2 = join(tmp.path, 'named');
    await mkdir(dir2);
    await buildPackage({
      dir: stage,
      out: join(dir2, 'foo.apk'),
      name: 'foo',
      version: '1.0-r0',
      arch: 'x86_64',
      epoch: 1,
    });
    await assert.rejects(indexDirectory({ dir: dir2 }), /clients download foo-1\.0-r0\.apk/);
    await rename(join(dir2, 'foo.apk'), join(dir2, 'foo-1.0-r0.apk'));
    await assert.rejects(indexDirectory({ dir: dir2, arch: 'aarch64' }), /does not match/);
  });

  test('with trusted keys required, unsigned or foreign-signed packages are refused', async () => {
    const dir = join(tmp.path, 'trust', 'x86_64');
    await mkdir(dir, { recursive: true });
    await buildPackage({
      dir: stage,
      out: join(dir, 'signed-1.0-r0.apk'),
      name: 'signed',
      version: '1.0-r0',
      arch: 'x86_64',
      epoch: 1,
      keys: [loadSigningKey(key.privateKey)],
    });
    assert.equal((await indexDirectory({ dir, trustedKeysDir: key.keysDir })).records.length, 1);
    await assert.rejects(
      indexDirectory({ dir, trustedKeysDir: other.keysDir }),
      /signed-1\.0-r0\.apk: UNTRUSTED signature/,
    );
    await buildPackage({
      dir: stage,
      out: join(dir, 'plain-1.0-r0.apk'),
      name: 'plain',
      version: '1.0-r0',
      arch: 'x86_64',
      epoch: 1,
    });
    await assert.rejects(
      indexDirectory({ dir, trustedKeysDir: key.keysDir }),
      /plain-1\.0-r0\.apk: UNTRUSTED signature: the file is not signed/,
    );
  });

  test('--old-index reuses records whose size and checksum are unchanged', async () => {
    const dir = join(tmp.path, 'incr', 'x86_64');
    await mkdir(dir, { recursive: true });
    for (const n of ['a', 'b', 'c']) {
      await buildPackage({
        dir: stage,
        out: join(dir, `${n}-1.0-r0.apk`),
        name: n,
        version: '1.0-r0',
        arch: 'x86_64',
        epoch: 5,
      });
    }
    const first = await indexDirectory({ dir, mtime: 1 });
    assert.equal(first.reused, 0);
    const second = await indexDirectory({ dir, mtime: 1, oldIndex: first.out });
    assert.equal(second.reused, 3);
    assert.deepEqual(await readFile(second.out), await readFile(first.out));
    await buildPackage({
      dir: stage,
      out: join(dir, 'b-1.0-r0.apk'),
      name: 'b',
      version: '1.0-r0',
      arch: 'x86_64',
      epoch: 6,
    });
    const third = await indexDirectory({ dir, mtime: 1, oldIndex: second.out });
    assert.equal(third.reused, 2);
    const b = parseApkIndex((await parseIndexBuffer(await readFile(third.out), third.out)).apkindex).find(
      (r) => field(r, 'P') === 'b',
    );
    assert.equal(field(b ?? [], 'C'), (await readPackageHead(join(dir, 'b-1.0-r0.apk'))).identity);
  });
});
