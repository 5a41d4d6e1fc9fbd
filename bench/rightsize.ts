import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backfill, prometheusAvailable, startPrometheus } from '../src/rightsize/demo/prometheus.js';
import { PrometheusClient, rightsize } from '../src/rightsize/index.js';
import { prometheusOptions, rightsizeOptions } from '../src/rightsize/options.js';

const CONTAINERS = Number(process.env.RAMPART_BENCH_RIGHTSIZE_CONTAINERS ?? 2000);
const DAYS = Number(process.env.RAMPART_BENCH_RIGHTSIZE_DAYS ?? 14);
const AT = 1_767_225_600;
const SCRAPE = 30;
const PER_POD = 2;
const PER_DEPLOYMENT = 5;
const NAMESPACES = 20;
const SHARDS = 10;

interface Pod {
  ns: string;
  deployment: string;
  rs: string;
  pod: string;
  seed: number;
}

function pods(): Pod[] {
  const out: Pod[] = [];
  for (let i = 0; i < CONTAINERS / PER_POD; i++) {
    const d = Math.floor(i / PER_DEPLOYMENT);
    out.push({
      ns: `team-${d % NAMESPACES}`,
      deployment: `svc-${d}`,
      rs: `svc-${d}-6f7d8c9b5`,
      pod: `svc-${d}-6f7d8c9b5-${(i % PER_DEPLOYMENT).toString(36).padStart(5, 'x')}`,
      seed: i + 1,
    });
  }
  return out;
}

interface SeriesState {
  prefix: string;
  x: number;
  counter: number;
}

/** A line buffer whose flushes are the only awaits, so generation runs at memory speed. */
class Lines {
  private buf: string[] = [];
  constructor(private readonly out: ReturnType<typeof createWriteStream>) {}
  push(line: string): boolean {
    this.buf.push(line);
    return this.buf.length >= 100_000;
  }
  async flush(): Promise<void> {
    if (this.buf.length === 0) return;
    const text = this.buf.join('');
    this.buf = [];
    if (!this.out.write(text)) await once(this.out, 'drain');
  }
}

/**
 * Writes the samples of [from, to) for every series. Shards split time, not series, so the blocks promtool
 * makes do not overlap and Prometheus reads them as it would its own compacted blocks.
 */
async function writeShard(
  file: string,
  from: number,
  to: number,
  cpu: SeriesState[],
  mem: SeriesState[],
  ksm: string[],
): Promise<void> {
  const out = createWriteStream(file, { highWaterMark: 1 << 22 });
  const lines = new Lines(out);
  const first = Math.ceil((from - 7) / SCRAPE) * SCRAPE + 7;
  lines.push('# TYPE container_cpu_usage_seconds counter\n');
  for (const s of cpu) {
    for (let t = first; t < to; t += SCRAPE) {
      s.x = (s.x * 1103515245 + 12345) & 0x7fffffff;
      s.counter += ((s.x % 500) / 1000 + 0.01) * SCRAPE;
      if (lines.push(`${s.prefix}${Math.round(s.counter * 1000) / 1000} ${t}\n`)) await lines.flush();
    }
  }
  lines.push('# TYPE container_memory_working_set_bytes gauge\n');
  for (const s of mem) {
    for (let t = first; t < to; t += SCRAPE) {
      s.x = (s.x * 1103515245 + 12345) & 0x7fffffff;
      if (lines.push(`${s.prefix}${s.counter + (s.x % 8388608)} ${t}\n`)) await lines.flush();
    }
  }
  const hourly = [];
  for (let t = Math.ceil((from - 7) / 3600) * 3600 + 7; t < to; t += 3600) hourly.push(t);
  let family = '';
  for (const row of ksm) {
    const name = row.slice(0, row.indexOf('{'));
    if (name !== family) {
      lines.push(`# TYPE ${name} gauge\n`);
      family = name;
    }
    for (const t of hourly) if (lines.push(`${row} ${t}\n`)) await lines.flush();
  }
  lines.push('# EOF\n');
  await lines.flush();
  out.end();
  await once(out, 'finish');
}

