import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { UserError } from '../../src/core/errors.js';
import { AT } from '../../src/rightsize/demo/cluster.js';
import {
  buildFamilies,
  type Family,
  type PodSpec,
  writeOpenMetrics,
} from '../../src/rightsize/demo/openmetrics.js';
import {
  freePort,
  prometheusAvailable,
  type RunningPrometheus,
  startPrometheus,
} from '../../src/rightsize/demo/prometheus.js';
import { runRampart, tempDir } from '../helpers/index.js';
import { find, referenceByPod, runWithFlags } from './helpers.js';

const MIB = 2 ** 20;
const H = 3600;
const skip = prometheusAvailable() ? false : 'prometheus/promtool not installed (apt-get install prometheus)';

/** Pods with bad data: NaN memory, an in-place counter reset, a gap, and several replicas for splitting. */
function badDataPods(): PodSpec[] {
  const pods: PodSpec[] = [
    {
      namespace: 'edge',
      pod: 'nan-0',
      owner: { kind: 'StatefulSet', name: 'nan' },
      start: AT - 20 * H,
      end: AT,
      containers: [{ name: 'c', cpu: () => 0.1, memory: () => Number.NaN }],
    },
    {
      namespace: 'edge',
      pod: 'reset-0',
      owner: { kind: 'StatefulSet', name: 'reset' },
      start: AT - 20 * H,
      end: AT,
      containers: [
        {
          name: 'c',
          // The counter drops back (a cAdvisor counter reset without a new series): rate() must absorb it.
          cpu: (t, r) => (Math.abs(t - (AT - 10 * H)) < 16 ? -1e6 : 0.2 + 0.1 * r()),
          memory: (_t, r) => 100 * MIB + r() * MIB,
        },
      ],
    },
  ];
  pods.push({
    namespace: 'edge',
    pod: 'quiet-0',
    owner: { kind: 'StatefulSet', name: 'quiet' },
    start: AT - 20 * H,
    end: AT,
    containers: [
      { name: 'c', requests: { cpu: 0.1, memory: 64 * MIB }, noMetrics: true, cpu: () => 0, memory: () => 0 },
    ],
  });
  for (let i = 0; i < 6; i++) {
    pods.push({
      namespace: 'fleet',
      pod: `worker-${i}`,
      owner: { kind: 'StatefulSet', name: 'worker' },
      start: AT - 20 * H,
      end: AT,
      containers: [
        {
          name: 'main',
          cpu: (_t, r) => 0.05 * (i + 1) * r(),
          memory: (_t, r) => (200 + 10 * i) * MIB + r() * MIB,
        },
        { name: 'side', cpu: (_t, r) => 0.01 * r(), memory: () => 50 * MIB },
      ],
    });
  }
  return pods;
}

async function withServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, server };
}

function proxyTo(target: string, req: IncomingMessage, res: ServerResponse) {
  const up = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
    res.writeHead(r.statusCode ?? 502, r.headers);
    r.pipe(res);
  });
  req.pipe(up);
}

