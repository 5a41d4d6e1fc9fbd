import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { summarize } from '../../../src/policy/testfile/report.js';
import { runTestFile } from '../../../src/policy/testfile/run.js';
import { fixture } from '../../helpers/index.js';

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
});
