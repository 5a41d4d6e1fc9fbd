import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT, runRampart, tempDir } from '../helpers/index.js';

const run = promisify(execFile);
const chromium = ['chromium', 'chromium-browser', 'google-chrome'].find(
  (b) => spawnSync(b, ['--version']).status === 0,
);
const skip = chromium ? false : 'chromium not installed (apt-get install chromium)';
if (skip) console.log(`# scan html report test skipped: ${skip}`);

describe('rampart scan -o html, rendered by headless Chromium', { skip }, () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let page: string;
  let json: any[];
  before(async () => {
    dir = await tempDir('rampart-scan-html-');
    page = join(dir.path, 'report.html');
    const examples = join(REPO_ROOT, 'examples', 'platform');
    const html = await runRampart(['scan', examples, '-o', 'html', '--output-file', page]);
    assert.equal(html.code, 1, html.stderr);
    const j = await runRampart(['scan', examples, '-o', 'json']);
    json = (JSON.parse(j.stdout).results as any[]).filter((r) =>
      ['fail', 'warn', 'error'].includes(r.status),
    );
  });
  after(() => dir.cleanup());

  const flags = () => [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    `--user-data-dir=${join(dir.path, 'profile')}`,
  ];
  const dom = async (url: string) =>
    (await run(chromium!, [...flags(), '--dump-dom', url], { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }))
      .stdout;

  test('the numbers on the page are the JSON output’s; sources, fixes and docs are there', async () => {
    const text = readFileSync(page, 'utf8');
    assert.doesNotMatch(text, /(src|href)=["']https?:/, 'no external resources');
    const d = await dom(`file://${page}`);
    assert.match(d, /<body data-ready="true">/, 'the inline script ran');
    assert.equal(Number(/id="shown">(\d+)</.exec(d)?.[1]), json.length);
    assert.equal([...d.matchAll(/<article class="finding"/g)].length, json.length);
    const bars = (chart: string) =>
      Object.fromEntries(
        [
          ...(new RegExp(`id="${chart}"[\\s\\S]*?</figure>`).exec(d)?.[0] ?? '').matchAll(
            /data-label="([^"]*)" data-count="(\d+)"/g,
          ),
        ].map((m) => [m[1], Number(m[2])]),
      );
    const count = (key: (r: any) => string) => {
      const m: Record<string, number> = {};
      for (const r of json) m[key(r)] = (m[key(r)] ?? 0) + 1;
      return m;
    };
    assert.deepEqual(
      bars('by-pack'),
      count((r) => r.category),
    );
    assert.deepEqual(
      bars('by-severity'),
      count((r) => r.severity),
    );
    assert.deepEqual(
      bars('by-namespace'),
      count((r) => (r.resource.kind === 'Namespace' ? r.resource.name : r.resource.namespace)),
    );
    // The exact line of a finding is highlighted in its source excerpt.
    assert.match(d, /<span class="src hit"><span class="ln">18<\/span>\s+hostPID: true<\/span>/);
    assert.match(d, /<strong>Fix:<\/strong>/);
    assert.match(d, /href="docs\/packs\.md#pss-baseline"/);
  });

  test('filters by severity and pack (preselected from the URL) hide the rest', async () => {
    const d = await dom(`file://${page}#severity=critical`);
    const critical = json.filter((r) => r.severity === 'critical').length;
    assert.ok(critical > 0);
    assert.equal(Number(/id="shown">(\d+)</.exec(d)?.[1]), critical);
    assert.equal([...d.matchAll(/<article class="finding/g)].length, json.length);
    assert.equal([...d.matchAll(/class="finding hidden"/g)].length, json.length - critical);
  });

  test('a screenshot of the page has content', async () => {
    const png = join(dir.path, 'shot.png');
    await run(chromium!, [...flags(), `--screenshot=${png}`, '--window-size=1200,1400', `file://${page}`], {
      timeout: 60_000,
    });
    assert.deepEqual([...readFileSync(png).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    assert.ok(statSync(png).size > 20_000);
  });
});
