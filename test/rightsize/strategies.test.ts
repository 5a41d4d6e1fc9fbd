import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AT, clusterFamilies } from '../../src/rightsize/demo/cluster.js';
import { type Family, writeOpenMetrics } from '../../src/rightsize/demo/openmetrics.js';
import {
  prometheusAvailable,
  type RunningPrometheus,
  startPrometheus,
} from '../../src/rightsize/demo/prometheus.js';
import { decayWeight, ExponentialHistogram } from '../../src/rightsize/strategies/histogram.js';
import { find, referenceByPod, runWithFlags } from './helpers.js';
import { rate, steps } from './reference.js';

const MIB = 2 ** 20;
const D = 86_400;
const skip = prometheusAvailable() ? false : 'prometheus/promtool not installed (apt-get install prometheus)';

describe('VPA histogram', () => {
  test('percentile is the upper edge of the bucket reaching p·total', () => {
    const h = new ExponentialHistogram(1000, 0.01, 1.05);
    for (let i = 0; i < 90; i++) h.add(0.1, 1);
    for (let i = 0; i < 10; i++) h.add(2, 1);
    const edge = (v: number) => h.bucketStart(h.findBucket(v) + 1);
    assert.equal(h.percentile(0.9), edge(0.1));
    assert.equal(h.percentile(0.95), edge(2));
    assert.ok(edge(0.1) > 0.1 && edge(0.1) <= 0.1 * 1.2, 'buckets near 0.1 core are 15 % wide');
    assert.equal(h.percentile(0.5), edge(0.1));
    assert.equal(new ExponentialHistogram(1000, 0.01, 1.05).percentile(0.9), 0, 'empty histogram');
  });

  test('decay halves a weight per half-life into the past', () => {
    assert.equal(decayWeight(1, 0, D, D), 0.5);
    assert.equal(decayWeight(0.1, 5, 5, D), 0.1);
  });
});

