import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { jmespathSearch, VariableError } from '../../../src/policy/vars/index.js';

const q = (expr: string) => jmespathSearch(expr, {});
const fails = (expr: string, message?: RegExp) =>
  assert.throws(
    () => q(expr),
    (e: unknown) => e instanceof VariableError && (!message || message.test(e.message)),
  );

describe('add / subtract / sum', () => {
  test('scalars, quantities and durations (Kyverno arithmetic_test cases)', () => {
    assert.equal(q('add(`12`, `13`)'), 25);
    assert.equal(q("add('12Ki', '13Ki')"), '25Ki');
    assert.equal(q("add('12Ki', '13')"), '12301');
    assert.equal(q("add('12s', '13s')"), '25s');
    assert.equal(q("add('1Gi', '1Mi')"), '1025Mi');
    assert.equal(q("subtract('12Ki', '13Ki')"), '-1Ki');
    assert.equal(q("subtract('12Ki', '13')"), '12275');
    assert.equal(q("subtract('12s', '13s')"), '-1s');
    assert.equal(q('subtract(`12`, `13`)'), -1);
    assert.equal(q("sum(['12Ki', '13Ki', '1Ki', '4Ki'])"), '30Ki');
    assert.equal(q("sum(['12s', '13s'])"), '25s');
    assert.equal(q('sum([`12`, `13`, `1`, `4`])'), 30);
    assert.equal(q("sum(['12Ki'])"), '12Ki');
    // resource.ParseQuantity reads a bare suffix as zero
    assert.equal(q("add('Mi', '1Ki')"), '1Ki');
  });

  test('mixing kinds is a type mismatch', () => {
    fails("add('12', '13s')", /JMESPath function 'add': Types mismatch/);
    fails("add(`12`, '13Ki')", /Types mismatch/);
    fails("add('12Ki', `13`)", /Types mismatch/);
    fails("add('12s', '13')", /Types mismatch/);
    fails("sum(['12s', `13`])", /JMESPath function 'sum': Types mismatch/);
    fails("add('abc', '1')", /JMESPath function 'add': invalid operands/);
    fails('sum(`[]`)', /at least one element in the array is required/);
  });
});

describe('multiply / divide / modulo', () => {
  test('results follow the operand kinds', () => {
    assert.equal(q("multiply('12Ki', `2`)"), '24Ki');
    assert.equal(q("multiply('12s', `2`)"), '24s');
    assert.equal(q('multiply(`2.5`, `2.5`)'), 6.25);
    assert.equal(q("multiply(`2.5`, '12Ki')"), '30Ki');
    assert.equal(q("multiply(`2.5`, '12')"), '30');
    assert.equal(q("multiply(`2.5`, '40s')"), '1m40s');
    assert.equal(q("divide('256M', '256M')"), 1);
    assert.equal(q("divide('128M', '256M')"), 0.5);
    assert.equal(q("divide('8', '3')"), 8 / 3);
    assert.equal(q("divide('12Ki', `3`)"), '4Ki');
    assert.equal(q("divide('12Ki', '200')"), 61.44);
    assert.equal(q("divide('12s', `3`)"), '4s');
    assert.equal(q("divide('12s', '5s')"), 2.4);
    assert.equal(q('divide(`14`, `3`)'), 4.666666666666667);
    assert.equal(q("modulo('12Ki', '5Ki')"), '2Ki');
    assert.equal(q("modulo('13s', '2s')"), '1s');
    assert.equal(q('modulo(`13`, `5`)'), 3);
  });

  test('invalid combinations and zero divisors fail', () => {
    for (const expr of [
      "multiply('12Ki', '12Ki')",
      "multiply('12s', '12s')",
      "divide('12Ki', '2s')",
      "divide(`14`, '5s')",
      "divide(`14`, '5')",
      "modulo('12Ki', `13`)",
      "modulo('13s', `2`)",
    ]) {
      fails(expr, /Types mismatch/);
    }
    for (const expr of [
      'divide(`14`, `0`)',
      "divide('4Ki', '0Ki')",
      "divide('4s', '0s')",
      "modulo('4', '0')",
      'modulo(`1`, `0`)',
    ]) {
      fails(expr, /Zero divisor passed/);
    }
    fails("modulo('4', '1.5')", /Non-integer argument\(s\) passed for modulo/);
    fails('modulo(`14.5`, `2`)', /Non-integer/);
  });

  test('round rounds half away from zero to the given places', () => {
    assert.equal(q('round(`2.5`, `0`)'), 3);
    assert.equal(q('round(`-2.5`, `0`)'), -3);
    assert.equal(q('round(`3.14159`, `2`)'), 3.14);
    fails('round(`1.5`, `1.5`)', /Non-integer argument\(s\) passed for round off/);
    fails('round(`1.5`, `-1`)', /out of bounds/);
  });
});
