import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type Condition,
  ConditionError,
  evaluateCondition,
  evaluateConditions,
} from '../../../src/policy/conditions/index.js';

type Case = [key: unknown, operator: string, value: unknown, expected: boolean];

function table(name: string, cases: Case[]): void {
  describe(name, () => {
    for (const [key, operator, value, expected] of cases) {
      test(`${JSON.stringify(key)} ${operator} ${JSON.stringify(value)} → ${expected}`, () => {
        assert.equal(evaluateCondition({ key, operator, value }), expected);
      });
    }
  });
}

table('Equals / NotEquals', [
  ['CREATE', 'Equals', 'CREATE', true],
  ['CREATE', 'equals', 'CREATE', true],
  ['CREATE', 'Equal', 'CREATE', true],
  ['kube-system', 'Equals', 'kube-*', true],
  ['kube-*', 'Equals', 'kube-system', false],
  ['1Gi', 'Equals', '1024Mi', true],
  ['1h', 'Equals', '60m', true],
  ['1h', 'Equals', 3600, true],
  // upstream compares a number key only with numbers or numeric strings, so no duration here
  [3600, 'Equals', '1h', false],
  [1, 'Equals', 1, true],
  [1, 'Equals', '1', true],
  [1, 'Equals', '1.0', true],
  [1.5, 'Equals', 1, false],
  [true, 'Equals', true, true],
  [true, 'Equals', 'true', false],
  [{ a: [1, 2] }, 'Equals', { a: [1, 2] }, true],
  [{ a: 1 }, 'Equals', { a: 2 }, false],
  [['a', 'b'], 'Equals', ['a', 'b'], true],
  [['a', 'b'], 'Equals', ['b', 'a'], false],
  [null, 'Equals', null, false],
  ['a', 'NotEquals', 'b', true],
  ['a', 'NotEquals', 'a', false],
  ['a', 'NotEqual', 'a*', false],
  [true, 'NotEquals', 'true', true],
  ['2Gi', 'NotEquals', '2048Mi', false],
]);

table('GreaterThan / LessThan family (numbers, strings, quantities, durations, semver)', [
  [10, 'GreaterThan', 5, true],
  [5, 'GreaterThan', 10, false],
  [5, 'GreaterThan', 5, false],
  [10, 'GreaterThanOrEquals', 10, true],
  [5, 'LessThan', 10, true],
  [5, 'LessThanOrEquals', 5, true],
  [10.5, 'GreaterThan', 10.4, true],
  ['100', 'GreaterThan', 50, true],
  ['50', 'LessThan', '100', true],
  ['1.2.3', 'GreaterThan', '1.2.2', true],
  ['1.1.0', 'LessThan', '1.2.0', true],
  ['1.2.0', 'GreaterThanOrEquals', '1.2.0', true],
  ['1.10.0', 'GreaterThan', '1.9.0', true],
  ['v1.2.3', 'GreaterThan', '1.0.0', false],
  ['200Mi', 'GreaterThan', '100Mi', true],
  ['1Gi', 'LessThan', '2Gi', true],
  ['500m', 'GreaterThanOrEquals', '0.5', true],
  ['2h', 'GreaterThan', '90m', true],
  ['30s', 'LessThan', 60, true],
  [120, 'GreaterThan', '1m', true],
  [10, 'GreaterThan', '5', true],
  [10, 'GreaterThan', 'abc', false],
  [true, 'GreaterThan', 5, false],
  ['not-a-number', 'GreaterThan', 5, false],
  [null, 'GreaterThan', 5, false],
]);

table('quantities and durations parse as resource.ParseQuantity / time.ParseDuration do', [
  // time.ParseDuration truncates fractions to whole nanoseconds
  ['1.0000000001s', 'Equals', '1s', true],
  ['1.5ns', 'DurationLessThanOrEquals', '1ns', true],
  // a bare suffix is zero, except where ParseQuantity's inf.Dec fallback needs a digit
  ['Mi', 'Equals', '0', true],
  ['Pi', 'Equals', '0', false],
  ['-', 'LessThan', '1m', true],
]);

table('Duration operators (deprecated)', [
  ['2h', 'DurationGreaterThan', '1h', true],
  ['1h', 'DurationGreaterThanOrEquals', '60m', true],
  ['30m', 'DurationLessThan', '1h', true],
  [3600, 'DurationLessThanOrEquals', '1h', true],
  ['bad', 'DurationGreaterThan', '1h', false],
]);

