import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DurationError,
  durationFromSeconds,
  durationSeconds,
  formatGoDuration,
  parseDurationNs,
  parseGoDuration,
  tryParseGoDuration,
} from '../../../src/core/units/duration.js';

const MAX = 2n ** 63n - 1n;

describe('parseGoDuration (time.ParseDuration)', () => {
  const valid: [string, bigint][] = [
    ['0', 0n],
    ['-0', 0n],
    ['1s', 1_000_000_000n],
    ['1.5h', 5_400_000_000_000n],
    ['1h30m', 5_400_000_000_000n],
    ['300ms', 300_000_000n],
    ['-2m', -120_000_000_000n],
    ['+5s', 5_000_000_000n],
    ['10us', 10_000n],
    ['10µs', 10_000n],
    ['10μs', 10_000n],
    ['7ns', 7n],
    ['.5s', 500_000_000n],
    ['5.s', 5_000_000_000n],
    ['1h1h', 7_200_000_000_000n],
    ['0s', 0n],
    ['9223372036854775807ns', MAX],
    ['2562047h47m16.854775807s', MAX],
    ['-9223372036854775808ns', -MAX - 1n],
  ];
  for (const [s, ns] of valid) {
    test(`${s} = ${ns}ns`, () => {
      assert.equal(parseGoDuration(s), ns);
      assert.equal(tryParseGoDuration(s), ns);
      assert.equal(parseDurationNs(s), Number(ns));
    });
  }

  test('fractions are truncated to whole nanoseconds', () => {
    assert.equal(parseGoDuration('1.5ns'), 1n);
    assert.equal(parseGoDuration('0.5ns'), 0n);
    assert.equal(parseGoDuration('1.0000000001s'), 1_000_000_000n);
    assert.equal(parseDurationNs('1.9999999999s'), 1_999_999_999);
  });

  test('fractions go through float64 as in Go, not exact decimal arithmetic', () => {
    assert.equal(parseGoDuration('0.24884409262h'), 895_838_733_432n);
    assert.equal(parseGoDuration('0.24884409262000h'), 895_838_733_431n);
    // leadingFraction stops accumulating digits that would overflow.
    assert.equal(parseGoDuration(`1.${'5'.repeat(40)}s`), 1_555_555_555n);
  });

  test('the float64 shortcut agrees with the exact parser', () => {
    // Leading zeros beyond 15 digits force the exact (bigint) path without changing the value.
    const pad = '0'.repeat(16);
    let seed = 12345;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const units = ['ns', 'us', 'µs', 'ms', 's', 'm', 'h'];
    for (let k = 0; k < 500; k++) {
      const parts = Array.from({ length: 1 + next(3) }, () => {
        const whole = String(next(100_000));
        const frac = next(2) ? `.${String(next(10 ** 9)).padStart(1 + next(12), '0')}` : '';
        return [whole, frac, units[next(units.length)]!] as const;
      });
      const sign = ['', '-', '+'][next(3)]!;
      const plain = sign + parts.map(([w, f, u]) => w + f + u).join('');
      const padded = sign + parts.map(([w, f, u]) => pad + w + f + u).join('');
      assert.equal(parseGoDuration(plain), parseGoDuration(padded), plain);
      assert.equal(parseDurationNs(plain), Number(parseGoDuration(padded)), plain);
    }
  });

  for (const s of [
    '',
    '1',
    's',
    '1d',
    '1.s.',
    '.s',
    '1 s',
    '-',
    '+',
    '--1s',
    '1s ',
    '9223372036854775808ns',
    '2562048h',
    '-9223372036854775809ns',
    '99999999999999999999s',
  ]) {
    test(`${JSON.stringify(s)} is not a duration`, () => {
      assert.equal(tryParseGoDuration(s), undefined);
      assert.equal(parseDurationNs(s), undefined);
      assert.throws(() => parseGoDuration(s), DurationError);
    });
  }

  test('errors carry Go messages, quoted as package time quotes', () => {
    assert.throws(() => parseGoDuration('1'), { message: 'time: missing unit in duration "1"' });
    assert.throws(() => parseGoDuration('1x'), { message: 'time: unknown unit "x" in duration "1x"' });
    assert.throws(() => parseGoDuration(''), { message: 'time: invalid duration ""' });
    assert.throws(() => parseGoDuration('.s'), { message: 'time: invalid duration ".s"' });
    assert.throws(() => parseGoDuration('1"s'), { message: 'time: unknown unit "\\"s" in duration "1\\"s"' });
    assert.throws(() => parseGoDuration('1µx'), {
      message: 'time: unknown unit "\\xc2\\xb5x" in duration "1\\xc2\\xb5x"',
    });
    assert.throws(() => parseGoDuration('1\ns'), {
      message: 'time: unknown unit "\\x0as" in duration "1\\x0as"',
    });
  });
});

describe('formatGoDuration (Duration.String)', () => {
  test('prints like Go', () => {
    const cases: [string, string][] = [
      ['1h30m', '1h30m0s'],
      ['90m', '1h30m0s'],
      ['1.5s', '1.5s'],
      ['1500ms', '1.5s'],
      ['100us', '100µs'],
      ['1.5µs', '1.5µs'],
      ['10ns', '10ns'],
      ['0', '0s'],
      ['-2m', '-2m0s'],
      ['2h', '2h0m0s'],
      ['-9223372036854775808ns', '-2562047h47m16.854775808s'],
    ];
    for (const [input, out] of cases) assert.equal(formatGoDuration(parseGoDuration(input)), out, input);
  });

  test('seconds conversions', () => {
    assert.equal(durationSeconds(1_500_000_000n), 1.5);
    assert.equal(durationSeconds(-500_000_000n), -0.5);
    assert.equal(durationFromSeconds(1.5), 1_500_000_000n);
    assert.equal(durationFromSeconds(-0.0000000019), -1n);
    assert.equal(durationFromSeconds(Infinity), MAX);
  });
});
