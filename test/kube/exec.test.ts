import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PROTOCOL_V4, PROTOCOL_V5 } from '../../src/kube/channel.js';
import { KubeClient } from '../../src/kube/client.js';
import { ExecStreamError, KubeApiError } from '../../src/kube/errors.js';
import { tempDir } from '../helpers/index.js';
import { FakeApiServer } from './fake-apiserver.js';

function tarOf(dir: string, ...names: string[]): Buffer {
  const r = spawnSync('tar', ['cf', '-', '-C', dir, ...names], { maxBuffer: 1 << 30 });
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout;
}

describe('exec over WebSocket against the fake API server (real local processes)', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let fake: FakeApiServer;
  let client: KubeClient;
  let root: string;
  before(async () => {
    tmp = await tempDir('rampart-exec-');
    fake = await FakeApiServer.start();
    root = fake.addPod('web', { containers: ['app', 'sidecar'] });
    client = KubeClient.fromOptions({ kubeconfig: fake.writeKubeconfig(tmp.path), env: {} });
  });
  after(async () => {
    await fake.close();
    await tmp.cleanup();
  });

  test('negotiates v5 and returns stdout, stderr and a zero exit code', async () => {
    const r = await client.exec('web', ['sh', '-c', 'echo out; echo err >&2; pwd']);
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, `out\n${root}\n`);
    assert.equal(r.stderr, 'err\n');
    assert.equal(fake.execs.at(-1)?.protocol, PROTOCOL_V5);
    assert.equal(fake.execs.at(-1)?.container, 'app');
  });

  test('a non-zero exit code is read from the Status on the error channel', async () => {
    const r = await client.exec('web', ['sh', '-c', 'exit 7'], { container: 'sidecar' });
    assert.equal(r.exitCode, 7);
    assert.equal(r.reason, 'NonZeroExitCode');
    assert.equal(fake.execs.at(-1)?.container, 'sidecar');
  });

  test('a missing binary is reported as command-not-found, not as an exit code', async () => {
    const r = await client.exec('web', ['tar-that-does-not-exist', 'cf', '-']);
    assert.equal(r.exitCode, undefined);
    assert.equal(r.commandNotFound, true);
    assert.match(r.message ?? '', /executable file not found/);
    const viaShell = await client.exec('web', ['sh', '-c', 'no-such-tool-here']);
    assert.equal(viaShell.exitCode, 127);
    assert.equal(viaShell.commandNotFound, true);
  });

  test('v5 close frame: ending stdin lets `cat` and `tar x` see end of input', async () => {
    const echoed = await client.exec('web', ['cat'], { input: 'hello through stdin' });
    assert.equal(echoed.stdout, 'hello through stdin');
    await writeFile(join(tmp.path, 'payload.txt'), 'tar payload\n');
    const extracted = await client.exec('web', ['tar', 'xf', '-'], { input: tarOf(tmp.path, 'payload.txt') });
    assert.equal(extracted.exitCode, 0, extracted.stderr);
    assert.equal(await readFile(join(root, 'payload.txt'), 'utf8'), 'tar payload\n');
  });

  test('unknown pod and unknown container are API errors with their HTTP status', async () => {
    await assert.rejects(
      client.exec('nope', ['true']),
      (e: unknown) => e instanceof KubeApiError && e.status === 404,
    );
    await assert.rejects(
      client.exec('web', ['true'], { container: 'ghost' }),
      (e: unknown) => e instanceof KubeApiError && e.status === 400 && /ghost is not valid/.test(e.message),
    );
  });

  test('large stdin and stdout stream intact in both directions', async () => {
    const big = Buffer.alloc(24 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i, i);
    const digest = createHash('sha256').update(big).digest('hex');
    const hashed = await client.exec('web', ['sha256sum'], { input: big });
    assert.equal(hashed.stdout.split(' ')[0], digest);
    const out = await client.execBytes('web', ['head', '-c', String(big.length), '/dev/zero']);
    assert.equal(out.stdout.length, big.length);
  });

  test('backpressure: an unread stdout keeps at most a bounded buffer while the remote keeps producing', async () => {
    const session = await client.openExec({
      pod: 'web',
      command: ['head', '-c', String(64 * 1024 * 1024), '/dev/zero'],
    });
    session.stderr.resume();
    // Do not read stdout for a while: the socket must pause instead of buffering 64 MiB in memory.
    await new Promise((r) => setTimeout(r, 400));
    assert.ok(
      session.stdout.readableLength <= 2 * 1024 * 1024,
      `buffered ${session.stdout.readableLength} bytes`,
    );
    let total = 0;
    for await (const chunk of session.stdout) total += (chunk as Buffer).length;
    assert.equal(total, 64 * 1024 * 1024);
    assert.equal((await session.done).exitCode, 0);
  });

  test('a stream that breaks before the status rejects with ExecStreamError', async () => {
    fake.scenario.onExec = (ctx) =>
      ctx.command[0] === 'yes' ? { breakAfterStdoutBytes: 100_000 } : undefined;
    try {
      const session = await client.openExec({ pod: 'web', command: ['yes'] });
      session.stderr.resume();
      let received = 0;
      const reading = (async () => {
        for await (const chunk of session.stdout) received += (chunk as Buffer).length;
      })();
      await assert.rejects(session.done, ExecStreamError);
      await assert.rejects(reading, ExecStreamError);
      assert.equal(received, 100_000);
    } finally {
      fake.scenario.onExec = undefined;
    }
  });
});

describe('exec falls back to v4.channel.k8s.io', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let fake: FakeApiServer;
  let client: KubeClient;
  before(async () => {
    tmp = await tempDir('rampart-exec-v4-');
    fake = await FakeApiServer.start({ protocols: [PROTOCOL_V4] });
    fake.addPod('old');
    client = KubeClient.fromOptions({ kubeconfig: fake.writeKubeconfig(tmp.path), env: {} });
  });
  after(async () => {
    await fake.close();
    await tmp.cleanup();
  });

  test('negotiates v4, reports that stdin cannot be half-closed, and still reads exit codes', async () => {
    const session = await client.openExec({ pod: 'old', command: ['sh', '-c', 'echo v4; exit 3'] });
    assert.equal(session.protocol, PROTOCOL_V4);
    assert.equal(session.canCloseStdin, false);
    let out = '';
    session.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    session.stderr.resume();
    assert.equal((await session.done).exitCode, 3);
    assert.equal(out, 'v4\n');
  });

  test('tar x still finishes on v4: it stops at the end-of-archive blocks without needing EOF', async () => {
    await writeFile(join(tmp.path, 'f.txt'), 'v4 tar\n');
    const r = await client.exec('old', ['tar', 'xf', '-'], {
      input: tarOf(tmp.path, 'f.txt'),
      timeoutMs: 10_000,
    });
    assert.equal(r.exitCode, 0);
    assert.equal(await readFile(join(fake.podRoot('old'), 'f.txt'), 'utf8'), 'v4 tar\n');
  });
});
