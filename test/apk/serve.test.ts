import assert from 'node:assert/strict';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { parseCredentials } from '../../src/apk/auth.js';
import { buildPackage } from '../../src/apk/build.js';
import { publish } from '../../src/apk/publish.js';
import { parseIndexBuffer } from '../../src/apk/read.js';
import { type RunningServer, startRepoServer } from '../../src/apk/serve.js';
import { loadSigningKey } from '../../src/apk/sign.js';
import { verifyIndex } from '../../src/apk/verify.js';
import { tempDir } from '../helpers/index.js';
import { exec, opensslKey, stagingTree, type TestKey } from './support.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw request: the path is sent exactly as given (no URL normalisation by the client). */
function get(
  base: string,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
  ca?: Buffer,
): Promise<Reply> {
  const url = new URL(base);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, method, headers, ca, servername: 'localhost' },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('apk serve', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let stage: string;
  let key: TestKey;
  let root: string;
  let server: RunningServer;
  const log = new PassThrough();
  let logText = '';
  log.on('data', (c: Buffer) => (logText += c.toString()));
  const apkPath = '/v3.19/internal-ops/x86_64/hello-1.0-r0.apk';
  const indexPath = '/v3.19/internal-ops/x86_64/APKINDEX.tar.gz';

  before(async () => {
    tmp = await tempDir('rampart-apk-serve-');
    stage = await stagingTree(tmp.path);
    key = await opensslKey(tmp.path, 'serve');
    root = join(tmp.path, 'repo');
    const pkgs = join(tmp.path, 'pkgs');
    await mkdir(pkgs);
    await buildPackage({
      dir: stage,
      out: join(pkgs, 'hello-1.0-r0.apk'),
      name: 'hello',
      version: '1.0-r0',
      arch: 'x86_64',
      epoch: 1,
    });
    await publish({
      source: pkgs,
      root,
      branch: 'v3.19',
      repo: 'internal-ops',
      keys: [loadSigningKey(key.privateKey)],
    });
    await writeFile(join(root, 'signing.rsa'), 'PRIVATE');
    await writeFile(join(root, 'v3.19', 'internal-ops', 'x86_64', 'leaked.rsa'), 'PRIVATE');
    await writeFile(join(root, 'v3.19', 'internal-ops', 'x86_64', '.APKINDEX.tar.gz.1.tmp'), 'half');
    await writeFile(join(tmp.path, 'secret.txt'), 'outside');
    await symlink(join(tmp.path, 'secret.txt'), join(root, 'escape.txt'));
    server = await startRepoServer({ root, port: 0, listing: true, accessLog: log });
  });
  after(async () => {
    await server.close();
    await tmp.cleanup();
  });

  test('packages are cacheable for 30 days, the index is no-store; both carry ETag and Last-Modified', async () => {
    const apk = await get(server.url, apkPath);
    assert.equal(apk.status, 200);
    assert.deepEqual(apk.body, await readFile(join(root, apkPath)));
    assert.equal(apk.headers['cache-control'], 'public, max-age=2592000, immutable');
    assert.ok(apk.headers.etag);
    assert.ok(apk.headers['last-modified']);
    assert.equal(apk.headers['accept-ranges'], 'bytes');
    const index = await get(server.url, indexPath);
    assert.equal(index.status, 200);
    assert.equal(index.headers['cache-control'], 'no-store');
    assert.equal(index.headers['content-length'], String(index.body.length));
    const head = await get(server.url, indexPath, {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal((await get(server.url, indexPath, {}, 'POST')).status, 405);
    assert.match(
      logText,
      new RegExp(
        `"GET /v3\\.19/internal-ops/x86_64/hello-1\\.0-r0\\.apk HTTP/1\\.1" 200 ${apk.body.length} `,
      ),
    );
    assert.match(logText, /"POST \/v3\.19\/internal-ops\/x86_64\/APKINDEX\.tar\.gz HTTP\/1\.1" 405 \d+/);
  });

  test('conditional requests answer 304 (ETag, and If-Modified-Since as apk sends it)', async () => {
    const first = await get(server.url, indexPath);
    const etag = String(first.headers.etag);
    assert.equal((await get(server.url, indexPath, { 'If-None-Match': etag })).status, 304);
    assert.equal((await get(server.url, indexPath, { 'If-None-Match': '"other"' })).status, 200);
    // apk sends the time it downloaded its cached copy, which is later than Last-Modified.
    const later = new Date(Date.now() + 60_000).toUTCString();
    assert.equal((await get(server.url, indexPath, { 'If-Modified-Since': later })).status, 304);
    assert.equal(
      (await get(server.url, indexPath, { 'If-Modified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' })).status,
      200,
    );
  });

  test('Range requests: a slice, a suffix and an unsatisfiable range', async () => {
    const full = await readFile(join(root, apkPath));
    const part = await get(server.url, apkPath, { Range: 'bytes=10-29' });
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-range'], `bytes 10-29/${full.length}`);
    assert.deepEqual(part.body, full.subarray(10, 30));
    const tail = await get(server.url, apkPath, { Range: 'bytes=-16' });
    assert.deepEqual(tail.body, full.subarray(full.length - 16));
    const beyond = await get(server.url, apkPath, { Range: `bytes=${full.length}-` });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers['content-range'], `bytes */${full.length}`);
  });

  test('path traversal attempts never reach files outside the root', async () => {
    const attempts = [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/v3.19/%2E%2E/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/v3.19/..%5c..%5csecret.txt',
      '/v3.19/internal-ops/x86_64/..%2f..%2f..%2f..%2fsecret.txt',
      '/%00/etc/passwd',
      '/escape.txt',
      '/v3.19//internal-ops/x86_64/APKINDEX.tar.gz',
      '/%',
    ];
    for (const path of attempts) {
      const r = await get(server.url, path);
      assert.ok(r.status === 400 || r.status === 404, `${path} → ${r.status}`);
      assert.ok(!r.body.toString().includes('outside'), path);
    }
  });

  test('private keys and temp files are never served nor listed', async () => {
    for (const path of [
      '/signing.rsa',
      '/v3.19/internal-ops/x86_64/leaked.rsa',
      '/SIGNING.RSA',
      '/v3.19/internal-ops/x86_64/.APKINDEX.tar.gz.1.tmp',
      '/v3.19/internal-ops/x86_64/.rampart-publish.lock',
    ]) {
      assert.equal((await get(server.url, path)).status, 404, path);
    }
    const listing = await get(server.url, '/v3.19/internal-ops/x86_64/');
    assert.equal(listing.status, 200);
    const html = listing.body.toString();
    assert.match(html, /hello-1\.0-r0\.apk/);
    assert.match(html, /APKINDEX\.tar\.gz/);
    assert.doesNotMatch(html, /leaked|\.rsa"|\.tmp/);
    const redirect = await get(server.url, '/v3.19');
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.location, '/v3.19/');
  });

  test('Basic Auth: 401 with a challenge, then 200 for plain and {SHA} credentials', async () => {
    const creds = parseCredentials('ci:s3cret\n# comment\nbot:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n');
    const guarded = await startRepoServer({ root, port: 0, credentials: creds });
    try {
      const none = await get(guarded.url, indexPath);
      assert.equal(none.status, 401);
      assert.match(String(none.headers['www-authenticate']), /^Basic realm=/);
      const basic = (u: string, p: string) => ({
        Authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`,
      });
      assert.equal((await get(guarded.url, indexPath, basic('ci', 'wrong'))).status, 401);
      assert.equal((await get(guarded.url, indexPath, basic('nobody', 's3cret'))).status, 401);
      assert.equal((await get(guarded.url, indexPath, basic('ci', 's3cret'))).status, 200);
      assert.equal((await get(guarded.url, indexPath, basic('bot', 'password'))).status, 200);
      assert.equal((await get(guarded.url, '/signing.rsa', basic('ci', 's3cret'))).status, 404);
    } finally {
      await guarded.close();
    }
    assert.throws(() => parseCredentials('x:$apr1$abc$def\n', 'users'), /not supported/);
  });

  test('HTTPS with a certificate made by openssl', async () => {
    const cert = join(tmp.path, 'cert.pem');
    const keyFile = join(tmp.path, 'key.pem');
    await exec('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ]);
    const tls = await startRepoServer({ root, port: 0, tls: { cert, key: keyFile } });
    try {
      assert.match(tls.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const r = await get(tls.url, indexPath, {}, 'GET', await readFile(cert));
      assert.equal(r.status, 200);
      assert.equal(r.headers['cache-control'], 'no-store');
    } finally {
      await tls.close();
    }
  });

  test('concurrent publish and fetch: every index a client gets is complete and correctly signed', async () => {
    const fetched: number[] = [];
    let publishing = true;
    const reader = (async () => {
      let checked = 0;
      while (publishing || checked < 3) {
        const r = await get(server.url, indexPath);
        assert.equal(r.status, 200);
        const file = join(tmp.path, `fetched-${checked % 2}`, 'APKINDEX.tar.gz');
        await mkdir(join(tmp.path, `fetched-${checked % 2}`), { recursive: true });
        await writeFile(file, r.body);
        const v = await verifyIndex(file, key.keysDir);
        assert.equal(v.signature.status, 'ok', 'a torn or mixed index would fail here');
        fetched.push(v.packages);
        checked++;
      }
    })();
    for (let i = 1; i <= 12; i++) {
      const dir = join(tmp.path, `batch-${i}`);
      await mkdir(dir);
      await buildPackage({
        dir: stage,
        out: join(dir, `tool${i}-1.0-r0.apk`),
        name: `tool${i}`,
        version: '1.0-r0',
        arch: 'x86_64',
        epoch: 1,
      });
      await publish({
        source: dir,
        root,
        branch: 'v3.19',
        repo: 'internal-ops',
        keys: [loadSigningKey(key.privateKey)],
      });
    }
    publishing = false;
    await reader;
    assert.ok(fetched.length >= 3);
    for (let i = 1; i < fetched.length; i++)
      assert.ok(fetched[i] >= fetched[i - 1], 'the index never goes backwards');
    const final = await parseIndexBuffer((await get(server.url, indexPath)).body, 'final');
    assert.equal(final.apkindex.match(/^P:/gm)?.length, 13);
  });
});