table('AnyIn / AllIn / AnyNotIn / AllNotIn', [
  ['kyverno', 'AnyIn', 'kyverno', true],
  ['kube-system', 'AnyIn', ['default', 'kube-*'], true],
  ['kyverno', 'AnyIn', 'default', false],
  [64, 'AnyIn', '64', true],
  [1, 'AnyIn', [1, 2, 3], true],
  [3.14, 'AnyIn', '3.14', true],
  [2.2, 'AnyIn', [1.1, 2.2, 3.3], true],
  [true, 'AnyIn', 'true', true],
  [['kube-system', 'kube-public'], 'AnyIn', 'kube-*', true],
  [['kube-system', 'default'], 'AnyIn', 'kube-system', true],
  [['default', 'kyverno'], 'AnyIn', 'kube-*', false],
  [['default', 'kyverno'], 'AnyIn', ['kube-*', 'ky*'], true],
  [['default', 'kyverno'], 'AnyIn', ['kube-*', 'kube-system'], false],
  [[], 'AnyIn', ['default'], false],
  ['', 'AnyIn', ['default', 'kyverno'], false],
  [{ foo: 'bar' }, 'AnyIn', 'test', false],
  [8080, 'AnyIn', '8000-8090', true],
  [[80, 9000], 'AnyIn', '8000-8090', false],
  [['a', 'b'], 'AnyIn', '["b","c"]', true],
  [['a', 'b'], 'AllIn', ['a', 'b', 'c'], true],
  [['a', 'x'], 'AllIn', ['a', 'b', 'c'], false],
  [['kube-system', 'kube-public'], 'AllIn', ['kube-*'], true],
  ['a', 'AllIn', ['a'], true],
  [['a', 'b'], 'AllIn', '["a","b"]', true],
  ['kyverno', 'AllNotIn', 'kyverno', false],
  ['kube-system', 'AllNotIn', ['default', 'kube-*'], false],
  ['kyverno', 'AllNotIn', 'default', true],
  [64, 'AllNotIn', '64', false],
  [64, 'AllNotIn', 'default', true],
  [['kube-system', 'kube-public'], 'AllNotIn', 'kube-*', false],
  [['kube-system', 'default'], 'AllNotIn', 'kube-system', false],
  [['default', 'kyverno'], 'AllNotIn', 'kube-*', true],
  [['default', 'kyverno'], 'AllNotIn', ['kube-*', 'kube-system'], true],
  [['default', 'kyverno'], 'AllNotIn', ['kube-*', 'ky*'], false],
  [['a', 'x'], 'AnyNotIn', ['a', 'b'], true],
  [['a', 'b'], 'AnyNotIn', ['a', 'b'], false],
  ['x', 'AnyNotIn', ['a', 'b'], true],
  ['a', 'AnyNotIn', ['a*'], false],
  [[9000], 'AnyNotIn', '8000-8090', true],
  [[8001], 'AnyNotIn', '8000-8090', false],
]);

table('In / NotIn (deprecated)', [
  ['a', 'In', ['a', 'b'], true],
  ['c', 'In', ['a', 'b'], false],
  ['a', 'In', '["a","b"]', true],
  [['a', 'b'], 'In', ['a', 'b', 'c'], true],
  [['a', 'z'], 'In', ['a', 'b', 'c'], false],
  ['c', 'NotIn', ['a', 'b'], true],
  ['a', 'NotIn', ['a', 'b'], false],
  [['a', 'z'], 'NotIn', ['a', 'b'], true],
  [['a', 'b'], 'NotIn', ['a', 'b'], false],
]);

