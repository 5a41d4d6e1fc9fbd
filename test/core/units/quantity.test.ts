import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  addQuantities,
  compareQuantities,
  divideQuantitiesTruncating,
  formatQuantity,
  isIntegerQuantity,
  multiplyQuantities,
  parseQuantity,
  type Quantity,
  quantityFromInteger,
  quantityToFloat,
  subtractQuantities,
} from '../../../src/core/units/quantity.js';

function q(text: string): Quantity {
  const parsed = parseQuantity(text);
  assert.ok(parsed, `${text} should parse`);
  return parsed;
}

describe('parseQuantity (resource.ParseQuantity)', () => {
  const valid: [string, number][] = [
    ['100m', 0.1],
    ['1', 1],
    ['1.5', 1.5],
    ['1Gi', 2 ** 30],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['2Ki', 2048],
    ['1k', 1000],
    ['1M', 1e6],
    ['1E', 1e18],
    ['1e3', 1000],
    ['1E3', 1000],
    ['1e+3', 1000],
    ['5e-3', 0.005],
    ['-2', -2],
    ['+2', 2],
    ['.5', 0.5],
    ['5.', 5],
    ['0', 0],
    ['000', 0],
    ['-0', 0],
    ['100n', 1e-7],
    ['3u', 3e-6],
  ];
  for (const [s, n] of valid) {
    test(`${s} = ${n}`, () => {
      const v = quantityToFloat(q(s));
      assert.ok(Math.abs(v - n) <= Math.abs(n) * 1e-12, `${s}: ${v}`);
    });
  }

  test('a number without digits is zero where the int64 fast path takes it', () => {
    for (const s of [
      'Mi',
      'Ki',
      'Gi',
      'Ti',
      'm',
      'n',
      'k',
      'E',
      '-',
      '+',
      '.',
      '-.',
      '.Mi',
      '-Mi',
      'e3',
      'e-9',
    ]) {
      const parsed = parseQuantity(s);
      assert.ok(parsed, s);
      assert.equal(parsed.num, 0n, s);
    }
  });

  test('... and an error where ParseQuantity falls back to inf.Dec, which needs a digit', () => {
    for (const s of ['Pi', 'Ei', '-Pi', '.Ei', 'e-10', '-E-12']) assert.equal(parseQuantity(s), undefined, s);
    assert.equal(q('0Pi').num, 0n);
    assert.equal(q('0e-10').num, 0n);
  });

  test('rejects what Kubernetes rejects', () => {
    for (const s of [
      '',
      'abc',
      '1.2.3',
      '1 Gi',
      ' 1',
      '1Gb',
      '1e',
      '1ee3',
      '1e+',
      'Pod',
      '--1',
      '1iB',
      '12s',
      '1Kb',
      '1K',
      '1Ki3',
    ]) {
      assert.equal(parseQuantity(s), undefined, JSON.stringify(s));
    }
  });

  test('keeps the format of the suffix', () => {
    assert.equal(q('1Gi').format, 'BinarySI');
    assert.equal(q('1G').format, 'DecimalSI');
    assert.equal(q('1').format, 'DecimalSI');
    assert.equal(q('1e3').format, 'DecimalExponent');
    assert.equal(q('0.5Ki').format, 'BinarySI');
  });

  test('a binary amount strictly between 0 and 1 becomes decimal-SI, as ParseQuantity does', () => {
    assert.equal(q('0.0005Ki').format, 'DecimalSI');
    assert.equal(q('-0.0005Ki').format, 'DecimalSI');
    assert.equal(formatQuantity(q('0.0005Ki')), '512m');
  });

  test('binary amounts are capped at the largest int64', () => {
    assert.equal(q('8Ei').num, 2n ** 63n - 1n);
    assert.equal(q('-16Ei').num, -(2n ** 63n - 1n));
    assert.equal(formatQuantity(q('8Ei')), '9223372036854775807');
    assert.equal(formatQuantity(q('7Ei')), '7Ei');
    // Decimal amounts are not capped.
    assert.equal(formatQuantity(q('18446744073709551616')), '18446744073709551616');
  });

  test('values finer than 1n round away from zero', () => {
    assert.equal(compareQuantities(q('0.0000000001'), q('1n')), 0);
    assert.equal(compareQuantities(q('-0.0000000001'), q('-1n')), 0);
    assert.equal(compareQuantities(q('1.0000000001'), q('1000000001n')), 0);
    assert.equal(formatQuantity(q('0.000000000001')), '1n');
    assert.equal(formatQuantity(q('1e-12')), '1e-9');
  });

  test('huge exponents are refused rather than expanded', () => {
    assert.ok(parseQuantity('1e1000'));
    assert.equal(parseQuantity('1e1001'), undefined);
    assert.equal(parseQuantity('1e-1001'), undefined);
  });

  test('results are cached', () => {
    assert.equal(parseQuantity('123Mi'), parseQuantity('123Mi'));
    assert.equal(parseQuantity('nope'), undefined);
    assert.equal(parseQuantity('nope'), undefined);
  });
});

