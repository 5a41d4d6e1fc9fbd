import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeClient } from '../src/kube/client.js';
import { copy } from '../src/podcp/copy.js';
import { LocalSide } from '../src/podcp/local.js';
import { RemoteSide } from '../src/podcp/remote.js';
import { FakeApiServer } from '../test/kube/fake-apiserver.js';

/**
 * `npm run bench -- cp`: pod -> local through the fake API server's real-process exec (the "container"
 * runs real tar), 1 GiB in one file and 10,000 small files, against kubectl cp's own approach — plain
 * `tar cf -` in the pod piped into a local `tar xf -` over the same exec stream — side by side.
 * Sizes can be reduced for a quick look: RAMPART_BENCH_CP_BYTES, RAMPART_BENCH_CP_FILES.
 */
export async function bench(): Promise<void> {
  const bigBytes = Number(process.env.RAMPART_BENCH_CP_BYTES ?? 1024 ** 3);
  const smallFiles = Number(process.env.RAMPART_BENCH_CP_FILES ?? 10_000);
  const scratch = await mkdtemp(join(tmpdir(), 'rampart-bench-cp-'));
  const fake = await FakeApiServer.start();
  try {
    const root = fake.addPod('bench');
    const client = KubeClient.fromOptions({ kubeconfig: fake.writeKubeconfig(scratch), env: {} });
    await writeBig(join(root, 'big.bin'), bigBytes);
    await mkdir(join(root, 'small'));
    let smallBytes = 0;
    for (let i = 0; i < smallFiles; i++) {
      smallBytes += 1024 + (i % 4096);
      await writeFile(join(root, 'small', `f${i}.txt`), randomBytes(1024 + (i % 4096)));
    }
    console.log(`pod -> local, one ${mib(bigBytes)} file and ${smallFiles} small files (random data)`);
    // Rates are file payload bytes per second for every method, so tar's headers do not flatter any row.
    console.log(`${'method'.padEnd(40)} ${'one big file'.padStart(22)} ${'small files'.padStart(22)}`);
    const methods: [string, (name: string, dest: string) => Promise<number>][] = [
      ['plain tar over exec (kubectl cp)', (name, dest) => plainTar(client, name, dest)],
      ['rampart cp --no-compress --no-verify', (name, dest) => viaRampart(client, name, dest, false, false)],
      [
        'rampart cp --no-compress (sha256 verify)',
        (name, dest) => viaRampart(client, name, dest, false, true),
      ],
      ['rampart cp (gzip + sha256 verify)', (name, dest) => viaRampart(client, name, dest, true, true)],
    ];
    let run = 0;
    for (const [label, method] of methods) {
      const cells: string[] = [];
      for (const name of ['big.bin', 'small']) {
        const dest = join(scratch, `out-${run++}`);
        await mkdir(dest);
        const started = performance.now();
        await method(name, dest);
        const bytes = name === 'big.bin' ? bigBytes : smallBytes;
        const seconds = (performance.now() - started) / 1000;
        cells.push(`${(bytes / 1024 ** 2 / seconds).toFixed(1)} MiB/s ${seconds.toFixed(2)}s`.padStart(22));
        await rm(dest, { recursive: true, force: true });
      }
      console.log(`${label.padEnd(40)} ${cells.join(' ')}`);
    }
  } finally {
    await fake.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

async function writeBig(path: string, size: number): Promise<void> {
  const out = createWriteStream(path);
  const block = randomBytes(4 * 1024 * 1024);
  for (let left = size; left > 0; left -= block.length) {
    if (!out.write(left >= block.length ? block : block.subarray(0, left)))
      await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

/** kubectl cp: `tar cf - PATH` in the container, its stdout straight into a local `tar xf -`. */
async function plainTar(client: KubeClient, name: string, dest: string): Promise<number> {
  const session = await client.openExec({ pod: 'bench', command: ['tar', 'cf', '-', name] });
  session.stderr.resume();
  const local = spawn('tar', ['xf', '-', '-C', dest], { stdio: ['pipe', 'ignore', 'inherit'] });
  let bytes = 0;
  session.stdout.on('data', (c: Buffer) => {
    bytes += c.length;
  });
  session.stdout.pipe(local.stdin);
  const [outcome] = await Promise.all([session.done, new Promise<void>((r) => local.on('close', () => r()))]);
  if (outcome.exitCode !== 0) throw new Error(`remote tar failed: ${outcome.message}`);
  return bytes;
}

async function viaRampart(
  client: KubeClient,
  name: string,
  dest: string,
  compress: boolean,
  verify: boolean,
): Promise<number> {
  const side = new RemoteSide({ client, pod: 'bench', namespace: 'default', compress });
  const report = await copy(side, name, new LocalSide(), dest, { verify });
  return report.bytes;
}

function mib(n: number): string {
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GiB` : `${(n / 1024 ** 2).toFixed(0)} MiB`;
}
