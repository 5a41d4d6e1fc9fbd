import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Result } from '../../src/core/result.js';
import { applyBaseline, baselineOf, baselineText } from '../../src/scan/baseline.js';
import { runRampart, tempDir } from '../helpers/index.js';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {team: shop}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web, team: shop}
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.2.3
          securityContext:
            privileged: true
`;

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: tool
  namespace: shop
spec:
  containers:
    - name: tool
      image: registry.example.com/tool:2.0.0
`;

/** The same two documents, moved into one file, reformatted (comments, key order, flow style, indentation). */
const MOVED = `# moved here and reformatted
kind: Pod
apiVersion: v1
metadata: {namespace: shop, name: tool}
spec:
  containers:
  - image: registry.example.com/tool:2.0.0
    name: tool
---
kind: Deployment
apiVersion: apps/v1
metadata:
  labels:
    team: shop
  namespace: shop
  name: web

spec:
  template:
    spec:
      containers:
      - name: web
        securityContext:
          privileged: true
        image: registry.example.com/web:1.2.3
    metadata:
      labels: {app: web, team: shop}
  selector:
    matchLabels: {app: web}
`;

describe('rampart scan baselines (real CLI)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let baseline: string;
  before(async () => {
    ({ path: dir, cleanup } = await tempDir('rampart-baseline-'));
    await mkdir(join(dir, 'repo', 'apps'), { recursive: true });
    await writeFile(join(dir, 'repo', 'apps', 'web.yaml'), DEPLOYMENT);
    await writeFile(join(dir, 'repo', 'apps', 'tool.yaml'), POD);
    baseline = join(dir, 'baseline', 'rampart-baseline.json');
  });
  after(() => cleanup());

  const scan = (...extra: string[]) => runRampart(['scan', join(dir, 'repo'), ...extra]);

  test('--write-baseline records every finding as readable JSON and exits 0', async () => {
    const before = await scan('-o', 'json');
    assert.equal(before.code, 1, before.stderr);
    const failing = (JSON.parse(before.stdout).results as any[]).filter((r) => r.status === 'fail');
    const r = await scan('--write-baseline', baseline, '-q');
    assert.equal(r.code, 0, r.stderr);
    const file = JSON.parse(await readFile(baseline, 'utf8'));
    assert.equal(file.rampartBaseline, 1);
    assert.equal(file.findings.length, failing.length);
    const privileged = file.findings.find((f: any) => f.rule === 'pss-baseline/autogen-baseline');
    assert.equal(privileged.resource, 'Deployment/shop/web');
    assert.equal(privileged.field, 'spec.template.spec.containers[0].securityContext.privileged');
    assert.match(privileged.fingerprint, /^[0-9a-f]{32}$/);
  });

  test('with --baseline, the same findings are known: exit 0 and nothing reported', async () => {
    const r = await scan('--baseline', baseline);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /Baseline .*: \d+ known finding\(s\) not shown; 0 baseline entries no longer occur/,
    );
    assert.doesNotMatch(r.stdout, /FAIL/);
  });

  test('moving documents between files and reformatting them makes no finding new', async () => {
    await rm(join(dir, 'repo', 'apps', 'web.yaml'));
    await rm(join(dir, 'repo', 'apps', 'tool.yaml'));
    await writeFile(join(dir, 'repo', 'all.yaml'), MOVED);
    const r = await scan('--baseline', baseline, '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    const { results } = JSON.parse(r.stdout);
    assert.deepEqual(
      results.filter((x: any) => x.status === 'fail'),
      [],
    );
    assert.match(r.stderr, /0 baseline entries no longer occur/);
  });

  test('changing one field gives exactly one new finding; fixing one counts as fixed', async () => {
    await writeFile(
      join(dir, 'repo', 'all.yaml'),
      MOVED.replace('tool:2.0.0', 'tool:latest').replace('privileged: true', 'privileged: false'),
    );
    const r = await scan('--baseline', baseline, '-o', 'json');
    const fails = (JSON.parse(r.stdout).results as any[]).filter((x) => x.status === 'fail');
    assert.deepEqual(
      fails.map((x) => `${x.policy} ${x.resource.name}`),
      ['disallow-latest-tag tool'],
    );
    assert.equal(r.code, 1);
    // privileged: false fixes the baseline and restricted privileged findings (and the GPU-node one).
    const fixed = Number(/(\d+) baseline entr(?:y|ies) no longer occur/.exec(r.stderr)?.[1]);
    assert.ok(fixed >= 1, r.stderr);
  });

  test('a file that is not a baseline is a usage error naming it', async () => {
    const bad = join(dir, 'not-a-baseline.json');
    await writeFile(bad, '{"findings": 3}');
    const r = await scan('--baseline', bad);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not-a-baseline\.json: not a rampart baseline/);
  });

  test('SARIF results carry the baseline fingerprint in partialFingerprints', async () => {
    const r = await scan('-o', 'sarif');
    const file = JSON.parse(await readFile(baseline, 'utf8'));
    const known = new Set(file.findings.map((f: any) => f.fingerprint));
    const results = JSON.parse(r.stdout).runs[0].results as any[];
    const fps = results.map((x) => x.partialFingerprints['rampartFinding/v1']);
    assert.ok(fps.every((f) => /^[0-9a-f]{32}$/.test(f)));
    assert.ok(fps.some((f) => known.has(f)));
  });

  test('--compact prints one line per finding with file:line:col; -q only the footer', async () => {
    const compact = await scan('--compact');
    const lines = compact.stdout.split('\n').filter((l) => / FAIL /.test(l));
    assert.ok(lines.length > 0);
    for (const l of lines) assert.match(l, /all\.yaml:\d+:\d+: FAIL \w+ \S+ \S+: /);
    const quiet = await scan('-q');
    assert.doesNotMatch(quiet.stdout, /FAIL/);
    assert.match(quiet.stdout, /^Scanned 2 documents/m);
    const both = await scan('-q', '-o', 'json');
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--quiet applies to the table output only/);
  });
});