async function rejectsWith(p: Promise<unknown>, pattern: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof UserError, `a UserError, not ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('rightsize on bad input', { skip }, () => {
  let prom: RunningPrometheus;
  let families: Family[];
  const servers: Server[] = [];
  before(async () => {
    families = buildFamilies(badDataPods(), [], 7);
    prom = await startPrometheus((file) => writeOpenMetrics(file, families));
  });
  after(async () => {
    for (const s of servers) s.close();
    await prom?.stop();
  });

  test('an unreachable Prometheus is a clear error', async () => {
    const port = await freePort();
    await rejectsWith(
      runWithFlags(`http://127.0.0.1:${port}`),
      /cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+.*ECONNREFUSED/,
    );
  });

  test('a URL that is not a Prometheus API is a clear error', async () => {
    const { url, server } = await withServer((req, res) => {
      if (req.url?.startsWith('/html/')) {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Grafana</html>');
      } else res.writeHead(404).end('404 page not found');
    });
    servers.push(server);
    await rejectsWith(runWithFlags(`${url}/nope`), /no Prometheus API at \/nope\/api\/v1\/.*HTTP 404/);
    await rejectsWith(runWithFlags(`${url}/html`), /did not answer with Prometheus JSON/);
    await rejectsWith(runWithFlags('ftp://example'), /must be an http\(s\) URL/);
  });

  test('authentication: refused without credentials, accepted with bearer token and tenant header', async () => {
    const { url, server } = await withServer((req, res) => {
      if (req.headers.authorization !== 'Bearer s3cret' || req.headers['x-scope-orgid'] !== 'team-a') {
        res.writeHead(401).end('unauthorized');
      } else proxyTo(prom.url, req, res);
    });
    servers.push(server);
    await rejectsWith(runWithFlags(url), /refused the request \(HTTP 401\).*--bearer-token/);
    const report = await runWithFlags(url, { 'bearer-token': 's3cret', header: ['X-Scope-OrgID: team-a'] });
    assert.ok(report.recommendations.length > 0);
  });

  const noOpenssl = spawnSync('openssl', ['version']).status === 0 ? false : 'openssl not installed';
  test('TLS: a private CA via --ca-file, or --insecure-skip-tls-verify; otherwise a clear error', {
    skip: noOpenssl,
  }, async () => {
    const dir = await tempDir();
    try {
      const key = join(dir.path, 'key.pem');
      const cert = join(dir.path, 'cert.pem');
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          key,
          '-out',
          cert,
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
        ],
        { stdio: 'ignore' },
      );
      const server = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) =>
        proxyTo(prom.url, req, res),
      );
      const port = await freePort();
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      servers.push(server as unknown as Server);
      const url = `https://127.0.0.1:${port}`;
      await rejectsWith(
        runWithFlags(url),
        /TLS with Prometheus at https:\/\/127\.0\.0\.1:\d+ failed.*--ca-file/,
      );
      assert.ok((await runWithFlags(url, { 'ca-file': cert })).recommendations.length > 0);
      assert.ok((await runWithFlags(url, { 'insecure-skip-tls-verify': true })).recommendations.length > 0);
      await rejectsWith(
        runWithFlags(url, { 'ca-file': join(dir.path, 'missing.pem') }),
        /--ca-file: cannot read/,
      );
    } finally {
      await dir.cleanup();
    }
  });

  test('5xx answers are retried with backoff; give up with a message when retries run out', async () => {
    let failures = 0;
    const { url, server } = await withServer((req, res) => {
      if (failures < 2) {
        failures++;
        res.writeHead(503).end('overloaded');
      } else proxyTo(prom.url, req, res);
    });
    servers.push(server);
    const report = await runWithFlags(url, { retries: '3', concurrency: '1' });
    assert.equal(failures, 2);
    assert.ok(report.recommendations.length > 0);
    failures = 0;
    await rejectsWith(runWithFlags(url, { retries: '0' }), /HTTP 503 \(after 1 attempts\)/);
  });

  test('missing series: a warning and no recommendations, not a crash', async () => {
    const report = await runWithFlags(prom.url, { series: ['cpu=recording:cpu_usage:rate'] });
    assert.deepEqual(
      report.recommendations.map((r) => [r.workload.name, r.reason]),
      [['quiet', { cpu: 'No data', memory: 'No data' }]],
      'only the container kube-state-metrics knows is listed, without a recommendation',
    );
    assert.match(report.warnings.join('\n'), /no recording:cpu_usage:rate series/);
    assert.deepEqual(report.noData, ['series recording:cpu_usage:rate{container!="",container!="POD"}']);
    await rejectsWith(runWithFlags(prom.url, { series: ['cpu=not a name'] }), /not a valid Prometheus name/);
    await rejectsWith(runWithFlags(prom.url, { series: ['gpu=x'] }), /KEY one of cpu, memory/);
  });

  test('the CLI on no data: exit 2 naming the empty query and the likely causes, even with --fail-on', async () => {
    const r = await runRampart([
      'rightsize',
      '--prometheus',
      prom.url,
      '--series',
      'cpu=recording:cpu_usage:rate',
      '--at',
      String(AT),
      '--fail-on',
      'warning',
      '--no-progress',
      '-o',
      'json',
    ]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /no data from http:\/\/127\.0\.0\.1:\d+: the series recording:cpu_usage:rate\{container!="",container!="POD"\} returned nothing/,
    );
    assert.match(r.stderr, /--extra-selector.*--series KEY=NAME.*--window/s);
    assert.doesNotMatch(r.stderr, /Score/);
  });

  test('NaN samples give "No data" and a warning; counter resets do not inflate CPU', async () => {
    const report = await runWithFlags(prom.url, { window: '1d' });
    const nan = find(report, 'edge', 'nan', 'c');
    assert.equal(nan.reason.memory, 'No data');
    assert.ok(nan.recommended.requests.cpu !== null);
    assert.match(
      report.warnings.join('\n'),
      /edge\/StatefulSet\/nan c: ignored non-finite results \(.*memory=NaN/,
    );
    const reset = find(report, 'edge', 'reset', 'c');
    const ref = referenceByPod(
      families.find((f) => f.name === 'container_cpu_usage_seconds')!.series,
      families.find((f) => f.name === 'container_memory_working_set_bytes')!.series,
      86_400,
      75,
    ).get('edge/reset-0/c')!;
    assert.equal(reset.recommended.requests.cpu, Math.ceil(ref.cpuQuantile! * 1000) / 1000);
    assert.ok(reset.recommended.requests.cpu! < 0.5, 'the reset is not read as a huge rate');
  });

  test('a container kube-state-metrics knows but cAdvisor never reported is listed as "No data"', async () => {
    const report = await runWithFlags(prom.url, { window: '1d' });
    const quiet = find(report, 'edge', 'quiet', 'c');
    assert.deepEqual(quiet.reason, { cpu: 'No data', memory: 'No data' });
    assert.equal(quiet.recommended.requests.cpu, 0.1, 'left as it is');
  });

  test('never a recommendation from fewer points than required', async () => {
    const report = await runWithFlags(prom.url, { window: '1d', 'points-required': '961' });
    // Each pod has 20 h = 960 steps of 75 s: one pod is one point short, the 6-pod workload is not.
    for (const r of report.recommendations) {
      const want =
        r.usage.cpu.points === 0 ? 'No data' : r.usage.cpu.points < 961 ? 'Not enough data' : undefined;
      assert.equal(r.reason.cpu, want, `${r.workload.name}/${r.container}`);
    }
    assert.ok(report.recommendations.some((r) => r.reason.cpu === undefined));
  });

  test('bad flag values are usage errors', async () => {
    await rejectsWith(runWithFlags(prom.url, { window: '14 days' }), /--window must be a duration/);
    await rejectsWith(runWithFlags(prom.url, { at: 'yesterday' }), /--at must be an RFC 3339/);
    await rejectsWith(runWithFlags(prom.url, { strategy: 'magic' }), /--strategy must be one of/);
    await rejectsWith(runWithFlags(prom.url, { 'cpu-percentile': '120' }), /--cpu-percentile must be/);
    await rejectsWith(runWithFlags(prom.url, { selector: 'a in b' }), /--selector: cannot parse/);
    await rejectsWith(
      runWithFlags(prom.url, { 'extra-selector': 'job="kubelet"} or vector(1)' }),
      /--extra-selector must be label matchers/,
    );
  });
});

describe('rightsize when Prometheus limits the samples per query', { skip }, () => {
  let small: RunningPrometheus;
  before(async () => {
    const families = buildFamilies(badDataPods(), [], 7);
    // 2 series × 1,153 steps fit, the whole fleet does not: Rampart must split batches until they do.
    small = await startPrometheus((file) => writeOpenMetrics(file, families), { maxSamples: 6000 });
  });
  after(async () => {
    await small?.stop();
  });

  test('queries refused for too many samples are split and give the same answer', async () => {
    const report = await runWithFlags(small.url, {
      window: '1d',
      namespace: ['fleet'],
      'startup-period': '0',
    });
    assert.equal(report.recommendations.length, 2);
    assert.ok(report.timing.queries > 8, `split into ${report.timing.queries} queries`);
    const main = find(report, 'fleet', 'worker', 'main');
    assert.equal(main.pods, 6);
    assert.ok(main.recommended.requests.cpu! > 0.2);
  });
});