describe('target-utilization and vpa strategies against a real Prometheus', { skip }, () => {
  let prom: RunningPrometheus;
  let families: Family[];
  before(async () => {
    families = clusterFamilies();
    prom = await startPrometheus((file) => writeOpenMetrics(file, families));
  });
  after(async () => {
    await prom?.stop();
  });
  const series = (name: string) => families.find((f) => f.name === name)!.series;
  const webPods = ['shop/web-5d8f7c9b6-aaaaa/app', 'shop/web-5d8f7c9b6-bbbbb/app'];

  test('target-utilization: max usage ÷ profile target (production 0.65), Kubecost minimums', async () => {
    const report = await runWithFlags(prom.url, {
      strategy: 'target-utilization',
      namespace: ['shop', 'kube-system'],
    });
    const ref = referenceByPod(
      series('container_cpu_usage_seconds'),
      series('container_memory_working_set_bytes'),
      14 * D,
      75,
    );
    const pods = webPods.map((k) => ref.get(k)!);
    const cpuMax = Math.max(...pods.map((p) => p.cpuMax!));
    const memMax = Math.max(...pods.map((p) => p.memoryMax!));
    const web = find(report, 'shop', 'web', 'app');
    assert.equal(web.recommended.requests.cpu, Math.max(Math.ceil((cpuMax / 0.65) * 1000) / 1000, 0.01));
    assert.equal(web.recommended.requests.memory, Math.ceil(memMax / 0.65 / MIB) * MIB);
    assert.equal(web.recommended.limits.memory, Math.max(512 * MIB, web.recommended.requests.memory!));
    const logs = find(report, 'kube-system', 'logs', 'fluentbit');
    assert.equal(logs.recommended.requests.memory, Math.ceil((30 * MIB) / 0.65 / MIB) * MIB);
    assert.equal(report.strategy.settings.algorithm, 'max');
  });

  test('target-utilization: profiles, explicit targets and the quantile algorithm', async () => {
    const ref = referenceByPod(
      series('container_cpu_usage_seconds'),
      series('container_memory_working_set_bytes'),
      14 * D,
      75,
      0.9,
    );
    const pods = webPods.map((k) => ref.get(k)!);
    const dev = await runWithFlags(prom.url, {
      strategy: 'target-utilization',
      profile: 'development',
      namespace: ['shop'],
    });
    const cpuMax = Math.max(...pods.map((p) => p.cpuMax!));
    assert.equal(
      find(dev, 'shop', 'web', 'app').recommended.requests.cpu,
      Math.ceil((cpuMax / 0.8) * 1000) / 1000,
    );
    const q = await runWithFlags(prom.url, {
      strategy: 'target-utilization',
      quantile: '0.9',
      'target-cpu-utilization': '0.5',
      'target-memory-utilization': '1',
      namespace: ['shop'],
    });
    const web = find(q, 'shop', 'web', 'app');
    const cpuQ = Math.max(...pods.map((p) => p.cpuQuantile!));
    const memQ = Math.max(...pods.map((p) => p.memoryQuantile!));
    assert.equal(web.recommended.requests.cpu, Math.ceil((cpuQ / 0.5) * 1000) / 1000);
    assert.equal(web.recommended.requests.memory, Math.ceil(memQ / MIB) * MIB);
  });

  test('vpa: target = P90 bucket edge × 1.15 over decayed samples, bounds ordered, per-pod minimums split', async () => {
    const report = await runWithFlags(prom.url, { strategy: 'vpa', namespace: ['shop', 'kube-system'] });
    const pg = find(report, 'shop', 'db', 'postgres');
    assert.ok(pg.bounds, 'vpa reports bounds');
    assert.ok(pg.bounds!.lower.cpu! <= pg.recommended.requests.cpu!);
    assert.ok(pg.recommended.requests.cpu! <= pg.bounds!.upper.cpu!);
    assert.ok(pg.bounds!.lower.memory! <= pg.recommended.requests.memory!);
    assert.ok(pg.recommended.requests.memory! <= pg.bounds!.upper.memory!);
    // Independently: decayed weights of the reference rates at each 75 s step, and the bucket edges around P90.
    const cpu = series('container_cpu_usage_seconds').filter(
      (s) => s.labels.pod === 'db-0' && s.labels.container === 'postgres',
    );
    const samples: Array<[number, number]> = [];
    for (const t of steps(AT, 14 * D, 75)) {
      const v = rate(cpu[0]!.samples, t, 75);
      if (v !== undefined) samples.push([t, v]);
    }
    const target = pg.recommended.requests.cpu! / 1.15;
    const h = new ExponentialHistogram(1000, 0.01, 1.05);
    const edgeAbove = h.bucketStart(h.findBucket(target * 0.999) + 1);
    assert.ok(
      Math.abs(edgeAbove - target) < 0.0011,
      `target/1.15 = ${target} sits on a bucket edge (${edgeAbove})`,
    );
    const prevEdge = h.bucketStart(h.findBucket(target * 0.999));
    const total = samples.reduce((a, [t]) => a + 2 ** ((t - AT) / D), 0);
    const below = (edge: number) =>
      samples.filter(([, v]) => v < edge).reduce((a, [t]) => a + 2 ** ((t - AT) / D), 0);
    assert.ok(
      below(target + 1e-3) / total >= 0.9,
      'at least 90 % of the decayed weight is below the target edge',
    );
    assert.ok(below(prevEdge) / total < 0.9, 'less than 90 % below the previous edge');
    // fluentbit uses almost nothing: the per-pod minimum (25m, 250Mi) applies, split over one container.
    const logs = find(report, 'kube-system', 'logs', 'fluentbit');
    assert.equal(logs.recommended.requests.cpu, 0.025);
    assert.equal(logs.recommended.requests.memory, 250 * MIB);
    // web has two containers: the minimum is split in two.
    const proxy = find(report, 'shop', 'web', 'istio-proxy');
    assert.ok(proxy.recommended.requests.memory! >= 125 * MIB);
    assert.equal(report.strategy.name, 'vpa');
  });
});
