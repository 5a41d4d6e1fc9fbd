import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { get } from 'node:https';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { UserError } from '../../src/core/errors.js';
import { createServer, listen } from '../../src/net/server.js';
import { tempDir } from '../helpers/index.js';

const run = promisify(execFile);

describe('net/server', () => {
  test('serves HTTPS on 127.0.0.1 with an openssl certificate and closes promptly', async () => {
    const tmp = await tempDir();
    try {
      const cert = join(tmp.path, 'cert.pem');
      const key = join(tmp.path, 'key.pem');
      await run('openssl', [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ]);
      const running = await listen(
        createServer((_req, res) => res.end('hello'), { cert, key }),
        { port: 0, tls: { cert, key } },
      );
      try {
        assert.match(running.url, /^https:\/\/127\.0\.0\.1:\d+$/);
        const ca = await readFile(cert);
        const body = await new Promise<string>((resolve, reject) => {
          get(running.url, { ca }, (res) => {
            let text = '';
            res.on('data', (chunk) => (text += chunk));
            res.on('end', () => resolve(text));
          }).on('error', reject);
        });
        assert.equal(body, 'hello');
      } finally {
        await running.close();
      }
      assert.equal(running.server.listening, false);
    } finally {
      await tmp.cleanup();
    }
  });

  test('unreadable TLS files and a port in use are user errors', async () => {
    assert.throws(
      () => createServer(() => {}, { cert: '/nonexistent/cert.pem', key: '/nonexistent/key.pem' }),
      (e: unknown) => e instanceof UserError && /cannot read TLS certificate or key/.test(e.message),
    );
    const first = await listen(
      createServer(() => {}),
      { port: 0 },
    );
    try {
      const port = Number(new URL(first.url).port);
      await assert.rejects(
        listen(
          createServer(() => {}),
          { port },
        ),
        (e: unknown) => e instanceof UserError && e.message.startsWith(`cannot listen on 127.0.0.1:${port}:`),
      );
    } finally {
      await first.close();
    }
  });
});
