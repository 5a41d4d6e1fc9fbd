import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { AT } from '../../src/rightsize/demo/cluster.js';
import { buildFamilies, type PodSpec, writeOpenMetrics } from '../../src/rightsize/demo/openmetrics.js';
import {
  prometheusAvailable,
  type RunningPrometheus,
  startPrometheus,
} from '../../src/rightsize/demo/prometheus.js';
import { PrometheusClient, rightsize } from '../../src/rightsize/index.js';
import { prometheusOptions, rightsizeOptions } from '../../src/rightsize/options.js';
import { renderReport } from '../../src/rightsize/output/index.js';
import { tempDir } from '../helpers/index.js';

const run = promisify(execFile);
const MIB = 2 ** 20;
const H = 3600;

const chromium = ['chromium', 'chromium-browser', 'google-chrome'].find(
  (b) => spawnSync(b, ['--version']).status === 0,
);
const skip = !prometheusAvailable()
  ? 'prometheus/promtool not installed (apt-get install prometheus)'
  : !chromium
    ? 'chromium not installed (apt-get install chromium): the HTML report is not rendered in a browser'
    : false;
if (skip) console.log(`# html report test skipped: ${skip}`);

function pods(): PodSpec[] {
  return ['a', 'b'].map((x) => ({
    namespace: 'web',
    pod: `site-7f9c-${x}`,
    owner: { kind: 'ReplicaSet', name: 'site-7f9c' },
    replicaset: { name: 'site-7f9c', owner: { kind: 'Deployment', name: 'site' } },
    start: AT - 20 * H,
    end: AT,
    containers: [
      {
        name: 'nginx',
        requests: { cpu: 1, memory: 512 * MIB },
        limits: { cpu: 2, memory: 512 * MIB },
        cpu: (t, r) => 0.1 + 0.1 * Math.sin(t / 3000) ** 2 + 0.05 * r(),
        memory: (_t, r) => 100 * MIB + r() * 20 * MIB,
      },
      { name: 'exporter', cpu: (_t, r) => 0.01 * r(), memory: () => 20 * MIB },
    ],
  }));
}

describe('html report rendered by headless Chromium', { skip }, () => {
  let prom: RunningPrometheus;
  before(async () => {
    const families = buildFamilies(pods(), [], 3);
    prom = await startPrometheus((file) => writeOpenMetrics(file, families));
  });
  after(async () => {
    await prom?.stop();
  });

  test('one self-contained page with a chart per container, sorted by savings, that renders', async () => {
    const values = { prometheus: prom.url, at: String(AT), window: '1d', retries: '0' };
    const client = new PrometheusClient(prometheusOptions(values));
    const options = rightsizeOptions(values);
    const report = await rightsize(client, options);
    const html = await renderReport(report, 'html', { client, options });
    assert.doesNotMatch(html, /(src|href)=["']https?:/, 'no external resources');
    const dir = await tempDir();
    try {
      const file = join(dir.path, 'report.html');
      writeFileSync(file, html);
      const flags = [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        `--user-data-dir=${join(dir.path, 'profile')}`,
      ];
      const { stdout: dom } = await run(chromium!, [...flags, '--dump-dom', `file://${file}`], {
        maxBuffer: 64 * 1024 * 1024,
        timeout: 60_000,
      });
      assert.match(dom, /<body data-sorted="savings">/, 'the inline script ran and sorted the cards');
      const cards = [...dom.matchAll(/<section class="card" data-savings="([-\d.]+)"/g)].map((m) =>
        Number(m[1]),
      );
      assert.equal(cards.length, report.recommendations.length);
      assert.deepEqual(
        cards,
        [...cards].sort((a, b) => b - a),
        'cards in descending savings order',
      );
      const paths = [...dom.matchAll(/<path class="usage" d="([^"]*)"/g)].map((m) => m[1]!);
      assert.equal(paths.length, 2 * report.recommendations.length, 'a CPU and a memory chart per container');
      assert.ok(
        paths.every((d) => d.split('L').length > 100),
        'usage lines have the window’s points',
      );
      assert.match(dom, /recommended request/);
      const png = join(dir.path, 'shot.png');
      await run(chromium!, [...flags, `--screenshot=${png}`, '--window-size=1200,900', `file://${file}`], {
        timeout: 60_000,
      });
      const head = readFileSync(png).subarray(0, 8);
      assert.deepEqual([...head], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      assert.ok(statSync(png).size > 10_000, 'the screenshot has content');
    } finally {
      await dir.cleanup();
    }
  });
});
