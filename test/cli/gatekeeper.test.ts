import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { fixture, REPO_ROOT, runRampart } from '../helpers/index.js';

const suites = (...parts: string[]) => fixture('policy', 'testfile', 'gator', 'fixtures', ...parts);
const sideBySide = (...parts: string[]) =>
  fixture('policy', 'kinds', 'gatekeeper', 'fixtures', 'side-by-side', ...parts);

describe('Gatekeeper through the real CLI', () => {
  test('rampart test runs gator suites: 0 when they hold, 1 on a wrong expectation, -v and --run', async () => {
    const ok = await runRampart(['test', suites('match'), suites('cel'), suites('rego')]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /^ok\t.*match\/suite\.yaml\t/m);
    assert.match(ok.stdout, /PASS\n$/);
    const failing = await runRampart(['test', suites('failing')]);
    assert.equal(failing.code, 1);
    assert.match(
      failing.stdout,
      /--- FAIL: expects-two\t\(\d+\.\d{3}s\)\n {8}got 1 violations but want exactly 2/,
    );
    assert.match(failing.stdout, /FAIL\n$/);
    const only = await runRampart(['test', suites('match'), '--run', 'label-selector//^in-values', '-v']);
    assert.equal(only.code, 0);
    assert.deepEqual(
      only.stdout
        .split('\n')
        .filter((l) => l.includes('--- PASS'))
        .map((l) => l.trim().split('\t')[0]),
      ['--- PASS: in-values', '--- PASS: label-selector'],
    );
    const skipped = await runRampart(['test', suites('rego'), '-v']);
    assert.match(
      skipped.stdout,
      /--- SKIP: needs-opa.*\n {8}Rego templates need Open Policy Agent \(ConstraintTemplate "k8sdenyname"\)/,
    );
  });

  test('bad templates and constraints exit 2 with a clear message and no stack trace', async () => {
    for (const [dir, message] of [
      ['schema', /openAPIV3Schema\.properties\.labels\.type/],
      ['orphan', /no ConstraintTemplate defines kind K8sNoSuchTemplate/],
      ['no-engine', /no code for an engine Rampart knows/],
      ['type-error', /expression \(line 1, column \d+\): no such overload/],
      ['parameters', /spec\.parameters\.labels\[1\]\.key: required/],
    ] as const) {
      const r = await runRampart(['test', suites('bad', dir)]);
      assert.equal(r.code, 2, `${dir}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
    const run = await runRampart(['test', suites('match'), '--run', '(']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--run: invalid regular expression/);
  });

  test('rampart apply: ConstraintTemplates and Constraints next to a Kyverno policy, one report', async () => {
    const r = await runRampart([
      'apply',
      sideBySide('policies'),
      '-r',
      sideBySide('resources.yaml'),
      '-o',
      'json',
    ]);
    assert.equal(r.code, 1, r.stderr);
    const { results, summary } = JSON.parse(r.stdout);
    const rows = results.map((x: any) => [x.policy, x.rule, x.resource.name, x.status]);
    assert.deepEqual(rows.sort(), [
      ['disallow-latest-tag', 'validate-image-tag', 'web', 'fail'],
      ['require-owner', 'k8srequiredlabels', 'legacy', 'fail'],
      ['require-owner', 'k8srequiredlabels', 'payments', 'pass'],
      ['require-owner', 'k8srequiredlabels', 'scratch', 'fail'],
    ]);
    assert.equal(summary.fail, 3);
    const legacy = results.find((x: any) => x.resource.name === 'legacy');
    assert.equal(legacy.message, 'regex mismatch: owner');
    assert.match(legacy.origin.file, /side-by-side\/resources\.yaml$/);
    const report = await runRampart([
      'apply',
      sideBySide('policies'),
      '-r',
      sideBySide('resources.yaml'),
      '-o',
      'policyreport',
    ]);
    const docs = parseAllDocuments(report.stdout).map((d) => d.toJS());
    const policies = new Set(docs.flatMap((d: any) => (d.results ?? []).map((x: any) => x.policy)));
    assert.deepEqual([...policies].sort(), ['disallow-latest-tag', 'require-owner']);
  });

  test('rampart scan --policy: Gatekeeper and Kyverno policies beside the packs in one report', async () => {
    const r = await runRampart([
      'scan',
      sideBySide('resources.yaml'),
      '--policy',
      sideBySide('policies'),
      '--pack',
      'governance',
      '-o',
      'json',
    ]);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const out = JSON.parse(r.stdout);
    const findings: any[] = out.findings ?? out.results;
    const failing = findings.filter((f) => f.status === 'fail').map((f) => `${f.policy}/${f.resource.name}`);
    assert.ok(failing.includes('require-owner/scratch'), failing.join());
    assert.ok(failing.includes('require-owner/legacy'));
    assert.ok(failing.includes('disallow-latest-tag/web'));
  });

  test('rampart apply --inventory: objects that exist are looked up (namespaceSelector) but not reviewed', async () => {
    const policies = [
      suites('match', 'template.yaml'),
      suites('match', 'constraints', 'namespaceselector.yaml'),
    ];
    const pod = suites('match', 'objects', 'pod-in-prod-ns.yaml');
    const without = await runRampart(['apply', ...policies, '-r', pod, '-o', 'json']);
    assert.equal(without.code, 0, without.stderr);
    assert.deepEqual(JSON.parse(without.stdout).results, []);
    const withInventory = await runRampart([
      'apply',
      ...policies,
      '-r',
      pod,
      '--inventory',
      suites('match', 'objects', 'namespace-production.yaml'),
      '-o',
      'json',
    ]);
    assert.equal(withInventory.code, 1, withInventory.stderr);
    const { results } = JSON.parse(withInventory.stdout);
    assert.deepEqual(
      results.map((r: any) => [r.resource.kind, r.resource.name, r.status]),
      [['Pod', 'svc', 'fail']],
    );
  });

  test('rampart test with Kyverno tests and gator suites: -o json keeps stdout one JSON document', async () => {
    const kyverno = join(REPO_ROOT, 'src', 'packs', 'gpu-isolation', 'tests', 'priv');
    const gator = fixture('packs', 'gpu-isolation-gatekeeper');
    const table = await runRampart(['test', kyverno, gator]);
    assert.equal(table.code, 0, table.stdout + table.stderr);
    assert.match(table.stdout, /^ok\t.*suite\.yaml/m);
    assert.match(table.stdout, /Test Summary: \d+ tests passed and 0 tests failed/);
    const json = await runRampart(['test', kyverno, gator, '-o', 'json']);
    assert.equal(json.code, 0, json.stderr);
    assert.ok(JSON.parse(json.stdout));
    assert.match(json.stderr, /^ok\t.*suite\.yaml/m);
  });
});
