import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { summarize } from '../../../src/policy/testfile/report.js';
import { runTestFile } from '../../../src/policy/testfile/run.js';
import { fixture, runRampart, tempDir } from '../../helpers/index.js';

/** Suites of Kyverno's public policy library (see kyverno-library/README.md for the provenance). */
const suite = (...p: string[]) =>
  fixture('policy', 'testfile', 'kyverno-library', ...p, '.kyverno-test', 'kyverno-test.yaml');

describe('Kyverno policy library suites', () => {
  test('team-validate-ns-name: no user-info file leaves request.userInfo.groups null, so AnyNotIn is false', async () => {
    const outcomes = await runTestFile(suite('openshift', 'team-validate-ns-name'));
    assert.equal(outcomes.length, 1);
    assert.equal(outcomes[0]!.error, null);
    assert.deepEqual(
      outcomes[0]!.rows.map((r) => [r.resource, r.actual, r.ok]),
      [['team1-test', 'pass', true]],
    );
  });

  test('allowed-label-changes: a per-resource request.operation UPDATE starts oldObject as a copy of the resource', async () => {
    const outcomes = await runTestFile(suite('other', 'allowed-label-changes'));
    assert.equal(outcomes[0]!.error, null);
    assert.deepEqual(
      outcomes[0]!.rows.map((r) => [r.resource, r.actual, r.ok]),
      [
        ['badpod01', 'fail', true],
        ['goodpod01', 'pass', true],
      ],
    );
  });

  test('ensure-production-matches-staging: a test with no results is skipped under its name, with no error', async () => {
    const outcomes = await runTestFile(suite('other', 'ensure-production-matches-staging'));
    assert.equal(outcomes.length, 1);
    assert.equal(outcomes[0]!.name, 'ensure-production-matches-staging');
    assert.equal(outcomes[0]!.error, null);
    assert.deepEqual(outcomes[0]!.rows, []);
    assert.ok(outcomes[0]!.notices.some((n) => /no results to check: skipped/.test(n)));
    assert.deepEqual(summarize(outcomes), { passed: 0, failed: 0, errors: 0 });
  });

  test('the CLI exits 0 on a test with no results and names it', async () => {
    const r = await runRampart(['test', suite('other', 'ensure-production-matches-staging')]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Loading test ensure-production-matches-staging /);
    assert.doesNotMatch(r.stdout, /\(unnamed\)/);
  });

  test('an invalid test document keeps its name in the error', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir.path, 'kyverno-test.yaml');
      await writeFile(
        file,
        'apiVersion: cli.kyverno.io/v1alpha1\nkind: Test\nmetadata:\n  name: named-but-broken\nresults: 3\n',
      );
      const [o] = await runTestFile(file);
      assert.equal(o!.name, 'named-but-broken');
      assert.match(o!.error ?? '', /results must be a list/);
    } finally {
      await dir.cleanup();
    }
  });

  test('an empty kyverno-test.yaml says it found no tests', async () => {
    const dir = await tempDir();
    try {
      await writeFile(join(dir.path, 'kyverno-test.yaml'), '# nothing yet\n');
      const r = await runRampart(['test', dir.path]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /no tests found: the file holds no test document/);
    } finally {
      await dir.cleanup();
    }
  });
});
