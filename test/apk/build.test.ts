import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstat, mkdir, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { buildPackage } from '../../src/apk/build.js';
import { loadSigningKey } from '../../src/apk/sign.js';
import { UserError } from '../../src/core/errors.js';
import { tempDir } from '../helpers/index.js';
import { exec, gzipBoundaries, opensslKey, paxRecordsByName, stagingTree, type TestKey } from './support.js';

describe('apk build', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let stage: string;
  let key: TestKey;
  before(async () => {
    tmp = await tempDir('rampart-apk-build-');
    stage = await stagingTree(tmp.path);
    key = await opensslKey(tmp.path, 'builder');
  });
  after(() => tmp.cleanup());

  const build = (out: string, extra: Partial<Parameters<typeof buildPackage>[0]> = {}) =>
    buildPackage({
      dir: stage,
      out: join(tmp.path, out),
      name: 'hello',
      version: '1.0-r0',
      arch: 'x86_64',
      description: 'Hello world',
      depends: ['musl', 'so:libc.musl-x86_64.so.1'],
      license: 'MIT',
      epoch: 1700000000,
      ...extra,
    });

  test('Debian tar extracts the files with their content, modes and symlinks, owned by root', async () => {
    const r = await build('hello-1.0-r0.apk');
    const out = join(tmp.path, 'extract');
    await mkdir(out);
    await exec('tar', ['-xzf', r.file, '-C', out, '--warning=no-unknown-keyword']);
    assert.equal(await readFile(join(out, 'usr/bin/hello'), 'utf8'), '#!/bin/sh\necho hello\n');
    assert.equal((await stat(join(out, 'usr/bin/hello'))).mode & 0o7777, 0o755);
    assert.equal((await stat(join(out, 'etc/hello/hello.conf'))).mode & 0o7777, 0o640);
    assert.ok((await lstat(join(out, 'usr/bin/hi'))).isSymbolicLink());
    assert.equal(await readlink(join(out, 'usr/bin/hi')), 'hello');
    assert.deepEqual(
      await readFile(join(out, 'usr/share/hello/blob.bin')),
      await readFile(join(stage, 'usr/share/hello/blob.bin')),
    );
    const listing = (await exec('tar', ['-tvzf', r.file, '--warning=no-unknown-keyword'])).stdout
      .trim()
      .split('\n');
    assert.equal(listing[0].split(/\s+/)[5], '.PKGINFO');
    for (const line of listing) assert.match(line, / root\/root /);
    const names = listing.map((l) => l.split(/\s+/)[5]).slice(1);
    assert.deepEqual(names, [...names].sort());
  });

  test('.PKGINFO carries the metadata and, last, the SHA-256 of the data member (gzip finds the boundary)', async () => {
    const r = await build('hash.apk');
    const file = await readFile(r.file);
    const cuts = await gzipBoundaries(file, tmp.path);
    assert.equal(cuts.length, 1, 'unsigned package = control member + data member');
    const control = file.subarray(0, cuts[0]);
    const data = file.subarray(cuts[0]);
    const pkginfo = (await exec('tar', ['-xzOf', r.file, '.PKGINFO'])).stdout;
    const lines = pkginfo.trim().split('\n');
    assert.ok(lines.includes('pkgname = hello'));
    assert.ok(lines.includes('pkgver = 1.0-r0'));
    assert.ok(lines.includes('arch = x86_64'));
    assert.ok(lines.includes('depend = musl'));
    assert.ok(lines.includes('depend = so:libc.musl-x86_64.so.1'));
    assert.equal(lines.at(-1), `datahash = ${createHash('sha256').update(data).digest('hex')}`);
    // The control tar has its end-of-archive blocks cut so apk reads on into the data member.
    const controlTar = gunzipSync(control);
    assert.equal(controlTar.length % 512, 0);
    assert.ok(!controlTar.subarray(-1024).every((b) => b === 0));
    const identity = (
      await exec('sh', ['-c', `head -c ${cuts[0]} '${r.file}' | openssl dgst -sha1 -binary | base64`])
    ).stdout.trim();
    assert.equal(r.identity, `Q1${identity}`);
  });

  test('every regular file and symlink carries APK-TOOLS.checksum.SHA1 in its PAX header', async () => {
    const r = await build('pax.apk');
    const file = await readFile(r.file);
    const [cut] = await gzipBoundaries(file, tmp.path);
    const records = paxRecordsByName(gunzipSync(file.subarray(cut)));
    const sha1 = (b: Buffer | string) => createHash('sha1').update(b).digest('hex');
    assert.equal(
      records.get('usr/bin/hello')?.['APK-TOOLS.checksum.SHA1'],
      sha1(await readFile(join(stage, 'usr/bin/hello'))),
    );
    assert.equal(
      records.get('usr/share/hello/blob.bin')?.['APK-TOOLS.checksum.SHA1'],
      sha1(await readFile(join(stage, 'usr/share/hello/blob.bin'))),
    );
    assert.equal(records.get('usr/bin/hi')?.['APK-TOOLS.checksum.SHA1'], sha1('hello'));
    assert.equal(records.get('usr/')?.['APK-TOOLS.checksum.SHA1'], undefined);
  });

  test('the package signature is an RSA signature over the control member bytes (openssl verifies)', async () => {
    const unsigned = await readFile((await build('u.apk')).file);
    const signed = await readFile((await build('s.apk', { keys: [loadSigningKey(key.privateKey)] })).file);
    const sigLen = signed.length - unsigned.length;
    assert.deepEqual(signed.subarray(sigLen), unsigned, 'signing only prepends a member');
    const [cut] = await gzipBoundaries(unsigned, tmp.path);
    await writeFile(join(tmp.path, 'control.gz'), unsigned.subarray(0, cut));
    const sigDir = join(tmp.path, 'sig');
    await mkdir(sigDir);
    await exec('tar', ['-xzf', join(tmp.path, 's.apk'), '-C', sigDir, `.SIGN.RSA256.${key.keyName}`]);
    const v = await exec('openssl', [
      'dgst',
      '-sha256',
      '-verify',
      key.publicKey,
      '-signature',
      join(sigDir, `.SIGN.RSA256.${key.keyName}`),
      join(tmp.path, 'control.gz'),
    ]);
    assert.match(v.stdout, /Verified OK/);
  });

  test('builds are reproducible for a given SOURCE_DATE_EPOCH', async () => {
    const a = await readFile((await build('r1.apk')).file);
    const b = await readFile((await build('r2.apk')).file);
    const c = await readFile((await build('r3.apk', { epoch: 1700000001 })).file);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    const saved = process.env.SOURCE_DATE_EPOCH;
    process.env.SOURCE_DATE_EPOCH = '1700000000';
    try {
      const d = await readFile((await build('r4.apk', { epoch: undefined })).file);
      assert.deepEqual(a, d);
    } finally {
      if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
      else process.env.SOURCE_DATE_EPOCH = saved;
    }
  });

  test('name, version, arch and dependency syntax are validated with clear errors', async () => {
    await assert.rejects(
      build('x.apk', { version: '1.0' }),
      (e: Error) => e instanceof UserError && /-r<release>/.test(e.message),
    );
    await assert.rejects(build('x.apk', { version: '1.0_foo-r0' }), /invalid package version "1.0_foo-r0"/);
    await assert.rejects(build('x.apk', { name: 'Hello World' }), /invalid package name/);
    await assert.rejects(build('x.apk', { arch: 'x86-64' }), /invalid architecture/);
    await assert.rejects(build('x.apk', { depends: ['foo>=>1'] }), /invalid depends entry/);
    await assert.rejects(build('x.apk', { description: 'two\nlines' }), /single line/);
    const dotted = join(tmp.path, 'dotted');
    await mkdir(dotted);
    await writeFile(join(dotted, '.PKGINFO'), 'pkgname = evil\n');
    await assert.rejects(build('x.apk', { dir: dotted }), /top-level names starting with "\."/);
    const ok = await build('ok.apk', { version: '1.2.3_rc1-r0' });
    assert.equal(ok.pkginfo.pkgver, '1.2.3_rc1-r0');
  });
});
