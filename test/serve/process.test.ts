import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { fixture, REPO_ROOT, tempDir } from '../helpers/index.js';
import { POD_CREATE, post, review } from './client.js';

/** `rampart serve` as a real child process: JSON logs on stdout, SIGTERM with a review in flight, --workers. */

const POLICIES = fixture('serve', 'fixtures', 'policies');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Served {
  child: ChildProcess;
  lines: Record<string, any>[];
  exited: Promise<number | null>;
  url: string;
  ca: () => string;
}

async function serve(args: string[], tlsDir: string, readyLines = 1): Promise<Served> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      join(REPO_ROOT, 'bin', 'rampart.js'),
      'serve',
      '--policy',
      POLICIES,
      '--tls-generate',
      tlsDir,
      '--listen',
      `127.0.0.1:${port}`,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: Record<string, any>[] = [];
  let buffered = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      buffered += d;
      let nl = buffered.indexOf('\n');
      while (nl >= 0) {
        lines.push(JSON.parse(buffered.slice(0, nl)));
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf('\n');
      }
      if (lines.filter((l) => l.msg === 'serving').length >= readyLines) resolve();
    });
    exited.then((code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 30_000).unref();
  });
  return {
    child,
    lines,
    exited,
    url: `https://127.0.0.1:${port}`,
    ca: () => readFileSync(join(tlsDir, 'ca.crt'), 'utf8'),
  };
}

describe('serve: the real process', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  const children: ChildProcess[] = [];
  before(async () => {
    tmp = await tempDir();
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await tmp.cleanup();
  });

  test('one JSON log line per denied or warned review; SIGTERM finishes the review in flight and exits 0', async () => {
    const served = await serve(['--grace-period', '5'], join(tmp.path, 'one'));
    children.push(served.child);
    const generated = served.lines.find((l) => l.msg === 'certificates generated');
    assert.equal(generated?.caBundle, Buffer.from(served.ca()).toString('base64'), 'the caBundle is printed');

    const denied = review(POD_CREATE);
    denied.request.uid = 'log-denied';
    const warned = review(POD_CREATE);
    warned.request.uid = 'log-warned';
    warned.request.object.metadata.labels.team = 'a';
    const allowed = review(POD_CREATE);
    allowed.request.uid = 'log-allowed';
    allowed.request.object.metadata.labels.team = 'a';
    allowed.request.object.spec.securityContext = { runAsNonRoot: true };
    for (const r of [denied, warned, allowed])
      assert.equal((await post(`${served.url}/validate`, served.ca(), JSON.stringify(r))).status, 200);
    const byUid = (uid: string) => served.lines.filter((l) => l.uid === uid);
    assert.equal(byUid('log-denied').length, 1);
    assert.equal(byUid('log-warned').length, 1);
    assert.equal(byUid('log-allowed').length, 0, 'allowed reviews are not logged');
    const line = byUid('log-denied')[0]!;
    assert.equal(line.msg, 'admission denied');
    assert.equal(line.allowed, false);
    assert.equal(line.kind, 'Pod');
    assert.equal(line.namespace, 'team-a');
    assert.equal(line.operation, 'CREATE');
    assert.match(line.message, /require-team-label/);
    assert.equal(typeof line.durationMs, 'number');
    assert.ok(!Number.isNaN(Date.parse(line.time)));
    assert.equal(byUid('log-warned')[0]!.msg, 'admission warned');
    assert.match(byUid('log-warned')[0]!.warnings[0], /audit-run-as-non-root/);

    // A review whose body is half sent when SIGTERM arrives.
    const body = JSON.stringify({ ...denied, request: { ...denied.request, uid: 'in-flight' } });
    const socket = tlsConnect({ host: '127.0.0.1', port: Number(new URL(served.url).port), ca: served.ca() });
    await new Promise<void>((resolve) => socket.once('secureConnect', () => resolve()));
    let answer = '';
    socket.on('data', (d) => (answer += d));
    socket.on('error', () => {}); // the server may reset the connection once it has answered
    const socketClosed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(
      `POST /validate HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
    socket.write(body.slice(0, 200));
    await new Promise((r) => setTimeout(r, 300));
    const signalled = Date.now();
    served.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    // It no longer accepts connections...
    await assert.rejects(
      post(`${served.url}/healthz`, served.ca(), '', { method: 'GET', agent: new Agent() }),
      /ECONNREFUSED|ECONNRESET|socket hang up/,
    );
    // ...but the review in flight is answered.
    socket.end(body.slice(200));
    await socketClosed;
    assert.match(answer, /^HTTP\/1\.1 200 /);
    assert.match(answer, /"uid":"in-flight","allowed":false/);
    assert.equal(await served.exited, 0);
    assert.ok(Date.now() - signalled < 5_000, 'exited within the grace period');
    assert.ok(served.lines.some((l) => l.msg === 'shutting down' && l.signal === 'SIGTERM'));
  });

  test('--workers 2: two processes share the port and both answer; SIGTERM stops them all', async () => {
    const served = await serve(['--workers', '2', '--grace-period', '2'], join(tmp.path, 'two'), 2);
    children.push(served.child);
    const workers = new Set(served.lines.filter((l) => l.msg === 'serving').map((l) => l.pid));
    assert.equal(workers.size, 2);
    assert.ok(!workers.has(served.child.pid), 'the primary supervises, the workers serve');
    // New connections each time: the primary hands them out round-robin.
    for (let i = 0; i < 8; i++) {
      const r = review(POD_CREATE);
      r.request.uid = `worker-${i}`;
      const reply = await post(`${served.url}/validate`, served.ca(), JSON.stringify(r), {
        agent: new Agent(),
      });
      assert.equal(reply.json().response.allowed, false);
    }
    const answeredBy = new Set(served.lines.filter((l) => l.uid?.startsWith('worker-')).map((l) => l.pid));
    assert.deepEqual([...answeredBy].sort(), [...workers].sort());
    served.child.kill('SIGTERM');
    assert.equal(await served.exited, 0);
  });
});
