import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { clusterFamilies } from '../../src/rightsize/demo/cluster.js';
import type { Family } from '../../src/rightsize/demo/openmetrics.js';
import { writeOpenMetrics } from '../../src/rightsize/demo/openmetrics.js';
import {
  prometheusAvailable,
  type RunningPrometheus,
  startPrometheus,
} from '../../src/rightsize/demo/prometheus.js';
import { find, referenceByPod, runWithFlags } from './helpers.js';

const MIB = 2 ** 20;
const D = 86_400;
const skip = prometheusAvailable() ? false : 'prometheus/promtool not installed (apt-get install prometheus)';

describe('rightsize simple strategy against a real Prometheus', { skip }, () => {
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

  /** krr's formulas applied to the reference statistics, with krr's rounding. */
  function expected(window: number, keys: string[], opts: { percentile?: number; buffer?: number } = {}) {
    const ref = referenceByPod(
      series('container_cpu_usage_seconds'),
      series('container_memory_working_set_bytes'),
      window,
      75,
      (opts.percentile ?? 95) / 100,
    );
    const pods = keys.map((k) => ref.get(k)).filter((p) => p !== undefined);
    const cpu = Math.max(...pods.filter((p) => p.cpuQuantile !== undefined).map((p) => p.cpuQuantile!));
    const mem = Math.max(...pods.filter((p) => p.memoryMax !== undefined).map((p) => p.memoryMax!));
    return {
      cpuRaw: cpu,
      memRaw: mem,
      cpu: Math.max(Math.ceil(cpu * 1000) / 1000, 0.01),
      memory: Math.max(Math.ceil((mem * (1 + (opts.buffer ?? 15) / 100)) / MIB) * MIB, 100 * MIB),
      cpuPoints: pods.reduce((a, p) => a + p.cpuCount, 0),
      memPoints: pods.reduce((a, p) => a + p.memoryCount, 0),
    };
  }

  test('defaults (14d window, 75s step, p95, +15 %) match values computed independently from the samples', async () => {
    const report = await runWithFlags(prom.url);
    const cases: Array<[string, string, string, string[]]> = [
      ['shop', 'web', 'app', ['shop/web-5d8f7c9b6-aaaaa/app', 'shop/web-5d8f7c9b6-bbbbb/app']],
      [
        'shop',
        'web',
        'istio-proxy',
        ['shop/web-5d8f7c9b6-aaaaa/istio-proxy', 'shop/web-5d8f7c9b6-bbbbb/istio-proxy'],
      ],
      ['shop', 'db', 'postgres', ['shop/db-0/postgres']],
      ['default', 'debug', 'shell', ['default/debug/shell']],
      ['kube-system', 'logs', 'fluentbit', ['kube-system/logs-eeeee/fluentbit']],
    ];
    for (const [ns, name, container, keys] of cases) {
      const want = expected(14 * D, keys);
      const got = find(report, ns, name, container);
      assert.equal(got.recommended.requests.cpu, want.cpu, `${name}/${container} cpu request`);
      assert.equal(got.recommended.limits.cpu, null, `${name}/${container} cpu limit is unset`);
      assert.equal(got.recommended.requests.memory, want.memory, `${name}/${container} memory request`);
      assert.equal(got.recommended.limits.memory, want.memory, `${name}/${container} memory limit = request`);
      assert.ok(Math.abs(got.usage.cpu.statistic! - want.cpuRaw) <= 1e-9 * want.cpuRaw, `${name} p95 raw`);
      assert.equal(got.usage.memory.statistic, want.memRaw, `${name} max working set`);
      assert.equal(got.usage.cpu.points, want.cpuPoints, `${name} cpu points`);
      assert.equal(got.usage.memory.points, want.memPoints, `${name} memory points`);
    }
    // fluentbit's p95 is far below 10m: krr's minimums apply.
    assert.equal(find(report, 'kube-system', 'logs', 'fluentbit').recommended.requests.cpu, 0.01);
    assert.equal(find(report, 'kube-system', 'logs', 'fluentbit').recommended.requests.memory, 100 * MIB);
  });

  test('workloads resolve through owner chains, keep deleted pods and skip pod-level series', async () => {
    const report = await runWithFlags(prom.url);
    const kinds = new Map(report.recommendations.map((r) => [r.workload.name, r.workload.kind]));
    assert.deepEqual(Object.fromEntries(kinds), {
      report: 'CronJob',
      debug: 'Pod',
      logs: 'DaemonSet',
      api: 'Deployment',
      web: 'Deployment',
      db: 'StatefulSet',
    });
    const web = find(report, 'shop', 'web', 'app');
    assert.equal(web.pods, 2, 'the deleted pod is part of the workload');
    assert.equal(web.replicas, 1, 'only one pod is running at --at');
    assert.ok(!report.recommendations.some((r) => r.container === '' || r.container === 'POD'));
    assert.equal(find(report, 'shop', 'db', 'migrate').role, 'init');
    const db = report.workloads.find((w) => w.name === 'db')!;
    assert.equal(find(report, 'shop', 'db', 'log-shipper').role, 'sidecar');
    assert.equal(db.effectiveRequests.current.cpu, 1.05, 'max(init 200m, app 1 + sidecar 50m)');
    assert.equal(
      db.effectiveRequests.recommended.cpu,
      find(report, 'shop', 'db', 'postgres').recommended.requests.cpu! +
        find(report, 'shop', 'db', 'log-shipper').recommended.requests.cpu!,
    );
  });

  test('too few points, HPA and OOM kills are reported, never guessed', async () => {
    const report = await runWithFlags(prom.url);
    const job = find(report, 'batch', 'report', 'job');
    assert.deepEqual(job.reason, { cpu: 'Not enough data', memory: 'Not enough data' });
    assert.ok(job.usage.cpu.points < 100);
    assert.equal(job.recommended.requests.cpu, 1, 'undefined recommendations keep the current value');
    assert.equal(job.severity.overall, 'UNKNOWN');
    const api = find(report, 'shop', 'api', 'api');
    assert.equal(api.reason.cpu, 'HPA detected');
    assert.equal(api.recommended.requests.cpu, 0.25);
    assert.equal(api.severity.memory, 'CRITICAL', 'krr marks OOM-killed containers critical');
    const allowed = await runWithFlags(prom.url, { 'allow-hpa': true, namespace: ['shop'] });
    const want = expected(14 * D, ['shop/api-6b7c8d9e0f-ccccc/api']);
    assert.equal(find(allowed, 'shop', 'api', 'api').recommended.requests.cpu, want.cpu);
    assert.equal(find(allowed, 'shop', 'api', 'api').reason.cpu, undefined);
  });

  test('--use-oomkill-data takes the OOM-killed limit × 1.25 when larger', async () => {
    const report = await runWithFlags(prom.url, { 'use-oomkill-data': true, namespace: ['shop'] });
    const api = find(report, 'shop', 'api', 'api');
    assert.equal(api.recommended.requests.memory, 375 * MIB, '300Mi × 1.25');
    assert.equal(api.reason.memory, 'OOMKill detected');
  });

  test('parameters are flags: percentile, buffer, window, minimums, points', async () => {
    const report = await runWithFlags(prom.url, {
      'cpu-percentile': '50',
      'memory-buffer': '0',
      window: '2d',
      'min-memory': '1Mi',
      'min-cpu': '1m',
      namespace: ['shop'],
    });
    const want = expected(2 * D, ['shop/web-5d8f7c9b6-aaaaa/app', 'shop/web-5d8f7c9b6-bbbbb/app'], {
      percentile: 50,
      buffer: 0,
    });
    const got = find(report, 'shop', 'web', 'app');
    assert.equal(got.recommended.requests.cpu, Math.ceil(want.cpuRaw * 1000) / 1000);
    assert.equal(got.recommended.requests.memory, Math.ceil(want.memRaw / MIB) * MIB);
    const strict = await runWithFlags(prom.url, { 'points-required': '100000', namespace: ['shop'] });
    assert.ok(
      strict.recommendations.every(
        (r) => r.reason.cpu === 'Not enough data' || r.reason.cpu === 'HPA detected',
      ),
    );
  });

  test('--at in the past sees only data up to then', async () => {
    const at = String(1_767_225_600 - 12 * D);
    const report = await runWithFlags(prom.url, { at });
    const names = new Set(report.recommendations.map((r) => r.workload.name));
    assert.deepEqual([...names].sort(), ['web'], 'only the old web pod existed 12 days earlier');
    assert.equal(find(report, 'shop', 'web', 'app').pods, 1);
  });

  test('filters: namespace globs, exclusions, selector and workload kind', async () => {
    const names = async (flags: Parameters<typeof runWithFlags>[1]) =>
      [...new Set((await runWithFlags(prom.url, flags)).recommendations.map((r) => r.workload.name))].sort();
    assert.deepEqual(await names({ namespace: ['sh*'] }), ['api', 'db', 'web']);
    assert.deepEqual(await names({ 'exclude-namespace': ['shop', 'kube-*'] }), ['debug', 'report']);
    assert.deepEqual(await names({ selector: 'tier in (frontend,backend),app!=db' }), ['web']);
    assert.deepEqual(await names({ 'workload-kind': ['StatefulSet,DaemonSet'] }), ['db', 'logs']);
  });

  test('QoS changes and startup peaks produce warnings', async () => {
    const report = await runWithFlags(prom.url, { namespace: ['shop'] });
    const pg = find(report, 'shop', 'db', 'postgres');
    assert.deepEqual(pg.qos, { current: 'Guaranteed', recommended: 'Burstable' });
    assert.ok(pg.warnings.some((w) => w.includes('out of Guaranteed')));
    assert.ok(
      pg.warnings.some((w) => w.includes('startup peak')),
      pg.warnings.join('; '),
    );
  });

  test('batches split by --max-series-per-query give the same answer as one cluster-wide query', async () => {
    const one = await runWithFlags(prom.url);
    const split = await runWithFlags(prom.url, { 'max-series-per-query': '1' });
    assert.ok(split.timing.queries > one.timing.queries);
    assert.deepEqual(
      split.recommendations.map((r) => r.recommended),
      one.recommendations.map((r) => r.recommended),
    );
  });
});