// Selected cases of Kyverno's pkg/engine/variables TestEvaluate (operands decoded from JSON).
table('Kyverno TestEvaluate cases', [
  ['1024', 'Equals', '1Ki', true],
  ['1Ki', 'Equals', '1024', true],
  ['1h', 'Equals', 3600, true],
  ['2h', 'Equals', 3600, false],
  ['1.5.2', 'Equals', '1.5.*', true],
  ['1.5.0', 'Equals', '1.5.5', false],
  [1, 'Equals', '2', false],
  [true, 'Equals', 'false', false],
  [[{ foo: 'bar' }], 'Equals', [{ foo: 'bar' }], true],
  ['1023', 'NotEquals', '1Ki', true],
  ['1h', 'NotEquals', 3600, false],
  ['1.5.2', 'NotEquals', '1.5.*', false],
  ['1025', 'GreaterThan', '1Ki', true],
  ['1Ki', 'GreaterThan', '1023', true],
  ['10', 'GreaterThan', 1, true],
  [100, 'GreaterThan', '10', true],
  ['1', 'GreaterThan', 10, false],
  ['1h', 'GreaterThan', 3600, false],
  ['2h', 'GreaterThan', 3600, true],
  [3600, 'GreaterThan', '1h', false],
  [3600, 'GreaterThan', '30m', true],
  [-5, 'GreaterThan', -10, true],
  ['1.5.5', 'GreaterThan', '1.5.0', true],
  ['30m', 'LessThan', 3600, true],
  ['1.5.0', 'LessThan', '1.5.5', true],
  ['1024', 'GreaterThanOrEquals', '1Ki', true],
  ['1h', 'GreaterThanOrEquals', 3600, true],
  ['1.5.5', 'GreaterThanOrEquals', '1.5.5', true],
  ['1Ki', 'LessThanOrEquals', '1024', true],
  ['2h', 'LessThanOrEquals', 3600, false],
  [1.5, 'In', [1, 1.5, 2, 3], true],
  [5.5, 'In', [1, 1.5, 2, 3], false],
  ['1.1.1.1', 'In', ['1*'], true],
  [['1.1.1.1', '4.4.4.4'], 'In', ['1.1.1.1', '2.2.2.2', '3.3.3.3'], false],
  [5, 'NotIn', [1, 2, 3], true],
  [['1.1.1.1', '5.5.5.5'], 'AnyIn', '1.1.1.1', true],
  [[1, 5], 'AnyIn', [1, 2, 3, 4], true],
  [['1*'], 'AnyIn', ['1.1.1.1', '2.2.2.2'], true],
  [['5'], 'AnyIn', '1-3', false],
  ['5', 'AnyIn', '1-10', true],
  [5, 'AnyIn', '1-10', true],
  [[1, 5], 'AnyIn', '7-10', false],
  [[1, 5], 'AnyIn', '0-10', true],
  [[1.002, 1.222], 'AnyIn', '1.001-10', true],
  [['1.1.1.1', '5.5.5.5'], 'AllIn', ['1.1.1.1'], false],
  [['2.1.1.1', '2.2.2.2', '2.5.5.5'], 'AllIn', ['2*'], true],
  [['1.1.1.1', '5.5.5.5'], 'AllIn', '5.5.5.5', false],
  [5, 'AllIn', '1-10', true],
  [[3, 2], 'AllIn', '1-10', true],
  [[3, 2], 'AllIn', '5-10', false],
  [1.5, 'AllNotIn', [1, 1.5, 2, 3], false],
  [['1.1.1.1', '4.4.4.4', '1.1.1.1'], 'AllNotIn', ['1.1.1.1', '2.2.2.2', '4.4.4.4'], false],
  [['7*', '6*', '5*'], 'AllNotIn', ['1.1.1.1', '2.2.2.2', '3.3.3.3'], true],
  [['1*', '2*'], 'AllNotIn', ['1.1.1.1', '2.2.2.2', '3.3.3.3'], false],
  [['1.1.1.1', '4.4.4.4'], 'AllNotIn', '2.2.2.2', true],
  [5.5, 'AllNotIn', '6-10', true],
  ['5', 'AllNotIn', '1-6', false],
  [[3, 2], 'AllNotIn', '5-10', true],
  [[2, 6], 'AllNotIn', '5-10', false],
  [['5.5.5.5', '4.4.4.4'], 'AnyNotIn', '4.4.4.4', true],
  [['1*', '3*', '5*'], 'AnyNotIn', ['1.1.1.1', '2.2.2.2', '3.3.3.3'], true],
  [['2.2*'], 'AnyNotIn', ['2.2.2.2'], false],
  ['5', 'AnyNotIn', '1-3', true],
  [[1, 5, 11], 'AnyNotIn', '0-10', true],
  [[1, 5, 7], 'AnyNotIn', '0-10', false],
]);

describe('evaluateCondition errors', () => {
  test('an unknown operator throws ConditionError', () => {
    assert.throws(() => evaluateCondition({ key: 1, operator: 'Bigger', value: 2 }), ConditionError);
    assert.throws(
      () => evaluateCondition({ key: 1, operator: 42 as unknown as string, value: 2 }),
      ConditionError,
    );
  });
});