describe('applyBaseline on a stream of results', () => {
  const finding = (name: string, status: Result['status'], severity: Result['severity']): Result => ({
    policy: 'p',
    rule: 'r',
    resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'ns', name },
    status,
    message: 'm',
    severity,
    category: 'pod-security',
    origin: { file: 'f.yaml', line: 1, column: 1, index: 0, path: 'spec.hostPID' },
  });

  test('the baseline file is written in pieces as JSON.stringify indents it', () => {
    const findings = Array.from({ length: 3_000 }, (_, i) => ({
      ...finding(`pod-${i}`, 'fail', 'high'),
      message: `line one\nline "two" ${'x'.repeat(i % 500)}`,
    }));
    for (const baseline of [baselineOf([]), baselineOf(findings.slice(0, 1)), baselineOf(findings)]) {
      const pieces = [...baselineText(baseline)];
      assert.equal(pieces.join(''), `${JSON.stringify(baseline, null, 2)}\n`);
      if (baseline.findings.length > 1_000) assert.ok(pieces.length > 1, 'a large baseline comes in pieces');
    }
  });

  test('each entry accepts one finding, the first in order, every time the results are read', () => {
    const known = [finding('a', 'fail', 'high'), finding('a', 'fail', 'high'), finding('b', 'warn', 'low')];
    const baseline = baselineOf(known);
    // One more identical finding than the baseline has, a new one, and a pass it never takes.
    const now = [
      ...known,
      finding('a', 'fail', 'high'),
      finding('c', 'fail', 'high'),
      finding('b', 'pass', 'low'),
    ];
    let reads = 0;
    const stream = {
      *[Symbol.iterator]() {
        reads++;
        yield* now;
      },
    };
    const applied = applyBaseline(stream, baseline);
    assert.equal(applied.known.count, 3);
    assert.deepEqual(applied.known.bySeverity, { high: { fail: 2 }, low: { warn: 1 } });
    assert.equal(applied.fixed, 0);
    const expected = [now[3], now[4], now[5]];
    assert.deepEqual([...applied.results], expected);
    assert.deepEqual([...applied.results], expected, 'read again: the entries accept afresh');
    assert.equal(reads, 3, 'the results are read, not held: once to count, once per reading');
    assert.equal(applyBaseline([finding('b', 'warn', 'low')], baselineOf(now)).fixed, 4);
  });
});
