import { describe, test } from 'node:test';
import { expectError, expectValue } from '../helpers.js';

describe('math extension', () => {
  test('greatest/least over arguments and lists, rounding half away from zero, abs overflow', () => {
    expectValue('math.greatest(-1, 3, 2)', 3);
    expectValue('math.greatest([1, 5, 3])', 5);
    expectValue('math.least(2.5, 1)', 1);
    expectValue('math.round(-2.5)', -3);
    expectValue('math.bitShiftRight(-1, 63)', 1);
    expectValue('math.isNaN(0.0/0.0)', true);
    expectError('math.least([])', /list is empty/);
    expectError('math.abs(-9223372036854775807 - 1)', /overflow/);
  });
});
