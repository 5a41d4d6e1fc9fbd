import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { UserError } from '../../../../src/core/errors.js';
import {
  checkAssertion,
  runFilter,
  runSuiteFile,
  type SuiteOutcome,
} from '../../../../src/policy/testfile/gator/suite.js';
import { fixture } from '../../../helpers/index.js';

const suite = (...parts: string[]) =>
  fixture('policy', 'testfile', 'gator', 'fixtures', ...parts, 'suite.yaml');

async function run(file: string, filter = runFilter(undefined)): Promise<SuiteOutcome> {
  const outcome = await runSuiteFile(file, filter);
  assert.ok(outcome, `${file} is a gator suite`);
  return outcome;
}

const statuses = (s: SuiteOutcome) =>
  Object.fromEntries(s.tests.map((t) => [t.name, t.cases.map((c) => `${c.name}:${c.status}`)]));

describe('gator verify suites', () => {
  test('every spec.match field, through the CEL path', async () => {
    const s = await run(suite('match'));
    assert.deepEqual(
      s.tests.map((t) => [t.name, t.status]),
      [
        ['kinds-with-apigroups', 'pass'],
        ['namespaces-with-globs', 'pass'],
        ['excluded-namespaces-with-globs', 'pass'],
        ['label-selector', 'pass'],
        ['namespace-selector', 'pass'],
        ['scope-cluster', 'pass'],
        ['scope-namespaced', 'pass'],
        ['name-glob', 'pass'],
      ],
    );
    const flagged = s.tests.find((t) => t.name === 'name-glob')?.cases[0];
    assert.deepEqual(flagged?.messages, ['matched Pod web-frontend']);
    const nsSelector = s.tests.find((t) => t.name === 'namespace-selector');
    assert.deepEqual(
      nsSelector?.cases.map((c) => c.messages.length),
      [1, 0, 1],
    );
  });

  test('every enforcement action counts as a violation, as in gator', async () => {
    const s = await run(suite('enforcement'));
    assert.equal(s.tests.length, 5);
    for (const t of s.tests)
      assert.equal(t.status, 'pass', `${t.name}: ${t.cases.map((c) => c.reason).join()}`);
  });

  test('CEL: variables, params, anyObject, matchConditions, message and messageExpression', async () => {
    const s = await run(suite('cel'));
    assert.ok(
      s.tests.every((t) => t.status === 'pass'),
      JSON.stringify(statuses(s)),
    );
    const over = s.tests[0]?.cases.find((c) => c.name === 'over-limit-message-expression');
    assert.deepEqual(over?.messages, ['constraint replica-limits: 9 replicas, at most 5']);
    const zero = s.tests[0]?.cases.find((c) => c.name === 'zero-static-message');
    assert.deepEqual(zero?.messages, ['at least one replica is required']);
  });

  test('Rego-only templates skip with the reason naming the template; both engines run CEL', async () => {
    const rego = await run(suite('rego'));
    assert.deepEqual(
      rego.tests.map((t) => [t.name, t.status, t.reason]),
      [
        [
          'rego-code-entry',
          'skip',
          'Rego templates need Open Policy Agent (ConstraintTemplate "k8sdenyname")',
        ],
        [
          'legacy-rego-and-libs',
          'skip',
          'Rego templates need Open Policy Agent (ConstraintTemplate "k8sdenynamelegacy")',
        ],
      ],
    );
    const both = await run(suite('both'));
    assert.deepEqual(both.tests[0]?.cases[0]?.messages, ['name forbidden is not allowed (CEL)']);
  });

  test('wrong expectations fail with gator-style reasons; the right one passes', async () => {
    const s = await run(suite('failing'));
    const t = s.tests[0];
    assert.equal(t?.status, 'fail');
    assert.deepEqual(
      t?.cases.map((c) => [c.name, c.status, c.reason]),
      [
        ['expects-none', 'fail', 'got 1 violations but want none: got messages ["flagged p"]'],
        ['expects-two', 'fail', 'got 1 violations but want exactly 2: got messages ["flagged p"]'],
        [
          'wrong-message',
          'fail',
          'got 0 violations matching "^denied" but want at least 1: got messages ["flagged p"]',
        ],
        ['right', 'pass', undefined],
      ],
    );
  });

  test('--run selects tests and cases like gator verify --run', async () => {
    const byTest = await run(suite('match'), runFilter('^scope-'));
    assert.deepEqual(
      byTest.tests.map((t) => t.name),
      ['scope-cluster', 'scope-namespaced'],
    );
    const byCase = await run(suite('match'), runFilter('name-glob//^other'));
    assert.deepEqual(statuses(byCase), { 'name-glob': ['other-name:pass'] });
    const caseName = await run(suite('match'), runFilter('cluster-scoped'));
    assert.deepEqual(
      caseName.tests.map((t) => [t.name, t.cases.length]),
      [
        ['namespaces-with-globs', 1],
        ['scope-cluster', 1],
        ['scope-namespaced', 1],
        ['name-glob', 1],
      ],
    );
    assert.throws(
      () => runFilter('('),
      (e: Error) => e instanceof UserError && /--run: invalid regular expression/.test(e.message),
    );
  });

  test('assertions: yes, no, exact counts, message regular expressions', () => {
    assert.equal(checkAssertion({ violations: 'yes' }, ['a']), undefined);
    assert.equal(checkAssertion({ violations: 'no' }, []), undefined);
    assert.equal(checkAssertion({ violations: 2, message: /^b/ }, ['a', 'b1', 'b2']), undefined);
    assert.match(
      checkAssertion({ violations: 0, message: /^a/ }, ['a']) ?? '',
      /^got 1 violations matching "\^a" but want exactly 0/,
    );
  });

  test('bad input: invalid schema, orphan constraint, no engine, CEL type error, bad parameters', async () => {
    const expected: [string, RegExp][] = [
      ['schema', /openAPIV3Schema\.properties\.labels\.type: must be equal to one of the allowed values/],
      ['orphan', /K8sNoSuchTemplate "c": no ConstraintTemplate defines kind K8sNoSuchTemplate/],
      ['no-engine', /no code for an engine Rampart knows \(Wasm;/],
      ['type-error', /validations\[0\]\.expression \(line 1, column \d+\): no such overload/],
      ['parameters', /spec\.parameters\.labels\[1\]\.key: required; spec\.parameters\.mode: must be one of/],
    ];
    for (const [dir, message] of expected)
      await assert.rejects(
        run(suite('bad', dir)),
        (e: Error) => e instanceof UserError && message.test(e.message),
        dir,
      );
  });

  test('a file that is not a Suite is not run', async () => {
    assert.equal(await runSuiteFile(join(suite('match'), '..', 'template.yaml')), null);
  });

  test('ExpansionTemplates beside the constraint: workloads reviewed as their Pods', async () => {
    const s = await run(suite('expansion'));
    const cases = s.tests[0]?.cases ?? [];
    assert.ok(
      cases.every((c) => c.status === 'pass'),
      JSON.stringify(statuses(s)),
    );
    assert.deepEqual(
      cases.map((c) => c.messages),
      [
        ['[Implied by expand-workloads] latest tag in Pod of namespace shop'],
        [],
        ['[Implied by expand-cronjobs] latest tag in Pod of namespace shop'],
        [],
        ['latest tag in Pod of namespace shop'],
      ],
    );
  });

  test('invalid: true passes when the template rejects the constraint, fails when it accepts it', async () => {
    const s = await run(suite('invalid'));
    assert.deepEqual(
      s.tests.map((t) => [t.name, t.status, t.reason]),
      [
        ['parameters-rejected-by-schema', 'pass', undefined],
        ['valid-constraint-said-invalid', 'fail', 'the constraint is valid but the test wants invalid: true'],
      ],
    );
  });
});
