import { spawn } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAll } from 'js-yaml';
import { stringify } from 'yaml';
import { mulberry32 } from '../src/core/prng.js';
import { discoverFiles } from '../src/load/discover.js';
import { emptyConfig } from '../src/scan/config.js';
import { runScan } from '../src/scan/run.js';

const DOCUMENTS = 20000;
const NAMESPACES = 60;
/** Issue 17's targets for the 20,000-document CLI scan (`-o json`). */
const TARGET_S = 5;
const TARGET_PARSE_RATIO = 4;
const TARGET_RSS_MIB = 600;
const SCALING = [5000, 20000, 80000];
/** CLI runs per figure: the 20,000-document target takes the median, the scaling table the fastest. */
const CLI_RUNS = 3;
const SCALING_RUNS = 2;

type Doc = Record<string, unknown>;

/**
 * Builds manifests the way application repositories look: mostly well-formed workloads, with the usual
 * mistakes sprinkled in (latest tags, missing requests, privileged debug pods, hostPath mounts, GPU env
 * without a GPU limit, missing labels), so every pack has both passing and failing work to do.
 */
class Generator {
  private readonly rand = mulberry32(20261126);
  private n = 0;

  private chance(p: number): boolean {
    return this.rand() < p;
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.rand() * list.length)]!;
  }

  namespace(i: number): Doc {
    return {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: `team-${i}`,
        labels: { team: `team-${i}`, ...(i % 5 === 0 ? { environment: 'production' } : {}) },
        annotations: { owner: `team-${i}@example.com`, 'cost-center': `cc-${1000 + i}` },
      },
    };
  }

  private container(name: string): Doc {
    const tag = this.chance(0.08)
      ? 'latest'
      : `1.${Math.floor(this.rand() * 30)}.${Math.floor(this.rand() * 10)}`;
    const digest = this.chance(0.3) ? `@sha256:${'ab12'.repeat(16)}` : '';
    const c: Doc = {
      name,
      image: `registry.example.com/${name}:${tag}${digest}`,
      ports: [{ containerPort: 8080 }],
    };
    if (!this.chance(0.15)) {
      const cpu = this.pick(['100m', '250m', '500m', '1', '2']);
      const mem = this.pick(['128Mi', '256Mi', '512Mi', '1Gi', '4Gi']);
      c.resources = {
        requests: { cpu, memory: mem },
        limits: this.chance(0.8)
          ? { memory: mem, ...(this.chance(0.3) ? { cpu: this.pick(['1', '2', '8']) } : {}) }
          : {},
      };
    }
    if (this.chance(0.6)) {
      c.securityContext = {
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: this.chance(0.7),
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      };
    } else if (this.chance(0.05)) {
      c.securityContext = { privileged: true };
    }
    if (this.chance(0.02)) c.env = [{ name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' }];
    return c;
  }

  private podSpec(app: string): Doc {
    const spec: Doc = {
      automountServiceAccountToken: this.chance(0.5) ? false : undefined,
      containers: [this.container(app), ...(this.chance(0.2) ? [this.container('istio-proxy')] : [])],
    };
    if (spec.automountServiceAccountToken === undefined) delete spec.automountServiceAccountToken;
    if (this.chance(0.03)) {
      spec.volumes = [{ name: 'dev', hostPath: { path: '/dev' } }];
      (spec.containers as Doc[])[0]!.volumeMounts = [{ name: 'dev', mountPath: '/dev' }];
    }
    if (this.chance(0.04)) {
      (spec.containers as Doc[])[0]!.resources = { limits: { 'nvidia.com/gpu': 1 } };
    }
    return spec;
  }

  private meta(name: string, ns: string, app: string): Doc {
    return {
      name,
      namespace: ns,
      labels: this.chance(0.85) ? { team: ns, app } : { app },
      ...(this.chance(0.7) ? { annotations: { owner: `${ns}@example.com`, 'cost-center': 'cc-1' } } : {}),
    };
  }

  /** One application's worth of documents in a namespace. */
  next(ns: string): Doc {
    this.n++;
    const app = `app-${this.n}`;
    const roll = this.rand();
    if (roll < 0.35) {
      return {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: this.meta(app, ns, app),
        spec: {
          replicas: 1 + Math.floor(this.rand() * 4),
          selector: { matchLabels: { app } },
          template: { metadata: { labels: { app, team: ns } }, spec: this.podSpec(app) },
        },
      };
    }
    if (roll < 0.6) {
      return {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: this.meta(app, ns, app),
        spec: { selector: { app }, ports: [{ port: 80, targetPort: 8080 }] },
      };
    }
    if (roll < 0.8) {
      return {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: this.meta(`${app}-config`, ns, app),
        data: { 'app.properties': `name=${app}\nlevel=info\n`, LOG_LEVEL: 'info' },
      };
    }
    if (roll < 0.92) {
      return {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: this.meta(app, ns, app),
        spec: this.podSpec(app),
      };
    }
    return {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: this.meta(app, ns, app),
      spec: {
        schedule: '0 3 * * *',
        jobTemplate: {
          spec: { template: { spec: { ...this.podSpec(app), restartPolicy: 'OnFailure' } } },
        },
      },
    };
  }
}

/** Writes `total` documents over total/4 files (one to seven per file). */
export async function generateRepository(
  root: string,
  total = DOCUMENTS,
): Promise<{ files: number; documents: number }> {
  const FILES = Math.round(total / 4);
  const DOCUMENTS = total;
  const g = new Generator();
  const perFile: number[] = [];
  // Spread documents unevenly over files (1..7 each) but hit the exact total.
  const rand = mulberry32(7);
  let left = DOCUMENTS - NAMESPACES;
  for (let f = 0; f < FILES - NAMESPACES; f++) {
    const filesLeft = FILES - NAMESPACES - f;
    const max = Math.min(7, left - (filesLeft - 1));
    const min = Math.max(1, left - (filesLeft - 1) * 7);
    const n = f === FILES - NAMESPACES - 1 ? left : min + Math.floor(rand() * (max - min + 1));
    perFile.push(n);
    left -= n;
  }
  let documents = 0;
  const writes: Promise<void>[] = [];
  const flush = async () => {
    await Promise.all(writes.splice(0));
  };
  for (let i = 0; i < NAMESPACES; i++) {
    const dir = join(root, 'clusters', `team-${i}`);
    await mkdir(dir, { recursive: true });
    writes.push(writeFile(join(dir, 'namespace.yaml'), stringify(g.namespace(i))));
    documents++;
  }
  for (const [f, count] of perFile.entries()) {
    const ns = `team-${f % NAMESPACES}`;
    const dir = join(root, 'apps', ns, `svc-${Math.floor(f / NAMESPACES) % 20}`);
    if (f < NAMESPACES * 20) await mkdir(dir, { recursive: true });
    const docs: Doc[] = [];
    for (let d = 0; d < count; d++) docs.push(g.next(ns));
    documents += docs.length;
    writes.push(writeFile(join(dir, `manifest-${f}.yaml`), docs.map((d) => stringify(d)).join('---\n')));
    if (writes.length >= 256) await flush();
  }
  await flush();
  return { files: FILES, documents };
}

function binPath(): string {
  // Compiled: dist/bench/scan.js; from source (tsx): bench/scan.ts.
  for (const rel of ['../../bin/rampart.js', '../bin/rampart.js']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error('bench/scan: bin/rampart.js not found');
}

interface CliRun {
  code: number;
  seconds: number;
  /** Peak resident set of the whole process (workers included), from GNU time; undefined without it. */
  peakRssMiB?: number;
  stderr: string;
}

/** Runs the CLI under GNU time when it is installed, for the peak RSS. */
function runCli(dir: string): Promise<CliRun> {
  const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const args = [binPath(), 'scan', dir, '-o', 'json'];
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(
      gnuTime ?? process.execPath,
      gnuTime ? ['-f', 'RAMPART_PEAK_RSS_KB=%M', process.execPath, ...args] : args,
      { stdio: ['ignore', openSync('/dev/null', 'w'), 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
    );
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const rss = /RAMPART_PEAK_RSS_KB=(\d+)/.exec(stderr);
      resolvePromise({
        code: code ?? -1,
        seconds: (performance.now() - started) / 1000,
        peakRssMiB: rss ? Math.round(Number(rss[1]) / 1024) : undefined,
        stderr: stderr.replace(/RAMPART_PEAK_RSS_KB=\d+\n?/, ''),
      });
    });
  });
}

