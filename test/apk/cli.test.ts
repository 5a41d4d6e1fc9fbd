import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { run } from '../../src/cli/commands/apk.js';
import { UserError } from '../../src/core/errors.js';
import { runRampart, tempDir } from '../helpers/index.js';
import { opensslKey, stagingTree, type TestKey } from './support.js';

/** Runs the command module in-process and captures what it prints. */
async function capture(argv: string[]): Promise<{ code: number; stdout: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let stdout = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    const code = await run(argv);
    return { code, stdout };
  } finally {
    process.stdout.write = write;
  }
}

describe('rampart apk (command)', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let stage: string;
  let key: TestKey;
  before(async () => {
    tmp = await tempDir('rampart-apk-cli-');
    stage = await stagingTree(tmp.path);
    key = await opensslKey(tmp.path, 'cli');
  });
  after(() => tmp.cleanup());

  test('build → index → verify, and verify exits 1 for an untrusted index', async () => {
    const arch = join(tmp.path, 'x86_64');
    await mkdir(arch);
    const out = join(arch, 'hello-1.0-r0.apk');
    const b = await capture([
      'build',
      stage,
      '--name',
      'hello',
      '--version',
      '1.0-r0',
      '--arch',
      'x86_64',
      '--depends',
      'musl busybox>=1.36',
      '--key',
      key.privateKey,
      '-o',
      out,
    ]);
    assert.equal(b.code, 0);
    assert.match(b.stdout, /hello-1\.0-r0 x86_64, 4 files/);
    const i = await capture(['index', arch, '--key', key.privateKey, '--description', 'test repo']);
    assert.equal(i.code, 0);
    assert.match(i.stdout, /1 packages \(0 reused\)/);
    const ok = await capture(['verify', join(arch, 'APKINDEX.tar.gz'), out, '--keys-dir', key.keysDir]);
    assert.equal(ok.code, 0);
    assert.match(ok.stdout, /APKINDEX\.tar\.gz: OK/);
    assert.match(ok.stdout, /datahash: OK/);
    const bad = await capture(['verify', join(arch, 'APKINDEX.tar.gz'), '--keys-dir', tmp.path, '--json']);
    assert.equal(bad.code, 1);
    assert.equal(JSON.parse(bad.stdout)[0].signature.status, 'untrusted');
  });

  test('version-compare, nginx-config and client-setup print what they promise', async () => {
    assert.equal(
      (await capture(['version-compare', '1.2.3_rc1-r0', '1.2.3-r0'])).stdout,
      '1.2.3_rc1-r0 < 1.2.3-r0\n',
    );
    const nginx = (await capture(['nginx-config', '/srv/apk', '--server-name', 'apk.example.com'])).stdout;
    assert.match(nginx, /server_name apk\.example\.com;/);
    assert.match(nginx, /location ~\* \\\.\(rsa\|key\)\$ \{ return 404; \}/);
    assert.match(nginx, /if_modified_since before;/);
    assert.match(nginx, /no-store/);
    const setup = (
      await capture([
        'client-setup',
        'https://apk.example.com/v3.19/internal-ops',
        '--key',
        key.publicKey,
        '--package',
        'hello',
      ])
    ).stdout;
    assert.match(setup, new RegExp(`/etc/apk/keys/${key.keyName.replace(/\./g, '\\.')}`));
    assert.match(
      setup,
      /echo 'https:\/\/apk\.example\.com\/v3\.19\/internal-ops' >> \/etc\/apk\/repositories/,
    );
    assert.match(setup, /RUN .*apk add --no-cache hello/s);
  });

  test('user mistakes are UserErrors (exit 2)', async () => {
    await assert.rejects(
      run(['build', stage, '--name', 'x', '--version', '1.0', '--arch', 'x86_64']),
      (e: Error) => e instanceof UserError && e.exitCode === 2,
    );
    await assert.rejects(run(['frob']), /unknown subcommand "frob"/);
    await assert.rejects(run(['sign', 'x.apk']), /--key is required/);
    await assert.rejects(run(['client-setup', 'ftp://x/y', '--key', key.publicKey]), /http/);
    await assert.rejects(run(['client-setup', 'https://x/y', '--key', key.privateKey]), /private key/);
  });

  test('compiled CLI: help and version-compare (needs a build)', async () => {
    const help = await runRampart(['apk', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /version-compare/);
    const cmp = await runRampart(['apk', 'version-compare', '1.0-r1', '1.0-r0']);
    assert.equal(cmp.code, 0);
    assert.equal(cmp.stdout, '1.0-r1 > 1.0-r0\n');
    const badVersion = await runRampart([
      'apk',
      'build',
      '.',
      '--name',
      'x',
      '--version',
      '1',
      '--arch',
      'x86_64',
    ]);
    assert.equal(badVersion.code, 2);
    assert.match(badVersion.stderr, /invalid package version/);
  });
});
