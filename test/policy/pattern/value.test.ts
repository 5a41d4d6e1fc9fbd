import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { goFloatString, goValueString, parseGoFloat } from '../../../src/policy/pattern/value.js';

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
