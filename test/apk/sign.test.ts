import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildPackage } from '../../src/apk/build.js';
import { indexDirectory } from '../../src/apk/indexer.js';
import { readPackageHead } from '../../src/apk/read.js';
import { loadSigningKey } from '../../src/apk/sign.js';
import { signFile } from '../../src/apk/sign-file.js';
import { verifyIndex, verifyPackage } from '../../src/apk/verify.js';
import { tempDir } from '../helpers/index.js';
import { exec, opensslKey, stagingTree, type TestKey } from './support.js';

describe('apk sign / verify', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let stage: string;
  let a: TestKey;
  let b: TestKey;
  before(async () => {
    tmp = await tempDir('rampart-apk-sign-');
    stage = await stagingTree(tmp.path);
    a = await opensslKey(tmp.path, 'alice');
    b = await opensslKey(tmp.path, 'bob');
  });
  after(() => tmp.cleanup());

  const pkg = (out: string, opts: Partial<Parameters<typeof buildPackage>[0]> = {}) =>
    buildPackage({
      dir: stage,
      out: join(tmp.path, out),
      name: 'hello',
      version: '1.0-r0',
      arch: 'x86_64',
      epoch: 1700000000,
      ...opts,
    });

  test('a signed package verifies: signature, datahash and every file checksum', async () => {
    const r = await pkg('ok.apk', { keys: [loadSigningKey(a.privateKey)] });
    const v = await verifyPackage(r.file, a.keysDir);
    assert.equal(v.signature.status, 'ok');
    assert.equal(v.signature.keyName, a.keyName);
    assert.equal(v.datahash, 'ok');
    assert.equal(v.files, 4);
    assert.deepEqual(v.badChecksums, []);
    assert.deepEqual(v.missingChecksums, []);
    assert.ok(v.ok);
    assert.equal((await verifyPackage(r.file, b.keysDir)).signature.status, 'untrusted');
  });

  test('a modified data part fails the datahash while the signature still holds', async () => {
    const r = await pkg('data.apk', { keys: [loadSigningKey(a.privateKey)] });
    const buf = await readFile(r.file);
    buf[buf.length - 20] ^= 0xff;
    await writeFile(r.file, buf);
    const v = await verifyPackage(r.file, a.keysDir);
    assert.equal(v.signature.status, 'ok');
    assert.equal(v.datahash, 'mismatch');
    assert.ok(!v.ok);
  });

  test('a control part changed under an old signature is a BAD signature', async () => {
    const signed = await readFile((await pkg('orig.apk', { keys: [loadSigningKey(a.privateKey)] })).file);
    const unsigned = await readFile((await pkg('plain.apk')).file);
    const sig = signed.subarray(0, signed.length - unsigned.length);
    const other = await readFile((await pkg('evil.apk', { description: 'evil' })).file);
    await writeFile(join(tmp.path, 'spliced.apk'), Buffer.concat([sig, other]));
    const v = await verifyPackage(join(tmp.path, 'spliced.apk'), a.keysDir);
    assert.equal(v.signature.status, 'bad');
    assert.equal(v.datahash, 'ok');
  });

  test('signing an unsigned package keeps its identity (C:) and makes it verifiable', async () => {
    const r = await pkg('later.apk');
    const before = await readPackageHead(r.file);
    assert.equal((await verifyPackage(r.file, a.keysDir)).signature.status, 'untrusted');
    assert.equal(await signFile(r.file, [loadSigningKey(a.privateKey)], 1700000000), 'package');
    const afterHead = await readPackageHead(r.file);
    assert.equal(afterHead.identity, before.identity);
    assert.ok((await verifyPackage(r.file, a.keysDir)).ok);
    // Re-signing replaces the signature rather than stacking another member in front.
    await signFile(r.file, [loadSigningKey(b.privateKey)], 1700000000);
    const heads = await readPackageHead(r.file);
    assert.deepEqual(
      heads.signatureEntries.map((e) => e.name),
      [`.SIGN.RSA256.${b.keyName}`],
    );
    assert.ok((await verifyPackage(r.file, b.keysDir)).ok);
  });

  test('key rotation: an index signed with two keys verifies for clients holding either one', async () => {
    const dir = join(tmp.path, 'rot', 'x86_64');
    await mkdir(dir, { recursive: true });
    await copyFile(join(tmp.path, 'ok.apk'), join(dir, 'hello-1.0-r0.apk'));
    const r = await indexDirectory({ dir, mtime: 1 });
    await signFile(r.out, [loadSigningKey(a.privateKey), loadSigningKey(b.privateKey)], 1);
    assert.equal((await verifyIndex(r.out, a.keysDir)).signature.status, 'ok');
    assert.equal((await verifyIndex(r.out, b.keysDir)).signature.status, 'ok');
    const listing = (await exec('tar', ['-tzf', r.out])).stdout.trim().split('\n');
    assert.deepEqual(listing, [`.SIGN.RSA256.${a.keyName}`, `.SIGN.RSA256.${b.keyName}`, 'APKINDEX']);
  });

  test('RSA (SHA-1) signatures as abuild-sign makes them verify with openssl dgst -sha1', async () => {
    const r = await pkg('sha1.apk');
    const plain = await readFile(r.file);
    await signFile(r.file, [loadSigningKey(a.privateKey, 'RSA')], 1700000000);
    const name = `.SIGN.RSA.${a.keyName}`;
    const sigDir = join(tmp.path, 'sha1sig');
    await mkdir(sigDir);
    await exec('tar', ['-xzf', r.file, '-C', sigDir, name]);
    const head = await readPackageHead(r.file);
    await writeFile(join(tmp.path, 'sha1-control.gz'), plain.subarray(0, head.control.length));
    const v = await exec('openssl', [
      'dgst',
      '-sha1',
      '-verify',
      a.publicKey,
      '-signature',
      join(sigDir, name),
      join(tmp.path, 'sha1-control.gz'),
    ]);
    assert.match(v.stdout, /Verified OK/);
    assert.ok((await verifyPackage(r.file, a.keysDir)).ok);
  });
});
