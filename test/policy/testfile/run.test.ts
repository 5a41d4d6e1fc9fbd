import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { discoverTestFiles } from '../../../src/policy/testfile/discover.js';
import { summarize } from '../../../src/policy/testfile/report.js';
import { parseSelector, runTestFile } from '../../../src/policy/testfile/run.js';
import { fixture, REPO_ROOT } from '../../helpers/index.js';

const F = (...p: string[]) => fixture('policy', 'testfile', 'fixtures', ...p);

describe('rampart test runner', () => {
  test('discovers test files recursively, hidden folders included', async () => {
    const files = await discoverTestFiles([F()]);
    const rel = files.map((f) => f.slice(F().length + 1)).sort();
    assert.deepEqual(rel, [
      '.hidden-suite/kyverno-test.yaml',
      'basic/kyverno-test.yaml',
      'broken/kyverno-test.yaml',
      'exceptions/kyverno-test.yaml',
      'global/kyverno-test.yaml',
      'legacy/kyverno-test.yaml',
      'ops/kyverno-test.yaml',
      'subresources/kyverno-test.yaml',
    ]);
  });

  test('expected results match, autogen rules included, duplicates dropped', async () => {
    const [basic] = await runTestFile(F('basic', 'kyverno-test.yaml'));
    assert.equal(basic!.error, null);
    assert.ok(basic!.notices.some((n) => /duplicate resource Pod\/default\/labelled/.test(n)));
    const byResource = Object.fromEntries(basic!.rows.map((r) => [`${r.resource}:${r.rule}`, r]));
    assert.equal(byResource['labelled:check-team']!.actual, 'pass');
    assert.equal(byResource['unlabelled:check-team']!.actual, 'fail');
    assert.equal(byResource['deploy-unlabelled:autogen-check-team']!.actual, 'fail');
    assert.equal(byResource['system:check-team']!.actual, 'no result');
    assert.ok(
      basic!.rows.every((r) => r.ok),
      JSON.stringify(basic!.rows.filter((r) => !r.ok)),
    );
  });

  test('mismatches are reported: wrong result, excluded resource, resource not loaded', async () => {
    const outcomes = await runTestFile(F('basic', 'kyverno-test.yaml'));
    const rows = outcomes[1]!.rows;
    assert.equal(rows.length, 4);
    assert.deepEqual(
      rows.map((r) => [r.resource, r.ok, r.reason]),
      [
        ['unlabelled', false, 'Want pass, got fail'],
        ['system', false, 'No result'],
        ['not-loaded', false, 'Not found'],
        // The expectation's kind selects resources, as Kyverno's selectResources does.
        ['deploy-unlabelled', false, 'Not found'],
      ],
    );
    assert.ok(outcomes[1]!.notices.some((n) => /"deploy-unlabelled" is a Deployment, not a Pod/.test(n)));
    assert.deepEqual(summarize(outcomes), { passed: 4, failed: 4, errors: 0 });
  });

  test('the legacy format is normalised, with a notice', async () => {
    const [legacy] = await runTestFile(F('legacy', 'kyverno-test.yaml'));
    assert.equal(legacy!.error, null);
    assert.ok(legacy!.notices.some((n) => /Kyverno 1\.15\+ rejects it/.test(n)));
    assert.deepEqual(
      legacy!.rows.map((r) => [r.resource, r.actual, r.ok]),
      [
        ['unlabelled', 'fail', true],
        ['labelled', 'pass', true],
      ],
    );
  });

  test('a test file that fails to load is an error for that file only', async () => {
    const [broken] = await runTestFile(F('broken', 'kyverno-test.yaml'));
    assert.match(broken!.error ?? '', /unknown field "resultz"/);
    assert.equal(broken!.rows.length, 0);
  });

  test('each distinct operation gets its own evaluation', async () => {
    const [ops] = await runTestFile(F('ops', 'kyverno-test.yaml'));
    assert.deepEqual(
      ops!.rows.map((r) => [r.resource, r.actual, r.ok]),
      [
        ['precious', 'fail', true],
        ['scratch', 'pass', true],
        ['precious', 'no result', true],
      ],
    );
  });

  test('the test-case selector filters rows', async () => {
    const [basic] = await runTestFile(
      F('basic', 'kyverno-test.yaml'),
      parseSelector('policy=require-*,rule=check-team,resource=unlabelled'),
    );
    assert.deepEqual(
      basic!.rows.map((r) => r.resource),
      ['unlabelled'],
    );
    assert.throws(() => parseSelector('polcy=x'), /unknown key "polcy"/);
  });

  test('the bundled example policies pass their own test file', async () => {
    const [examples] = await runTestFile(`${REPO_ROOT}/examples/policies/.kyverno-test/kyverno-test.yaml`);
    assert.equal(examples!.error, null);
    assert.ok(examples!.rows.length >= 10);
    assert.deepEqual(
      examples!.rows.filter((r) => !r.ok),
      [],
    );
  });

  test('globalContextEntries with data serve globalReference context entries', async () => {
    const [global] = await runTestFile(F('global', 'kyverno-test.yaml'));
    assert.equal(global!.error, null);
    assert.deepEqual(
      global!.rows.map((r) => [r.resource, r.actual, r.ok]),
      [
        ['trusted', 'pass', true],
        ['untrusted', 'fail', true],
      ],
    );
  });

  test('values subresources let a Scale object match Deployment/scale rules', async () => {
    const [sub] = await runTestFile(F('subresources', 'kyverno-test.yaml'));
    assert.equal(sub!.error, null);
    assert.deepEqual(
      sub!.rows.map((r) => [r.resource, r.actual, r.ok]),
      [
        ['web', 'fail', true],
        ['api', 'pass', true],
      ],
    );
  });

  test('PolicyExceptions skip covered rules; podSecurity exceptions only relax the listed controls', async () => {
    const [ex] = await runTestFile(F('exceptions', 'kyverno-test.yaml'));
    assert.equal(ex!.error, null);
    assert.deepEqual(
      ex!.rows.map((r) => [r.resource, r.actual, r.ok]),
      [
        ['legacy-backup', 'skip', true],
        ['legacy-unticketed', 'fail', true],
        ['router', 'skip', true],
        ['router-priv', 'fail', true],
        ['hostnet-elsewhere', 'fail', true],
      ],
    );
    assert.match(ex!.rows[0]!.message, /rule skipped due to policy exception kyverno\/legacy-tools/);
  });
});
