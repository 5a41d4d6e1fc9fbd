import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildPackage } from '../../src/apk/build.js';
import { nginxConfig } from '../../src/apk/nginx.js';
import { publish } from '../../src/apk/publish.js';
import { tempDir } from '../helpers/index.js';
import { stagingTree } from './support.js';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function get(port: number, path: string, headers: Record<string, string> = {}) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('apk nginx-config with the real nginx', {
  skip: NGINX ? false : 'nginx is not installed (apt-get install nginx-light)',
}, () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let nginx: ChildProcess | undefined;
  let port: number;
  let root: string;
  const apk = '/v3.19/main/x86_64/hello-1.0-r0.apk';
  const index = '/v3.19/main/x86_64/APKINDEX.tar.gz';

  before(async () => {
    tmp = await tempDir('rampart-apk-nginx-');
    root = join(tmp.path, 'repo');
    const src = join(tmp.path, 'src');
    await mkdir(src);
    await buildPackage({
      dir: await stagingTree(tmp.path),
      out: join(src, 'hello-1.0-r0.apk'),
      name: 'hello',
      version: '1.0-r0',
      arch: 'x86_64',
      epoch: 1,
    });
    await publish({ source: src, root, branch: 'v3.19', repo: 'main' });
    await writeFile(join(root, 'v3.19', 'main', 'x86_64', 'signing.rsa'), 'PRIVATE');
    await writeFile(join(root, 'v3.19', 'main', 'x86_64', '.APKINDEX.tar.gz.tmp'), 'half');
    port = await freePort();
    const server = nginxConfig({ root, serverName: 'localhost', listen: `127.0.0.1:${port}` }).replace(
      /access_log [^;]+;/,
      `access_log ${join(tmp.path, 'access.log')} combined;`,
    );
    const t = tmp.path;
    const conf = [
      process.getuid?.() === 0 ? 'user root;' : '',
      'worker_processes 1;',
      'daemon off;',
      `pid ${t}/nginx.pid;`,
      `error_log ${t}/error.log;`,
      'events {}',
      'http {',
      `  client_body_temp_path ${t}/body; proxy_temp_path ${t}/proxy; fastcgi_temp_path ${t}/fcgi;`,
      `  uwsgi_temp_path ${t}/uwsgi; scgi_temp_path ${t}/scgi;`,
      server,
      '}',
    ].join('\n');
    await writeFile(join(t, 'nginx.conf'), conf);
    nginx = spawn(NGINX as string, ['-p', t, '-c', join(t, 'nginx.conf')], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      try {
        await get(port, '/');
        return;
      } catch {
        await sleep(50);
      }
    }
    throw new Error(`nginx did not start: ${await readFile(join(t, 'error.log'), 'utf8').catch(() => '')}`);
  });

  after(async () => {
    if (nginx?.pid) {
      nginx.kill('SIGTERM');
      await new Promise((resolve) => nginx?.once('exit', resolve));
    }
    await tmp.cleanup();
  });

  test('the generated server block passes and enforces the same cache and deny rules', async () => {
    const pkg = await get(port, apk);
    assert.equal(pkg.status, 200);
    assert.deepEqual(pkg.body, await readFile(join(root, apk)));
    assert.equal(pkg.headers['cache-control'], 'public, max-age=2592000, immutable');
    const idx = await get(port, index);
    assert.equal(idx.status, 200);
    assert.equal(idx.headers['cache-control'], 'no-store');
    assert.ok(idx.headers.etag);
    assert.equal(
      (await get(port, index, { 'If-Modified-Since': new Date(Date.now() + 60_000).toUTCString() })).status,
      304,
    );
    assert.equal((await get(port, apk, { Range: 'bytes=0-9' })).status, 206);
    assert.equal((await get(port, '/v3.19/main/x86_64/signing.rsa')).status, 404);
    assert.equal((await get(port, '/v3.19/main/x86_64/.APKINDEX.tar.gz.tmp')).status, 404);
    assert.equal((await get(port, '/v3.19/main/x86_64/')).status, 403, 'no listing unless asked');
  });
});