describe('compareQuantities (Quantity.Cmp)', () => {
  test('compares exactly across suffixes and scales', () => {
    assert.equal(compareQuantities(q('1024Mi'), q('1Gi')), 0);
    assert.equal(compareQuantities(q('300m'), q('0.3')), 0);
    assert.equal(compareQuantities(q('1001m'), q('1')), 1);
    assert.equal(compareQuantities(q('999999999n'), q('1')), -1);
    assert.equal(compareQuantities(q('1.5Gi'), q('1536Mi')), 0);
    assert.equal(compareQuantities(q('-1'), q('1m')), -1);
    assert.equal(compareQuantities(q('1e3'), q('1k')), 0);
  });
});

describe('formatQuantity (Quantity.String)', () => {
  test('prints the canonical form', () => {
    const cases: [string, string][] = [
      ['1Gi', '1Gi'],
      ['1024Mi', '1Gi'],
      ['1.5Gi', '1536Mi'],
      ['100m', '100m'],
      ['0.5', '500m'],
      ['1500', '1500'],
      ['1.5k', '1500'],
      ['2000', '2k'],
      ['1e3', '1e3'],
      ['0', '0'],
      ['Mi', '0'],
      ['-1Ki', '-1Ki'],
      ['1000Ki', '1000Ki'],
      ['1M', '1M'],
      ['1.2345', '1234500u'],
      ['1000E', '1e21'],
      ['512', '512'],
    ];
    for (const [input, canonical] of cases) assert.equal(formatQuantity(q(input)), canonical, input);
  });
});

describe('quantity arithmetic', () => {
  test('keeps the format of the left operand', () => {
    assert.equal(formatQuantity(addQuantities(q('12Ki'), q('13Ki'))), '25Ki');
    assert.equal(formatQuantity(addQuantities(q('1Gi'), q('1Mi'))), '1025Mi');
    assert.equal(formatQuantity(subtractQuantities(q('12Ki'), q('13Ki'))), '-1Ki');
    assert.equal(formatQuantity(addQuantities(q('12Ki'), q('13'))), '12301');
    assert.equal(formatQuantity(multiplyQuantities(q('12Ki'), q('2'))), '24Ki');
    assert.equal(formatQuantity(multiplyQuantities(q('100m'), q('3'))), '300m');
  });

  test('division truncates at the larger scale', () => {
    assert.equal(formatQuantity(divideQuantitiesTruncating(q('12Ki'), q('3'))), '4Ki');
    assert.equal(formatQuantity(divideQuantitiesTruncating(q('10'), q('3'))), '3');
    assert.equal(formatQuantity(divideQuantitiesTruncating(q('1.0'), q('3'))), '300m');
  });

  test('integers and conversion', () => {
    assert.equal(isIntegerQuantity(q('2Ki')), true);
    assert.equal(isIntegerQuantity(q('1.5')), false);
    assert.equal(formatQuantity(quantityFromInteger(2048n, 'BinarySI')), '2Ki');
    assert.equal(quantityToFloat(q('250m')), 0.25);
  });
});
