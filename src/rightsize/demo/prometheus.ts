import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A local Prometheus over generated data, for `rampart rightsize --demo` and the tests (which skip with a message
 * when it is absent). Debian's `prometheus` package ships both binaries used here, `prometheus` and `promtool`.
 */
export function prometheusAvailable(): boolean {
  return (
    spawnSync('prometheus', ['--version']).status === 0 && spawnSync('promtool', ['--version']).status === 0
  );
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Turns one OpenMetrics file into TSDB blocks inside storage. --max-block-duration keeps it to one block per
 * ~6 months; promtool's default 2 h blocks would re-read the whole file once per block.
 */
export async function backfill(input: string, storage: string): Promise<void> {
  const blocks = `${storage}.blocks-${process.pid}-${Date.now()}`;
  try {
    await run(
      'promtool',
      ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=4374h', '-r', input, blocks],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    for (const b of await readdir(blocks)) await rename(join(blocks, b), join(storage, b));
  } finally {
    await rm(blocks, { recursive: true, force: true });
  }
}

export interface RunningPrometheus {
  url: string;
  dir: string;
  stop(): Promise<void>;
}

/**
 * Backfills an OpenMetrics file with promtool into a fresh TSDB and starts a Prometheus on 127.0.0.1 that
 * scrapes nothing, keeps data for 100 years (retention counts from the newest block, not the clock) and
 * lives until stop().
 */
export async function startPrometheus(
  writeOpenMetrics: (file: string) => Promise<void>,
  options: { maxSamples?: number; args?: string[]; dir?: string; keepData?: boolean } = {},
): Promise<RunningPrometheus> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'rampart-prom-')));
  const storage = join(dir, 'prom');
  try {
    await mkdir(storage, { recursive: true });
    if ((await readdir(storage)).length === 0) {
      const input = join(dir, 'data.om');
      await writeOpenMetrics(input);
      await backfill(input, storage);
      await rm(input, { force: true });
    }
    const config = join(dir, 'prometheus.yml');
    await writeFile(config, 'global: {scrape_interval: 1m, evaluation_interval: 1m}\nscrape_configs: []\n');
    return await launch(dir, storage, config, options);
  } catch (error) {
    if (!options.dir) await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function launch(
  dir: string,
  storage: string,
  config: string,
  options: { maxSamples?: number; args?: string[]; dir?: string; keepData?: boolean },
): Promise<RunningPrometheus> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${storage}`,
      '--storage.tsdb.retention.time=100y',
      `--web.listen-address=127.0.0.1:${port}`,
      `--query.max-samples=${options.maxSamples ?? 50_000_000}`,
      '--query.timeout=2m',
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr.on('data', (d) => {
    log = (log + d).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    if (!options.keepData) await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited early: ${log}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready after 30 s: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, dir, stop };
}
