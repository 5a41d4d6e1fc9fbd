import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  compareRational,
  goFloatString,
  goValueString,
  parseDuration,
  parseGoFloat,
  parseQuantity,
  parseQuantityExact,
  wildcardMatch,
} from '../../../src/policy/pattern/value.js';

describe('parseQuantity (Kubernetes resource.Quantity)', () => {
  const valid: [string, number][] = [
    ['100m', 0.1],
    ['1', 1],
    ['1.5', 1.5],
    ['1Gi', 2 ** 30],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['2Ki', 2048],
    ['1k', 1000],
    ['1M', 1e6],
    ['1e3', 1000],
    ['1E3', 1000],
    ['5e-3', 0.005],
    ['-2', -2],
    ['+2', 2],
    ['.5', 0.5],
    ['5.', 5],
    ['0', 0],
    ['000', 0],
    ['100n', 1e-7],
    ['3u', 3e-6],
    ['Mi', 0],
    ['m', 0],
  ];
  for (const [s, n] of valid) {
    test(`${s} = ${n}`, () => {
      const v = parseQuantity(s);
      assert.ok(v !== undefined, s);
      assert.ok(Math.abs(v - n) <= Math.abs(n) * 1e-12, `${s}: ${v}`);
    });
  }
  for (const s of ['', 'abc', '1.2.3', '1 Gi', '1Gb', '1e', 'Pod', '--1', '1iB']) {
    test(`${JSON.stringify(s)} is not a quantity`, () => assert.equal(parseQuantity(s), undefined));
  }
  test('comparison is exact and rounds sub-nano values up to 1n', () => {
    assert.equal(compareRational(parseQuantityExact('1024Mi')!, parseQuantityExact('1Gi')!), 0);
    assert.equal(compareRational(parseQuantityExact('300m')!, parseQuantityExact('0.3')!), 0);
    assert.equal(compareRational(parseQuantityExact('1001m')!, parseQuantityExact('1')!), 1);
    assert.equal(compareRational(parseQuantityExact('0.0000000001')!, parseQuantityExact('1n')!), 0);
  });
});

describe('parseDuration (Go time.ParseDuration)', () => {
  const valid: [string, number][] = [
    ['0', 0],
    ['1s', 1e9],
    ['1.5h', 5400e9],
    ['1h30m', 5400e9],
    ['300ms', 3e8],
    ['-2m', -120e9],
    ['+5s', 5e9],
    ['10us', 1e4],
    ['10µs', 1e4],
    ['7ns', 7],
    ['.5s', 5e8],
  ];
  for (const [s, ns] of valid) test(`${s} = ${ns}ns`, () => assert.equal(parseDuration(s), ns));
  for (const s of ['', '1', 's', '1d', '1.s.', '.s', '1 s', '-']) {
    test(`${JSON.stringify(s)} is not a duration`, () => assert.equal(parseDuration(s), undefined));
  }
});

describe('wildcardMatch', () => {
  const cases: [string, string, boolean][] = [
    ['*', '', true],
    ['', '', true],
    ['', 'a', false],
    ['a*', 'abc', true],
    ['*c', 'abc', true],
    ['a*c', 'ac', true],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['?*', '', false],
    ['?*', 'x', true],
    ['*.example.com', 'a.b.example.com', true],
    ['A*', 'abc', false],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'aXbY', false],
    ['ü?', 'üö', true],
  ];
  for (const [p, t, e] of cases) test(`${p} ~ ${t} → ${e}`, () => assert.equal(wildcardMatch(p, t), e));
});

describe('Go formatting helpers', () => {
  test('float formatting follows fmt %v', () => {
    assert.equal(goFloatString(1), '1');
    assert.equal(goFloatString(1.5), '1.5');
    assert.equal(goFloatString(1e6), '1e+06');
    assert.equal(goFloatString(123456), '123456');
    assert.equal(goFloatString(0.00001), '1e-05');
  });
  test('values print like unstructured Go data', () => {
    assert.equal(goValueString(null), '<nil>');
    assert.equal(goValueString({ b: 1, a: ['x', true] }), 'map[a:[x true] b:1]');
    assert.equal(goValueString(1000000), '1000000');
    assert.equal(goValueString(1000000, true), '1e+06');
  });
  test('ParseFloat accepts Go float syntax only', () => {
    assert.equal(parseGoFloat('1e3'), 1000);
    assert.equal(parseGoFloat('.5'), 0.5);
    assert.equal(parseGoFloat('Inf'), Infinity);
    assert.equal(parseGoFloat('0x1p-2'), 0.25);
    assert.equal(parseGoFloat('1Gi'), undefined);
    assert.equal(parseGoFloat(''), undefined);
  });
});
