import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { field, parseApkIndex } from '../../src/apk/apkindex.js';
import { buildPackage } from '../../src/apk/build.js';
import { indexDirectory } from '../../src/apk/indexer.js';
import { publish } from '../../src/apk/publish.js';
import { parseIndexBuffer } from '../../src/apk/read.js';
import { createS3Client } from '../../src/apk/s3-client.js';
import { publishToS3 } from '../../src/apk/s3-publish.js';
import { parseS3Url } from '../../src/apk/s3-target.js';
import { CACHE_APK, CACHE_INDEX } from '../../src/apk/serve.js';
import { isUserError } from '../../src/core/errors.js';
import { stagingTree } from '../apk/support.js';
import { REPO_ROOT, tempDir } from '../helpers/index.js';
import { withAwsEnv } from './env.js';
import { type FakeS3, startFakeS3 } from './fake-s3.js';

const BUCKET = 'alpine-repo';
const PREFIX = 'alpine';
const KEY_BASE = `${PREFIX}/v3.20/ops/x86_64`;

describe('apk publish --to s3:// (real SDK client, fake S3 server)', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let stage: string;
  let s3: FakeS3;
  let n = 0;
  before(async () => {
    tmp = await tempDir('rampart-apk-s3-');
    stage = await stagingTree(tmp.path);
  });
  after(() => tmp.cleanup());
  beforeEach(async () => {
    await s3?.close();
    s3 = await startFakeS3(BUCKET);
  });
  after(() => s3.close());

  const env = () => ({
    HOME: tmp.path,
    AWS_CONFIG_FILE: join(tmp.path, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: join(tmp.path, 'none'),
    AWS_ACCESS_KEY_ID: 'AKIAFAKES3PUBLISHER1',
    AWS_SECRET_ACCESS_KEY: 'fake-s3-secret-0123456789abcdef',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  const packages = async (specs: [string, string][], payload?: Buffer) => {
    const dir = join(tmp.path, `pkgs${++n}`);
    await mkdir(dir, { recursive: true });
    let src = stage;
    if (payload) {
      src = join(tmp.path, `stage-big${n}`);
      await mkdir(join(src, 'usr/share'), { recursive: true });
      await writeFile(join(src, 'usr/share/big.bin'), payload);
    }
    for (const [name, version] of specs)
      await buildPackage({
        dir: src,
        out: join(dir, `${name}-${version}.apk`),
        name,
        version,
        arch: 'x86_64',
      });
    return dir;
  };
  const run = (
    source: string | undefined,
    extra: Partial<Parameters<typeof publishToS3>[0]> = {},
  ): ReturnType<typeof publishToS3> =>
    withAwsEnv(env(), async () => {
      const client = createS3Client({ endpoint: s3.url });
      try {
        return await publishToS3({
          client,
          target: parseS3Url(`s3://${BUCKET}/${PREFIX}/`),
          branch: 'v3.20',
          repo: 'ops',
          publishLocal: source
            ? async (root) => void (await publish({ source, root, branch: 'v3.20', repo: 'ops' }))
            : undefined,
          ...extra,
        });
      } finally {
        client.destroy();
      }
    });
  const indexNames = (key = `${KEY_BASE}/APKINDEX.tar.gz`) =>
    parseIndexBuffer(s3.objects.get(key)!.body, key).then((i) =>
      parseApkIndex(i.apkindex).map((r) => `${field(r, 'P')}-${field(r, 'V')}`),
    );
  const writes = () => s3.log.filter((l) => /^(PUT|POST|DELETE) /.test(l));

  test('packages first, index last; serving headers and sha256 as apk serve; unchanged objects skipped', async () => {
    const root = join(tmp.path, 'mirror1');
    const src = await packages([
      ['alpha', '1.0-r0'],
      ['beta', '2.1-r3'],
    ]);
    const r = await run(src, { root });
    // Packages upload concurrently, so their order varies; the index must come after all of them.
    const keys = r.uploaded.map((u) => u.key);
    assert.deepEqual(keys.slice(0, -1).sort(), [
      `${KEY_BASE}/alpha-1.0-r0.apk`,
      `${KEY_BASE}/beta-2.1-r3.apk`,
    ]);
    assert.equal(keys.at(-1), `${KEY_BASE}/APKINDEX.tar.gz`);
    const puts = writes().filter((l) => l.startsWith('PUT '));
    assert.equal(puts.at(-1), `PUT ${BUCKET}/${KEY_BASE}/APKINDEX.tar.gz`, 'index uploaded last');
    const apk = s3.objects.get(`${KEY_BASE}/alpha-1.0-r0.apk`)!;
    const local = await readFile(join(root, 'v3.20/ops/x86_64/alpha-1.0-r0.apk'));
    assert.ok(apk.body.equals(local));
    assert.equal(apk.cacheControl, CACHE_APK);
    assert.equal(apk.contentType, 'application/vnd.alpine.apk');
    const sha = createHash('sha256').update(local);
    assert.equal(apk.metadata.sha256, sha.copy().digest('hex'));
    assert.equal(
      apk.checksumSha256,
      sha.digest('base64'),
      'x-amz-checksum-sha256 sent and verified by the server',
    );
    const index = s3.objects.get(`${KEY_BASE}/APKINDEX.tar.gz`)!;
    assert.equal(index.cacheControl, CACHE_INDEX);
    assert.equal(index.contentType, 'application/gzip');
    assert.deepEqual(await indexNames(), ['alpha-1.0-r0', 'beta-2.1-r3']);

    s3.log.length = 0;
    const again = await run(undefined, { root });
    assert.equal(again.uploaded.length, 0);
    assert.equal(again.unchanged.length, 3);
    assert.deepEqual(writes(), []);
  });

  test('without a local mirror the remote repository is pulled first, so existing packages stay indexed', async () => {
    await run(await packages([['alpha', '1.0-r0']]));
    const r = await run(await packages([['gamma', '0.9-r0']]));
    assert.equal(r.pulled, 2);
    assert.deepEqual(
      r.uploaded.map((u) => [u.key.split('/').pop(), u.reason]),
      [
        ['gamma-0.9-r0.apk', 'new'],
        ['APKINDEX.tar.gz', 'changed'],
      ],
    );
    assert.deepEqual(await indexNames(), ['alpha-1.0-r0', 'gamma-0.9-r0']);
  });

  test('--dry-run writes nothing, remote or local', async () => {
    const root = join(tmp.path, 'mirror-dry');
    await run(await packages([['alpha', '1.0-r0']]), { root });
    s3.log.length = 0;
    const lines: string[] = [];
    const r = await run(await packages([['delta', '1.0-r0']]), {
      root,
      dryRun: true,
      log: (l) => lines.push(l),
    });
    assert.equal(r.dryRun, true);
    assert.deepEqual(writes(), []);
    assert.match(
      lines.join('\n'),
      /would upload new s3:\/\/alpine-repo\/alpine\/v3.20\/ops\/x86_64\/delta-1.0-r0.apk/,
    );
    assert.match(lines.join('\n'), /would upload changed .*APKINDEX.tar.gz/);
    await assert.rejects(readFile(join(root, 'v3.20/ops/x86_64/delta-1.0-r0.apk')), /ENOENT/);
  });

  test('packages no longer in the index are deleted only with --delete', async () => {
    const root = join(tmp.path, 'mirror-del');
    await run(
      await packages([
        ['alpha', '1.0-r0'],
        ['old', '0.1-r0'],
      ]),
      { root },
    );
    const arch = join(root, 'v3.20/ops/x86_64');
    await rm(join(arch, 'old-0.1-r0.apk'));
    await indexDirectory({
      dir: arch,
      arch: 'x86_64',
      oldIndex: join(arch, 'APKINDEX.tar.gz'),
      out: join(arch, 'APKINDEX.tar.gz'),
    });
    const kept = await run(undefined, { root });
    assert.deepEqual(kept.deleted, []);
    assert.ok(s3.objects.has(`${KEY_BASE}/old-0.1-r0.apk`));
    s3.log.length = 0;
    const r = await run(undefined, { root, delete: true });
    assert.deepEqual(r.deleted, [`${KEY_BASE}/old-0.1-r0.apk`]);
    assert.ok(!s3.objects.has(`${KEY_BASE}/old-0.1-r0.apk`));
    assert.deepEqual(await indexNames(), ['alpha-1.0-r0']);
  });

  test('a remote package with different content is never replaced', async () => {
    await run(await packages([['alpha', '1.0-r0']]));
    const key = `${KEY_BASE}/alpha-1.0-r0.apk`;
    const tampered = s3.objects.get(key)!;
    tampered.metadata.sha256 = '0'.repeat(64);
    const root = join(tmp.path, 'mirror-conflict');
    await assert.rejects(run(await packages([['alpha', '1.0-r0']]), { root }), (e: Error) => {
      assert.ok(isUserError(e));
      return /already published with different content/.test(e.message);
    });
  });

  test('a publish interrupted half-way leaves the old index served; a rerun completes it', async () => {
    await run(await packages([['alpha', '1.0-r0']]));
    const oldIndex = Buffer.from(s3.objects.get(`${KEY_BASE}/APKINDEX.tar.gz`)!.body);
    s3.dropIf = (method, key) => method === 'PUT' && key.endsWith('zeta-1.0-r0.apk');
    const src = await packages([
      ['epsilon', '1.0-r0'],
      ['zeta', '1.0-r0'],
    ]);
    s3.log.length = 0;
    await assert.rejects(run(src), (e: Error) => {
      assert.ok(isUserError(e));
      return /the previous index is still served/.test(e.message);
    });
    assert.ok(
      s3.log.includes(`PUT ${BUCKET}/${KEY_BASE}/zeta-1.0-r0.apk`),
      'the interrupted upload was attempted',
    );
    assert.ok(
      !s3.log.includes(`PUT ${BUCKET}/${KEY_BASE}/APKINDEX.tar.gz`),
      'no index upload after a failed package',
    );
    assert.ok(s3.objects.get(`${KEY_BASE}/APKINDEX.tar.gz`)!.body.equals(oldIndex), 'old index still served');
    assert.deepEqual(await indexNames(), ['alpha-1.0-r0']);
    s3.dropIf = undefined;
    await run(src);
    assert.deepEqual(await indexNames(), ['alpha-1.0-r0', 'epsilon-1.0-r0', 'zeta-1.0-r0']);
  });

  test('a package larger than the part size goes up as a multipart upload with per-part sha256', async () => {
    const r = await run(await packages([['big', '1.0-r0']], randomBytes(6 * 1024 * 1024)), {
      partSize: 5 * 1024 * 1024,
    });
    const key = `${KEY_BASE}/big-1.0-r0.apk`;
    assert.ok(s3.log.includes(`POST ${BUCKET}/${key}?uploads`));
    assert.equal(s3.log.filter((l) => l === `PUT ${BUCKET}/${key}?uploadId&partNumber`).length, 2);
    const stored = s3.objects.get(key)!;
    assert.equal(stored.body.length, r.uploaded[0].size);
    assert.equal(createHash('sha256').update(stored.body).digest('hex'), r.uploaded[0].sha256);
    assert.match(stored.checksumSha256 ?? '', /-2$/, 'composite checksum of two parts');
    assert.equal(stored.cacheControl, CACHE_APK);
  });

  test('CLI: rampart apk publish DIR --to s3://... --endpoint-url, then --dry-run; bad --to exits 2', async () => {
    const { spawn } = await import('node:child_process');
    const cli = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          [join(REPO_ROOT, 'bin/rampart.js'), 'apk', 'publish', ...args],
          {
            env: { PATH: process.env.PATH ?? '', ...env() },
          },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      });
    const src = await packages([['cli', '1.0-r0']]);
    const common = [
      '--to',
      `s3://${BUCKET}/${PREFIX}`,
      '--endpoint-url',
      s3.url,
      '--branch',
      'v3.20',
      '--name',
      'ops',
    ];
    const r = await cli([src, ...common]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /upload new s3:\/\/alpine-repo\/alpine\/v3.20\/ops\/x86_64\/cli-1.0-r0.apk/);
    assert.match(r.stdout, /2 uploaded, 0 unchanged, 0 deleted/);
    assert.equal(r.stderr, '');
    const dry = await cli([...common, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /dry run: would upload 0, 2 unchanged, would delete 0/);
    const bad = await cli([src, '--to', 's3://Bad_Bucket/x', '--branch', 'b', '--name', 'n']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid S3 bucket name/);
  });
});
