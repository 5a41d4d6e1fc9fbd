import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditDisks } from '../src/disk/audit.js';
import { reportFindings } from '../src/disk/findings.js';
import { renderAudit } from '../src/disk/render.js';

async function put(path: string, value: string | number): Promise<void> {
  await writeFile(path, `${value}\n`);
}

/** A sysfs tree of `disks` 512e disks with `parts` partitions each, every fourth one at LBA 63. */
async function makeTree(root: string, disks: number, parts: number): Promise<void> {
  for (let d = 0; d < disks; d++) {
    const name = `sd${String.fromCharCode(97 + Math.floor(d / 26))}${String.fromCharCode(97 + (d % 26))}`;
    const dir = join(root, 'block', name);
    await mkdir(join(dir, 'queue'), { recursive: true });
    await mkdir(join(dir, 'holders'), { recursive: true });
    const q: Record<string, number> = {
      logical_block_size: 512,
      physical_block_size: 4096,
      minimum_io_size: 4096,
      optimal_io_size: 0,
      rotational: 1,
      discard_granularity: 0,
    };
    await Promise.all(Object.entries(q).map(([k, v]) => put(join(dir, 'queue', k), v)));
    await Promise.all([
      put(join(dir, 'size'), 1953525168),
      put(join(dir, 'alignment_offset'), 0),
      put(join(dir, 'dev'), `8:${d * 16}`),
    ]);
    for (let p = 1; p <= parts; p++) {
      const pdir = join(dir, `${name}${p}`);
      await mkdir(join(pdir, 'holders'), { recursive: true });
      const start = p % 4 === 1 ? 63 + (p - 1) * 204800 : p * 204800;
      await Promise.all([
        put(join(pdir, 'partition'), p),
        put(join(pdir, 'start'), start),
        put(join(pdir, 'size'), 204800),
        put(join(pdir, 'alignment_offset'), (4096 - ((start * 512) % 4096)) % 4096),
        put(join(pdir, 'dev'), `8:${d * 16 + p}`),
      ]);
    }
  }
}

export async function bench(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'rampart-disk-bench-'));
  try {
    await makeTree(root, 64, 8);
    const runs: number[] = [];
    let findings = 0;
    let devices = 0;
    let partitions = 0;
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      const report = await auditDisks({ sysfsRoot: root, procRoot: null, runner: null });
      const results = reportFindings(report);
      renderAudit(report, results, 'json');
      runs.push(performance.now() - t0);
      findings = results.filter((r) => r.status === 'fail').length;
      devices = report.devices.length;
      partitions = report.devices.reduce((n, d) => n + d.partitions.length, 0);
    }
    runs.sort((a, b) => a - b);
    console.log(
      `disk audit (fixture sysfs, ${devices} disks, ${partitions} partitions, ${findings} findings): ` +
        `median ${runs[5]!.toFixed(1)} ms, worst ${runs[9]!.toFixed(1)} ms over 10 runs (target < 1000 ms)`,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await bench();