async function buildTsdb(dir: string): Promise<void> {
  const storage = join(dir, 'prom');
  await mkdir(storage, { recursive: true });
  const all = pods();
  const cpu: SeriesState[] = [];
  const mem: SeriesState[] = [];
  const ksm: string[] = [];
  for (const p of all) {
    for (let c = 0; c < PER_POD; c++) {
      const labels = `namespace="${p.ns}",pod="${p.pod}",container="c${c}",job="kubelet"`;
      cpu.push({
        prefix: `container_cpu_usage_seconds_total{${labels}} `,
        x: p.seed * 7919 + c,
        counter: 1000,
      });
      mem.push({
        prefix: `container_memory_working_set_bytes{${labels}} `,
        x: p.seed * 104729 + c,
        counter: (100 + (p.seed % 50)) * 1048576,
      });
    }
  }
  for (const p of all) {
    ksm.push(
      `kube_pod_owner{namespace="${p.ns}",pod="${p.pod}",owner_kind="ReplicaSet",owner_name="${p.rs}"} 1`,
    );
  }
  for (const p of new Map(all.map((p) => [p.rs, p])).values()) {
    ksm.push(
      `kube_replicaset_owner{namespace="${p.ns}",replicaset="${p.rs}",owner_kind="Deployment",owner_name="${p.deployment}"} 1`,
    );
  }
  for (const p of all) {
    for (let c = 0; c < PER_POD; c++) {
      ksm.push(
        `kube_pod_container_resource_requests{namespace="${p.ns}",pod="${p.pod}",container="c${c}",resource="cpu"} 0.5`,
      );
      ksm.push(
        `kube_pod_container_resource_requests{namespace="${p.ns}",pod="${p.pod}",container="c${c}",resource="memory"} 536870912`,
      );
    }
  }
  const start = AT - DAYS * 86_400;
  const span = Math.ceil((AT + 1 - start) / SHARDS);
  let pending: Promise<void> = Promise.resolve();
  for (let s = 0; s < SHARDS; s++) {
    const file = join(dir, `shard-${s}.om`);
    const t = performance.now();
    await writeShard(file, start + s * span, Math.min(AT + 1, start + (s + 1) * span), cpu, mem, ksm);
    console.log(`  shard ${s + 1}/${SHARDS} generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    // Backfill the previous shard while the next is generated: promtool and node each keep a core busy.
    await pending;
    pending = backfill(file, storage).then(() => rm(file, { force: true }));
  }
  await pending;
  await writeFile(join(dir, 'complete'), '');
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export async function bench(): Promise<void> {
  if (!prometheusAvailable()) {
    console.log('rightsize: skipped (prometheus/promtool not installed: apt-get install prometheus)');
    return;
  }
  const dir = join(
    process.env.RAMPART_BENCH_CACHE ?? tmpdir(),
    `rampart-bench-rightsize-${CONTAINERS}x${DAYS}d-v2`,
  );
  if (!existsSync(join(dir, 'complete'))) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const t = performance.now();
    console.log(
      `rightsize: building a ${CONTAINERS}-container × ${DAYS}-day TSDB in ${dir} (cached for later runs)`,
    );
    await buildTsdb(dir);
    console.log(`  TSDB built in ${fmt(performance.now() - t)}`);
  }
  // Room for krr's single cluster-wide queries (4,000 series × 16,129 steps), the baseline measured below;
  // Rampart itself stays within the default 50 M by batching.
  const prom = await startPrometheus(async () => {}, { dir, keepData: true, maxSamples: 200_000_000 });
  try {
    console.log(
      `rightsize: ${CONTAINERS} containers × ${DAYS} days at 30 s (${(await readdir(join(dir, 'prom'))).length} blocks)`,
    );
    const raw = new PrometheusClient({ url: prom.url, retries: 0, concurrency: 1 });
    // The same data straight from Prometheus: krr's four statistics as cluster-wide instant queries.
    const sel = 'container!="",container!="POD"';
    const by = 'namespace, pod, container';
    const W = `${DAYS}d`;
    const krr = [
      `quantile_over_time(0.95, max by (${by}) (rate(container_cpu_usage_seconds_total{${sel}}[75s]))[${W}:75s])`,
      `count_over_time(max by (${by}) (container_cpu_usage_seconds_total{${sel}})[${W}:75s])`,
      `max_over_time(max by (${by}) (container_memory_working_set_bytes{${sel}})[${W}:75s])`,
      `count_over_time(max by (${by}) (container_memory_working_set_bytes{${sel}})[${W}:75s])`,
    ];
    // Warm the page cache once so both measurements read the same hot blocks.
    await raw.instant(`count(last_over_time(container_memory_working_set_bytes[${W}]))`, AT);
    const t0 = performance.now();
    for (const q of krr) await raw.instant(q, AT);
    const baseline = performance.now() - t0;
    console.log(`  Prometheus alone, krr's 4 cluster-wide queries in sequence: ${fmt(baseline)}`);

    for (const [label, extra] of [
      ['defaults', {}],
      ['--startup-period 0', { 'startup-period': '0' }],
    ] as const) {
      const values = { prometheus: prom.url, at: String(AT), window: W, retries: '0', ...extra };
      const client = new PrometheusClient(prometheusOptions(values));
      const t = performance.now();
      const report = await rightsize(client, rightsizeOptions(values));
      const total = performance.now() - t;
      const own = total - client.busyMs;
      console.log(
        `  rampart rightsize (${label}): total ${fmt(total)}, waiting on Prometheus ${fmt(client.busyMs)}, ` +
          `Rampart ${fmt(own)} (${((own / total) * 100).toFixed(1)} %), ${client.queries} queries, ` +
          `${report.recommendations.length} recommendations; total / Prometheus-alone = ${(total / baseline).toFixed(2)}`,
      );
    }
  } finally {
    await prom.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await bench();
