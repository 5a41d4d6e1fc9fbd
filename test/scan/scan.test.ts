import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import AjvDraft04 from 'ajv-draft-04';
import { onPath } from '../../src/scan/discover.js';
import { fixture, REPO_ROOT, runRampart } from '../helpers/index.js';

const repo = fixture('scan', 'fixtures', 'repo');

describe('rampart scan (real CLI)', () => {
  test('json output: findings carry pack category, file, line; suppressions become skips with the reason', async () => {
    const r = await runRampart(['scan', repo, '-o', 'json']);
    // apps/broken.yaml is invalid: an unreadable input exits 2, after the rest is reported.
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /broken\.yaml:5:1: invalid YAML/);
    const { results } = JSON.parse(r.stdout) as { results: any[] };
    const env = results.find((x) => x.policy === 'gpu-env-without-limit' && x.status === 'fail');
    assert.ok(env, 'gpu finding present');
    assert.equal(env.category, 'gpu-isolation');
    assert.equal(env.resource.name, 'api');
    assert.match(env.origin.file, /apps\/app\.yaml$/);
    // The finding points at the container it is about (named in the message), not the document's first line.
    assert.equal(env.origin.line, 20);
    assert.equal(env.origin.column, 9);
    assert.equal(env.origin.path, 'spec.template.spec.containers[0]');
    assert.ok(env.fix && env.docs);
    const suppressed = results.filter(
      (x) => x.resource.name === 'debug' && x.status === 'skip' && /INC-42/.test(x.message),
    );
    assert.deepEqual(suppressed.map((x) => x.policy).sort(), [
      'gpu-privileged-on-shared-node',
      'pss-baseline',
    ]);
    // A Kyverno PolicyException in the scanned tree applies to pack rules too.
    const excepted = results.filter((x) => x.policy === 'disallow-latest-tag' && x.resource.name === 'api');
    assert.deepEqual(
      excepted.map((x) => [x.status, x.message]),
      [['skip', 'rule skipped due to policy exception shop/api-latest-until-release']],
    );
    // rampart.yaml: a disabled rule never runs; a severity override applies.
    assert.equal(results.filter((x) => x.policy === 'require-image-digest').length, 0);
    const latest = results.filter((x) => x.policy === 'disallow-latest-tag');
    assert.ok(latest.length > 0, 'disallow-latest-tag reports something to carry the override');
    assert.ok(
      results.filter((x) => x.policy === 'disallow-latest-tag').every((x) => x.severity === 'critical'),
    );
    // The malformed file is reported with its position and the scan goes on.
    assert.match(r.stderr, /broken\.yaml:\d+:\d+: invalid YAML/);
  });

  test('SARIF output validates against the SARIF 2.1.0 schema and points at resource lines', async () => {
    const r = await runRampart(['scan', repo, '-o', 'sarif']);
    const log = JSON.parse(r.stdout);
    const schemaPath = join(
      REPO_ROOT,
      'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json',
    );
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
    const Ajv = ((AjvDraft04 as unknown as { default?: unknown }).default ?? AjvDraft04) as new (
      o: object,
    ) => any;
    const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 3)));
    const rules = log.runs[0].tool.driver.rules as any[];
    assert.ok(rules.some((x) => x.id.startsWith('gpu-env-without-limit/')));
    const loc = log.runs[0].results.find((x: any) => x.ruleId.startsWith('gpu-env-without-limit/'))
      .locations[0].physicalLocation;
    assert.equal(loc.region.startLine, 20);
    assert.equal(loc.region.startColumn, 9);
  });

  test('--fail-on, --pack and --severity select what fails and what is shown', async () => {
    const onlyGov = await runRampart([
      'scan',
      repo,
      '--pack',
      'governance',
      '-o',
      'json',
      '--skip-unreadable',
    ]);
    const gov = JSON.parse(onlyGov.stdout).results as any[];
    assert.ok(gov.length > 0 && gov.every((x) => x.category === 'governance'));
    assert.equal(onlyGov.code, 0, 'governance findings are below high');
    const failLow = await runRampart([
      'scan',
      repo,
      '--pack',
      'governance',
      '--fail-on',
      'low',
      '--skip-unreadable',
    ]);
    assert.equal(failLow.code, 1);
    const sev = await runRampart(['scan', repo, '--severity', '>=critical', '-o', 'json']);
    const critical = JSON.parse(sev.stdout).results as any[];
    assert.ok(critical.length > 0, 'the repository has critical findings to show');
    assert.ok((JSON.parse(sev.stdout).results as any[]).every((x) => x.severity === 'critical'));
    const all = JSON.parse((await runRampart(['scan', repo, '-o', 'json'])).stdout).results as any[];
    assert.ok(
      all.some((x) => x.severity !== 'critical'),
      'without --severity, lower severities are shown',
    );
  });

  test('table output names file and line, the fix and the docs link', async () => {
    const r = await runRampart(['scan', repo]);
    assert.match(r.stdout, /apps\/app\.yaml/);
    assert.match(r.stdout, /^\s+20:9\s+FAIL\s+critical\s+gpu-env-without-limit/m);
    assert.match(r.stdout, /fix: /);
    assert.match(r.stdout, /docs: docs\/packs\.md#gpu-env-without-limit/);
  });

  test('usage and config errors exit 2 with a clear message', async () => {
    const bad = await runRampart(['scan', fixture('scan', 'fixtures', 'badconfig')]);
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /rampart\.yaml.*severity.*catastrophic|invalid --rules\.disallow-latest-tag\.severity "catastrophic"/,
    );
    const pack = await runRampart(['scan', repo, '--pack', 'nope']);
    assert.equal(pack.code, 2);
    assert.match(pack.stderr, /unknown pack "nope"/);
    const typoPack = await runRampart(['scan', fixture('scan', 'fixtures', 'typo-pack')]);
    assert.equal(typoPack.code, 2);
    assert.match(typoPack.stderr, /packs\.gpu-isolaton: unknown pack/);
    const typoRule = await runRampart(['scan', fixture('scan', 'fixtures', 'typo-rule')]);
    assert.match(typoRule.stderr, /rules\.disalow-latest-tag matches no rule/);
    const flag = await runRampart(['scan', '--frobnicate']);
    assert.equal(flag.code, 2);
  });

  test('Terraform files in the tree are scanned with the Terraform rules, selectable as packs', async () => {
    const r = await runRampart(['scan', repo, '-o', 'json']);
    const tf = (JSON.parse(r.stdout).results as any[]).filter(
      (x) => x.category === 'terraform-iam' && x.status === 'fail',
    );
    assert.ok(tf.length > 0, 'an IAM finding on main.tf');
    assert.match(tf[0].origin.file, /infra\/main\.tf$/);
    assert.equal(tf[0].origin.line, 3, 'the finding points at the policy attribute');
    const skipped = await runRampart(['scan', repo, '--skip-pack', 'terraform-iam', '-o', 'json']);
    assert.equal(
      (JSON.parse(skipped.stdout).results as any[]).filter((x) => x.category === 'terraform-iam').length,
      0,
    );
  });

  test('Kustomize overlays: a clear notice without kubectl; rendered and mapped back to source lines with it', async () => {
    const overlays = join(REPO_ROOT, 'examples', 'platform');
    const without = await runRampart(['scan', overlays, '-o', 'json'], { env: { PATH: '/nonexistent' } });
    assert.match(without.stderr, /overlays\/prod: Kustomize overlay not rendered: kubectl is not on PATH/);
    assert.ok(JSON.parse(without.stdout).results.length > 0, 'plain manifests are still scanned');
    if (!onPath('kubectl')) return;
    const withKubectl = await runRampart(['scan', overlays, '-o', 'json']);
    assert.doesNotMatch(withKubectl.stderr, /not rendered/);
    const results = JSON.parse(withKubectl.stdout).results as any[];
    assert.ok(
      results.every((x) => !/kustomization\.yaml$/.test(x.origin?.file ?? '')),
      'rendered objects point at their manifests',
    );
    const keys = results.map(
      (x) => `${x.policy}|${x.rule}|${x.status}|${x.origin?.file}|${x.origin?.line}|${x.message}`,
    );
    assert.equal(new Set(keys).size, keys.length, 'no duplicate findings from overlay and base');
  });

  test('Helm charts: templates are never parsed as YAML; a clear notice without helm', async () => {
    const chart = fixture('scan', 'fixtures', 'chart');
    const r = await runRampart(['scan', chart, '-o', 'json'], { env: { PATH: '/nonexistent' } });
    assert.match(r.stderr, /mychart: Helm chart not rendered: helm is not on PATH/);
    assert.doesNotMatch(r.stderr, /invalid YAML/);
    assert.equal(r.code, 0);
  });

  test('manifests piped on stdin are scanned with "-"', async () => {
    const pod =
      'apiVersion: v1\nkind: Pod\nmetadata: {name: piped, namespace: x}\nspec:\n  containers:\n    - {name: c, image: "nginx:latest", env: [{name: NVIDIA_VISIBLE_DEVICES, value: all}]}\n';
    const r = await runRampart(['scan', '-', '--pack', 'gpu-isolation', '-o', 'json'], { input: pod });
    assert.equal(r.code, 1);
    const results = JSON.parse(r.stdout).results as any[];
    assert.ok(
      results.some(
        (x) => x.policy === 'gpu-env-without-limit' && x.origin.file === '<stdin>' && x.origin.line === 1,
      ),
    );
  });

  test('the bundled examples produce findings in every pack', async () => {
    const r = await runRampart(['scan', join(REPO_ROOT, 'examples'), '-o', 'json']);
    assert.equal(r.code, 1);
    const results = JSON.parse(r.stdout).results as any[];
    const packs = new Set(
      results.filter((x) => x.status === 'fail' || x.status === 'warn').map((x) => x.category),
    );
    for (const p of ['gpu-isolation', 'pod-security', 'resources', 'governance'])
      assert.ok(packs.has(p), `no ${p} finding`);
    assert.ok(
      results.every((x) => !String(x.origin?.file ?? '').includes('examples/policies/')),
      '.rampartignore keeps the example policies and their test resources out of the scan',
    );
    const unresolved = results.filter(
      (x) => x.message.includes('{{') || /substitution error/.test(x.message),
    );
    assert.deepEqual(
      unresolved.map((x) => `${x.policy}/${x.rule}: ${x.message}`),
      [],
      'every message resolves its variables',
    );
  });
});
