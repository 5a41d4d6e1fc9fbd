import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateKeys } from '../../src/apk/keygen.js';
import { tempDir } from '../helpers/index.js';
import { exec } from './support.js';

describe('apk keygen', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  before(async () => {
    tmp = await tempDir('rampart-apk-keygen-');
  });
  after(() => tmp.cleanup());

  test('names keys NAME-<8 hex>.rsa(.pub), private 0600, both readable by openssl', async () => {
    const r = await generateKeys({ name: 'ops@example.com', outDir: tmp.path, bits: 2048, now: 0x65535f00 });
    assert.equal(basename(r.privateKey), 'ops@example.com-65535f00.rsa');
    assert.equal(basename(r.publicKey), 'ops@example.com-65535f00.rsa.pub');
    assert.equal(r.keyName, 'ops@example.com-65535f00.rsa.pub');
    assert.equal((await stat(r.privateKey)).mode & 0o777, 0o600);
    assert.match(
      (await exec('openssl', ['rsa', '-check', '-noout', '-in', r.privateKey])).stdout,
      /RSA key ok/,
    );
    const text = (await exec('openssl', ['pkey', '-pubin', '-in', r.publicKey, '-noout', '-text'])).stdout;
    assert.match(text, /Public-Key: \(2048 bit\)/);
    const derived = (await exec('openssl', ['rsa', '-in', r.privateKey, '-pubout'])).stdout;
    assert.equal(derived.trim(), (await readFile(r.publicKey, 'utf8')).trim());
  });

  test('never overwrites an existing key', async () => {
    const first = await generateKeys({ name: 'ci', outDir: tmp.path, bits: 2048, now: 1 });
    const before = await readFile(first.privateKey);
    await assert.rejects(
      generateKeys({ name: 'ci', outDir: tmp.path, bits: 2048, now: 1 }),
      /already exists; not overwriting/,
    );
    assert.deepEqual(await readFile(first.privateKey), before);
    await assert.rejects(
      generateKeys({ name: 'bad name', outDir: tmp.path, bits: 2048 }),
      /invalid key name/,
    );
    await assert.rejects(generateKeys({ name: 'weak', outDir: tmp.path, bits: 1024 }), /at least 2048/);
  });
});
