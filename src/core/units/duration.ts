/**
 * Go's time.Duration: time.ParseDuration (exact, in bigint nanoseconds, with Go's error texts), a cached
 * number-of-nanoseconds variant for hot comparisons, and Duration.String() formatting.
 */

const UNITS = new Map<string, bigint>([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n], // U+00B5 micro sign
  ['μs', 1_000n], // U+03BC Greek mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const TWO_63 = 1n << 63n;
const MAX_DURATION = TWO_63 - 1n;
// leadingFraction stops accumulating digits once another one could overflow int64.
const FRACTION_LIMIT = MAX_DURATION / 10n;

export class DurationError extends Error {}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

const utf8 = new TextEncoder();

/** time's own quote(): non-ASCII and control characters become \x escapes of their UTF-8 bytes. */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0x80 || cp < 0x20) {
      for (const byte of utf8.encode(ch)) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    } else {
      if (ch === '"' || ch === '\\') out += '\\';
      out += ch;
    }
  }
  return `${out}"`;
}

type Failure = 'invalid' | 'missing unit' | { unknownUnit: string };

function failureMessage(failure: Failure, orig: string): string {
  if (failure === 'invalid') return `time: invalid duration ${goQuote(orig)}`;
  if (failure === 'missing unit') return `time: missing unit in duration ${goQuote(orig)}`;
  return `time: unknown unit ${goQuote(failure.unknownUnit)} in duration ${goQuote(orig)}`;
}

function parse(orig: string): bigint | Failure {
  const small = parseSmall(orig);
  return small === undefined ? parseExact(orig) : BigInt(small);
}

/** time.ParseDuration, step for step, in exact integers. */
function parseExact(orig: string): bigint | Failure {
  const end = orig.length;
  let i = 0;
  let neg = false;
  if (end > 0 && (orig[0] === '-' || orig[0] === '+')) {
    neg = orig[0] === '-';
    i = 1;
  }
  if (end - i === 1 && orig[i] === '0') return 0n;
  if (i === end) return 'invalid';
  let d = 0n;
  while (i < end) {
    const first = orig.charCodeAt(i);
    if (!(first === 46 || isDigit(first))) return 'invalid';
    const intStart = i;
    while (i < end && isDigit(orig.charCodeAt(i))) i++;
    const pre = i > intStart;
    let v = pre ? BigInt(orig.slice(intStart, i)) : 0n;
    if (v > TWO_63) return 'invalid';
    let f = 0n;
    let scale = 1;
    let post = false;
    if (i < end && orig.charCodeAt(i) === 46) {
      i++;
      const fracStart = i;
      let overflow = false;
      for (; i < end; i++) {
        const c = orig.charCodeAt(i);
        if (!isDigit(c)) break;
        if (overflow) continue;
        const next = f * 10n + BigInt(c - 48);
        if (f > FRACTION_LIMIT || next > TWO_63) {
          overflow = true;
          continue;
        }
        f = next;
        scale *= 10;
      }
      post = i > fracStart;
    }
    if (!pre && !post) return 'invalid';
    const unitStart = i;
    while (i < end) {
      const c = orig.charCodeAt(i);
      if (c === 46 || isDigit(c)) break;
      i++;
    }
    if (i === unitStart) return 'missing unit';
    const name = orig.slice(unitStart, i);
    const unit = UNITS.get(name);
    if (unit === undefined) return { unknownUnit: name };
    if (v > TWO_63 / unit) return 'invalid';
    v *= unit;
    if (f > 0n) {
      // Go computes the fraction in float64 and truncates; doing it exactly would differ in the last ns.
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > TWO_63) return 'invalid';
    }
    d += v;
    if (d > TWO_63) return 'invalid';
  }
  if (neg) return -d;
  if (d > MAX_DURATION) return 'invalid';
  return d;
}

const SMALL_UNITS = new Map([...UNITS].map(([name, ns]) => [name, Number(ns)]));
const MAX_DIGITS = 15; // 10^15 < 2^53, so such digit runs convert to float64 exactly

/**
 * The same grammar and arithmetic in float64 for valid inputs whose every step stays below 2^53, where
 * doubles are exact; undefined means "ask the exact parser" (errors, huge values, long digit runs).
 */
function parseSmall(orig: string): number | undefined {
  const end = orig.length;
  let i = 0;
  let neg = false;
  if (end > 0 && (orig[0] === '-' || orig[0] === '+')) {
    neg = orig[0] === '-';
    i = 1;
  }
  if (end - i === 1 && orig[i] === '0') return 0;
  if (i === end) return undefined;
  let d = 0;
  while (i < end) {
    const intStart = i;
    let v = 0;
    for (let c = orig.charCodeAt(i); i < end && isDigit(c); c = orig.charCodeAt(++i)) v = v * 10 + c - 48;
    const pre = i > intStart;
    if (i - intStart > MAX_DIGITS) return undefined;
    let f = 0;
    let scale = 1;
    let post = false;
    if (i < end && orig.charCodeAt(i) === 46) {
      const fracStart = ++i;
      for (let c = orig.charCodeAt(i); i < end && isDigit(c); c = orig.charCodeAt(++i)) {
        f = f * 10 + c - 48;
        scale *= 10;
      }
      post = i > fracStart;
      if (i - fracStart > MAX_DIGITS) return undefined;
    }
    if (!pre && !post) return undefined;
    const unitStart = i;
    while (i < end) {
      const c = orig.charCodeAt(i);
      if (c === 46 || isDigit(c)) break;
      i++;
    }
    const unit = SMALL_UNITS.get(orig.slice(unitStart, i));
    if (unit === undefined) return undefined;
    v *= unit;
    if (f > 0) v += Math.trunc(f * (unit / scale));
    d += v;
    if (d > Number.MAX_SAFE_INTEGER) return undefined;
  }
  return neg ? -d || 0 : d;
}

/** time.ParseDuration; throws DurationError with Go's message. */
export function parseGoDuration(input: string): bigint {
  const d = parse(input);
  if (typeof d !== 'bigint') throw new DurationError(failureMessage(d, input));
  return d;
}

export function tryParseGoDuration(input: string): bigint | undefined {
  const d = parse(input);
  return typeof d === 'bigint' ? d : undefined;
}

// Patterns and conditions compare the same few strings ("1h", "30s") over and over; parse them once.
const CACHE_LIMIT = 20_000;
const nsCache = new Map<string, number | null>();

/** time.ParseDuration as a number of nanoseconds (exact below 2^53 ns, about 104 days); cached. */
export function parseDurationNs(input: string): number | undefined {
  const cached = nsCache.get(input);
  if (cached !== undefined) return cached ?? undefined;
  let ns = parseSmall(input);
  if (ns === undefined) {
    const d = parseExact(input);
    ns = typeof d === 'bigint' ? Number(d) : undefined;
  }
  if (nsCache.size >= CACHE_LIMIT) nsCache.clear();
  nsCache.set(input, ns ?? null);
  return ns;
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