describe('evaluateConditions', () => {
  const identity = (v: unknown) => v;
  // Each condition's message is its key, so the outcome's message tells which conditions were false.
  const t = (key: string): Condition => ({ key, operator: 'Equals', value: 'yes', message: key });

  test('a missing block passes', () => {
    assert.deepEqual(evaluateConditions(undefined, identity), { passed: true, message: '' });
  });

  test('legacy list means all, stopping at the first failure', () => {
    assert.deepEqual(evaluateConditions([t('yes'), t('no'), t('also-no')], identity), {
      passed: false,
      message: 'no',
    });
    assert.deepEqual(evaluateConditions([t('yes'), t('yes')], identity), {
      passed: true,
      message: 'yes;yes',
    });
  });

  test('any passes when one holds; reports every false any-condition when none does', () => {
    assert.deepEqual(evaluateConditions({ any: [t('no'), t('yes')] }, identity), {
      passed: true,
      message: 'yes',
    });
    assert.deepEqual(evaluateConditions({ any: [t('no'), t('nope')] }, identity), {
      passed: false,
      message: 'no; nope',
    });
  });

  test('any and all combine with AND', () => {
    assert.equal(evaluateConditions({ any: [t('yes')], all: [t('yes'), t('yes')] }, identity).passed, true);
    assert.deepEqual(evaluateConditions({ any: [t('yes')], all: [t('yes'), t('no')] }, identity), {
      passed: false,
      message: 'no',
    });
    // A false any-block does not stop the all-block: its first false condition is reported too.
    assert.deepEqual(evaluateConditions({ any: [t('no')], all: [t('yes'), t('nope'), t('x')] }, identity), {
      passed: false,
      message: 'no; nope',
    });
  });

  test('an empty any list fails, an empty all list passes (as upstream)', () => {
    assert.equal(evaluateConditions({ any: [] }, identity).passed, false);
    assert.equal(evaluateConditions({ all: [] }, identity).passed, true);
  });

  test('keys and values go through substitute before the operator sees them', () => {
    const vars: Record<string, unknown> = { '{{ op }}': 'DELETE', '{{ ops }}': ['CREATE', 'UPDATE'] };
    const substitute = (v: unknown) => (typeof v === 'string' && v in vars ? vars[v] : v);
    const condition = (value: string) => ({
      all: [{ key: '{{ op }}', operator: 'AnyIn', value, message: 'bad op' }],
    });
    assert.deepEqual(evaluateConditions(condition('{{ ops }}'), substitute), {
      passed: false,
      message: 'bad op',
    });
    vars['{{ ops2 }}'] = ['DELETE'];
    assert.equal(evaluateConditions(condition('{{ ops2 }}'), substitute).passed, true);
  });

  test('substitution errors propagate unchanged', () => {
    class VarErr extends Error {}
    assert.throws(
      () =>
        evaluateConditions({ all: [{ key: '{{ x }}', operator: 'Equals', value: 1 }] }, () => {
          throw new VarErr('unresolved');
        }),
      VarErr,
    );
  });

  test('malformed blocks throw ConditionError', () => {
    assert.throws(() => evaluateConditions('nope', identity), ConditionError);
    assert.throws(() => evaluateConditions({ all: 'x' }, identity), ConditionError);
    assert.throws(() => evaluateConditions({ all: ['x'] }, identity), ConditionError);
  });
});

describe('evaluateConditions messages (Kyverno Test_Condition_Messages)', () => {
  const identity = (v: unknown) => v;
  const c = (key: string, value: string, message: string): Condition => ({
    key,
    operator: 'Equals',
    value,
    message,
  });

  test('a failing any block joins the messages of its false conditions', () => {
    const out = evaluateConditions(
      { any: [c('temp', 'temp2', 'invalid name'), c('bar', 'bar2', 'invalid foo')] },
      identity,
    );
    assert.equal(out.passed, false);
    assert.equal(out.message, 'invalid name; invalid foo');
  });

  test('a passing block reports the messages of its true conditions', () => {
    const out = evaluateConditions(
      { any: [c('temp', 'temp', 'invalid name'), c('bar', 'bar', 'invalid foo')] },
      identity,
    );
    assert.deepEqual([out.passed, out.message], [true, 'invalid name']);
  });

  test('false messages of any and all are combined', () => {
    const out = evaluateConditions(
      {
        any: [c('temp', 'temp1', 'invalid name'), c('bar', 'bar2', 'invalid foo')],
        all: [c('temp', 'temp', 'invalid name'), c('bar', 'bar2', 'invalid foo2')],
      },
      identity,
    );
    assert.deepEqual([out.passed, out.message], [false, 'invalid name; invalid foo; invalid foo2']);
  });

  test('legacy lists report the first false message', () => {
    const out = evaluateConditions([c('a', 'a', 'one'), c('a', 'b', 'two')], identity);
    assert.deepEqual([out.passed, out.message], [false, 'two']);
  });
});
