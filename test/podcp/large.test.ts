import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, test } from 'node:test';
import { KubeClient } from '../../src/kube/client.js';
import { copy } from '../../src/podcp/copy.js';
import { LocalSide } from '../../src/podcp/local.js';
import { RemoteSide } from '../../src/podcp/remote.js';
import { tempDir } from '../helpers/index.js';
import { FakeApiServer } from '../kube/fake-apiserver.js';

const GIB = 1024 ** 3;

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** 1 GiB of data that never repeats at block boundaries (each 4 MiB block gets its own counter prefix). */
async function writeGiB(path: string): Promise<void> {
  const out = createWriteStream(path);
  const block = randomBytes(4 * 1024 * 1024);
  for (let i = 0; i < GIB / block.length; i++) {
    block.writeUInt32BE(i, 0);
    if (!out.write(Buffer.from(block))) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

describe('rampart cp, 1 GiB through the fake API server (real tar in the "container")', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let fake: FakeApiServer;
  let client: KubeClient;
  let podRoot: string;
  before(async () => {
    tmp = await tempDir('rampart-cp-large-');
    fake = await FakeApiServer.start();
    podRoot = fake.addPod('big');
    client = KubeClient.fromOptions({ kubeconfig: fake.writeKubeconfig(tmp.path), env: {} });
    await writeGiB(join(podRoot, 'disk.img'));
  });
  after(async () => {
    await fake.close();
    await tmp.cleanup();
  });

  test('a 1 GiB download broken after 300 MiB resumes from there and the sha256 matches', async () => {
    let broke = 0;
    fake.scenario.onExec = (ctx) => {
      if (ctx.command.join(' ').includes('tar c') && broke === 0) {
        broke++;
        return { breakAfterStdoutBytes: 300 * 1024 * 1024 };
      }
      return undefined;
    };
    const dest = join(tmp.path, 'down');
    let moved = 0;
    const logs: string[] = [];
    const report = await copy(
      new RemoteSide({ client, pod: 'big', namespace: 'default', compress: false }),
      'disk.img',
      new LocalSide(),
      dest,
      { onBytes: (n) => (moved += n), log: (m) => logs.push(m) },
    );
    assert.equal(report.resumed, 1);
    assert.equal(report.verified, true);
    assert.match(logs.join('\n'), /resuming/);
    assert.ok(
      fake.execs.some((e) => e.command.join(' ').includes('tail -c')),
      'continued the partial file instead of starting again',
    );
    // Resuming sent only what was missing: well under two full copies went over the wire.
    assert.ok(moved < GIB + 310 * 1024 * 1024, `moved ${moved} bytes`);
    assert.equal((await stat(dest)).size, GIB);
    assert.equal(await sha256File(dest), await sha256File(join(podRoot, 'disk.img')));
    await rm(dest, { recursive: true, force: true });
  });
});
