/** Go's time.Duration: parsing and String() formatting, in integer nanoseconds. */

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX_DURATION = (1n << 63n) - 1n;

export class DurationError extends Error {}

/** time.ParseDuration; throws DurationError with Go's message. */
export function parseGoDuration(input: string): bigint {
  const quoted = JSON.stringify(input);
  let s = input;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw new DurationError(`time: invalid duration ${quoted}`);
  let total = 0n;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const intPart = m[1] ?? '';
    const fracPart = m[2];
    if (intPart === '' && (fracPart === undefined || fracPart === '')) {
      throw new DurationError(`time: invalid duration ${quoted}`);
    }
    s = s.slice(m[0].length);
    const u = /^[^0-9.]+/.exec(s);
    if (!u) throw new DurationError(`time: missing unit in duration ${quoted}`);
    const unitName = u[0];
    const unit = UNITS[unitName];
    if (unit === undefined)
      throw new DurationError(`time: unknown unit ${JSON.stringify(unitName)} in duration ${quoted}`);
    s = s.slice(unitName.length);
    let v = BigInt(intPart || '0') * unit;
    if (fracPart) v += (BigInt(fracPart) * unit) / 10n ** BigInt(fracPart.length);
    total += v;
    if (total > MAX_DURATION + (neg ? 1n : 0n)) throw new DurationError(`time: invalid duration ${quoted}`);
  }
  return neg ? -total : total;
}

export function tryParseGoDuration(input: string): bigint | undefined {
  try {
    return parseGoDuration(input);
  } catch {
    return undefined;
  }
}

function fraction(v: bigint, digits: number): string {
  const div = 10n ** BigInt(digits);
  const whole = v / div;
  let frac = (v % div).toString().padStart(digits, '0').replace(/0+$/, '');
  if (frac !== '') frac = `.${frac}`;
  return `${whole}${frac}`;
}

/** time.Duration.String(), e.g. "1h2m3.5s", "1.5µs", "0s". */
export function formatGoDuration(d: bigint): string {
  if (d === 0n) return '0s';
  const neg = d < 0n;
  const u = neg ? -d : d;
  let out: string;
  if (u < 1_000_000_000n) {
    if (u < 1_000n) out = `${u}ns`;
    else if (u < 1_000_000n) out = `${fraction(u, 3)}µs`;
    else out = `${fraction(u, 6)}ms`;
  } else {
    const totalSeconds = u / 1_000_000_000n;
    const nanos = u % 1_000_000_000n;
    out = `${fraction((totalSeconds % 60n) * 1_000_000_000n + nanos, 9)}s`;
    const totalMinutes = totalSeconds / 60n;
    if (totalMinutes > 0n) {
      out = `${totalMinutes % 60n}m${out}`;
      const hours = totalMinutes / 60n;
      if (hours > 0n) out = `${hours}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

/** Duration.Seconds() as a float. */
export function durationSeconds(d: bigint): number {
  const sec = d / 1_000_000_000n;
  const nsec = d % 1_000_000_000n;
  return Number(sec) + Number(nsec) / 1e9;
}

/** time.Duration(float) conversion: truncation toward zero. */
export function durationFromSeconds(seconds: number): bigint {
  const ns = seconds * 1e9;
  if (!Number.isFinite(ns)) return ns > 0 ? MAX_DURATION : -MAX_DURATION - 1n;
  return BigInt(Math.trunc(ns));
}