/** The run with the median wall time. */
function median(runs: CliRun[]): CliRun {
  return [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)]!;
}

/** What a plain js-yaml parse of the same files costs: the floor a scan is compared with. */
async function plainParseSeconds(root: string): Promise<number> {
  const files = await discoverFiles([root], { accept: (name) => /\.ya?ml$/.test(name) });
  const started = performance.now();
  for (const f of files) loadAll(await readFile(f, 'utf8'));
  return (performance.now() - started) / 1000;
}

function loadLine(): string {
  const [one, five] = loadavg();
  return `machine: ${availableParallelism()} cores, load average ${one!.toFixed(2)} (1 min), ${five!.toFixed(2)} (5 min)`;
}

export async function bench(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'rampart-scan-bench-'));
  try {
    console.log(loadLine());
    const genStart = performance.now();
    const { files, documents } = await generateRepository(root);
    console.log(
      `generated ${files} files, ${documents} documents in ${((performance.now() - genStart) / 1000).toFixed(2)} s`,
    );

    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const rssBefore = process.memoryUsage().rss;
    const outcome = await runScan({ paths: [root], config: emptyConfig() });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const counts: Record<string, number> = {};
    for (const r of outcome.results) counts[r.status] = (counts[r.status] ?? 0) + 1;
    console.log(
      `runScan (packs: ${outcome.packs.join(', ')}): ${outcome.documents} documents in ${seconds.toFixed(2)} s = ${Math.round(outcome.documents / seconds)} documents/s (process CPU, all threads ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, rss +${Math.round((process.memoryUsage().rss - rssBefore) / 1048576)} MiB)`,
    );
    console.log(
      `  ${[...outcome.results].length} results: ${Object.entries(counts)
        .sort()
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}; ${outcome.errors.length} input errors, ${outcome.notices.length} notices`,
    );

    const parse = await plainParseSeconds(root);
    // One run is at the mercy of whatever else the machine does: the target is judged on the median.
    const runs: CliRun[] = [];
    for (let i = 0; i < CLI_RUNS; i++) runs.push(await runCli(root));
    const cli = median(runs);
    // Memory is judged on the worst run.
    const peaks = runs.flatMap((r) => (r.peakRssMiB === undefined ? [] : [r.peakRssMiB]));
    const peakRssMiB = peaks.length ? Math.max(...peaks) : undefined;
    console.log(
      `CLI \`rampart scan DIR -o json > /dev/null\`, median of ${CLI_RUNS}: ${cli.seconds.toFixed(2)} s wall (runs: ${runs.map((r) => r.seconds.toFixed(2)).join(', ')} s), peak RSS ${peakRssMiB ?? '?'} MiB (largest run), exit ${cli.code}` +
        (cli.code > 1 ? `; stderr: ${cli.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''),
    );
    console.log(`plain js-yaml parse of the same files: ${parse.toFixed(2)} s`);
    const ratio = cli.seconds / parse;
    console.log(`  target < ${TARGET_S} s wall: ${cli.seconds < TARGET_S ? 'met' : 'MISSED'}`);
    console.log(
      `  target <= ${TARGET_PARSE_RATIO}x the plain parse: ${ratio.toFixed(1)}x, ${ratio <= TARGET_PARSE_RATIO ? 'met' : 'MISSED'}`,
    );
    if (peakRssMiB !== undefined)
      console.log(
        `  target peak RSS < ${TARGET_RSS_MIB} MiB: ${peakRssMiB < TARGET_RSS_MIB ? 'met' : 'MISSED'}`,
      );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  await scaling();
}

/** The CLI at 5,000 / 20,000 / 80,000 documents: time and memory should grow linearly, or less. */
async function scaling(): Promise<void> {
  const sizes = process.env.RAMPART_BENCH_SCAN_SIZES
    ? process.env.RAMPART_BENCH_SCAN_SIZES.split(',').map(Number)
    : SCALING;
  console.log(`\nscaling (CLI, -o json, fastest of ${SCALING_RUNS} runs):`);
  console.log('  documents    wall s   documents/s   peak RSS MiB');
  for (const size of sizes) {
    const root = await mkdtemp(join(tmpdir(), 'rampart-scan-scale-'));
    try {
      await generateRepository(root, size);
      const runs: CliRun[] = [];
      for (let i = 0; i < SCALING_RUNS; i++) runs.push(await runCli(root));
      const cli = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
      console.log(
        `  ${String(size).padStart(9)}  ${cli.seconds.toFixed(2).padStart(8)}  ${String(Math.round(size / cli.seconds)).padStart(12)}  ${String(cli.peakRssMiB ?? '?').padStart(13)}${cli.code > 1 ? `  (exit ${cli.code})` : ''}`,
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
  console.log(`  ${loadLine()}`);
}
