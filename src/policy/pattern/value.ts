/**
 * Scalar semantics shared by pattern matching and conditions: Kubernetes quantities, Go durations,
 * Go number parsing/formatting and Kyverno's wildcard matching. Everything mirrors the Go libraries
 * Kyverno relies on (k8s.io/apimachinery resource.Quantity, time.ParseDuration, strconv, fmt), because
 * policies are written against their exact behaviour.
 */

/** An exact rational value: num / den, den > 0. */
export interface Rational {
  num: bigint;
  den: bigint;
}

const DECIMAL_SUFFIX: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const SUFFIX_CHARS = 'eEinumkKMGTP';

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/**
 * Parses a Kubernetes quantity exactly, following resource.ParseQuantity: optional sign, digits with an
 * optional fraction (either side may be empty, so "Mi" or "m" alone are zero), then a decimal-SI, binary-SI
 * or decimal-exponent suffix. Values finer than 1n are rounded away from zero to 1n, as Kubernetes does.
 */
export function parseQuantityExact(str: string): Rational | undefined {
  const cached = quantityCache.get(str);
  if (cached !== undefined) return cached ?? undefined;
  const parsed = parseQuantityUncached(str);
  if (quantityCache.size >= CACHE_LIMIT) quantityCache.clear();
  quantityCache.set(str, parsed ?? null);
  return parsed;
}

// Policies compare the same few strings ("1Gi", "500m") over and over; parsing them once matters.
const CACHE_LIMIT = 20_000;
const quantityCache = new Map<string, Rational | null>();
const durationCache = new Map<string, number | null>();

function parseQuantityUncached(str: string): Rational | undefined {
  if (str.length === 0) return undefined;
  let pos = 0;
  const end = str.length;
  let positive = true;
  if (str[0] === '-') {
    positive = false;
    pos++;
  } else if (str[0] === '+') {
    pos++;
  }
  let intStart = pos;
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { num: 0n, den: 1n };
  intStart = pos;
  while (pos < end && isDigit(str[pos])) pos++;
  const intDigits = str.slice(intStart, pos);
  let fracDigits = '';
  if (pos < end && str[pos] === '.') {
    pos++;
    const fracStart = pos;
    while (pos < end && isDigit(str[pos])) pos++;
    fracDigits = str.slice(fracStart, pos);
  }
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(str[pos]!)) pos++;
  if (pos < end) {
    if (str[pos] === '-' || str[pos] === '+') pos++;
    while (pos < end && isDigit(str[pos])) pos++;
    if (pos < end) return undefined;
  }
  const suffix = str.slice(suffixStart);
  let exp10 = 0;
  let exp2 = 0;
  if (suffix in DECIMAL_SUFFIX) exp10 = DECIMAL_SUFFIX[suffix]!;
  else if (suffix in BINARY_SUFFIX) exp2 = BINARY_SUFFIX[suffix]!;
  else if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const e = suffix.slice(1);
    if (!/^[+-]?\d+$/.test(e)) return undefined;
    exp10 = Number.parseInt(e, 10);
    if (!Number.isFinite(exp10) || Math.abs(exp10) > 1000) return undefined;
  } else return undefined;

  let num = BigInt((intDigits || '0') + fracDigits);
  let den = 10n ** BigInt(fracDigits.length);
  if (exp10 >= 0) num *= 10n ** BigInt(exp10);
  else den *= 10n ** BigInt(-exp10);
  num *= 2n ** BigInt(exp2);
  // Round away from zero to nano precision (resource.Quantity cannot hold finer values).
  const nanoScaled = num * 1_000_000_000n;
  if (nanoScaled % den !== 0n) {
    num = nanoScaled / den + 1n;
    den = 1_000_000_000n;
  }
  if (!positive) num = -num;
  return normalize({ num, den });
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function normalize(r: Rational): Rational {
  if (r.num === 0n) return { num: 0n, den: 1n };
  const g = gcd(r.num, r.den);
  return { num: r.num / g, den: r.den / g };
}

/** -1, 0 or 1 like Quantity.Cmp. */
export function compareRational(a: Rational, b: Rational): number {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** Kubernetes resource.Quantity semantics ("100m", "1Gi", "1e3"); undefined when not a quantity. */
export function parseQuantity(s: string): number | undefined {
  const q = parseQuantityExact(s);
  return q === undefined ? undefined : Number(q.num) / Number(q.den);
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};
const MAX_DURATION_NS = 2 ** 63 - 1024; // largest float64 below Go's int64 nanosecond limit

/** Go time.ParseDuration semantics; the result is in nanoseconds, undefined when invalid. */
export function parseDuration(s: string): number | undefined {
  const cached = durationCache.get(s);
  if (cached !== undefined) return cached ?? undefined;
  const parsed = parseDurationUncached(s);
  if (durationCache.size >= CACHE_LIMIT) durationCache.clear();
  durationCache.set(s, parsed ?? null);
  return parsed;
}

function parseDurationUncached(s: string): number | undefined {
  let rest = s;
  let neg = false;
  if (rest !== '' && (rest[0] === '-' || rest[0] === '+')) {
    neg = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  while (rest !== '') {
    if (!(rest[0] === '.' || isDigit(rest[0]))) return undefined;
    let i = 0;
    while (i < rest.length && isDigit(rest[i])) i++;
    const intPart = rest.slice(0, i);
    rest = rest.slice(i);
    let fracPart = '';
    if (rest[0] === '.') {
      rest = rest.slice(1);
      let j = 0;
      while (j < rest.length && isDigit(rest[j])) j++;
      fracPart = rest.slice(0, j);
      rest = rest.slice(j);
    }
    if (intPart === '' && fracPart === '') return undefined;
    let u = 0;
    while (u < rest.length && rest[u] !== '.' && !isDigit(rest[u])) u++;
    if (u === 0) return undefined;
    const unit = DURATION_UNITS[rest.slice(0, u)];
    if (unit === undefined) return undefined;
    rest = rest.slice(u);
    const value = Number(intPart || '0') * unit + (fracPart ? Number(`0.${fracPart}`) * unit : 0);
    total += value;
    if (total > MAX_DURATION_NS) return undefined;
  }
  return neg ? -total : total;
}

/** Go strconv.ParseFloat(s, 64) for the decimal forms policies use (plus Inf/NaN); undefined on error. */
export function parseGoFloat(s: string): number | undefined {
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return Number.NaN;
  if (/^[+-]?0[xX]/.test(s)) {
    const m = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(s);
    if (!m || (m[2] === '' && !m[3])) return undefined;
    const mant = Number.parseInt((m[2] || '0') + (m[3] ?? ''), 16) / 16 ** (m[3]?.length ?? 0);
    const v = mant * 2 ** Number(m[4]);
    return m[1] === '-' ? -v : v;
  }
  return undefined;
}

/** Go strconv.ParseInt(s, 10, 64). */
export function parseGoInt(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return undefined;
  return Number(n);
}

/** Formats a float64 like Go's strconv 'e'/'E' exponent form: mantissa digits, sign and at least two exponent digits. */
function goExponent(v: number, e: 'e' | 'E'): string {
  const [mant, exp] = v.toExponential().split('e') as [string, string];
  const sign = exp.startsWith('-') ? '-' : '+';
  const digits = exp.replace(/^[+-]/, '').padStart(2, '0');
  return `${mant}${e}${sign}${digits}`;
}

/** fmt.Sprint of a float64 (%v: shortest 'g', exponent form below 1e-4 and from 1e6 on, e.g. "1e+06"). */
export function goFloatString(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [, expStr] = v.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) return goExponent(v, 'e');
  return String(v);
}

/** strconv.FormatFloat(v, 'E', -1, 64), used by Kyverno to stringify non-integer resource values. */
export function goFloatE(v: number): string {
  return goExponent(v, 'E');
}

/**
 * fmt.Sprint / %v of a JSON-like value as Go prints the unstructured equivalent. Resources decode integers
 * as int64 (printed in full); policy data (patterns, condition operands) decodes every number as float64,
 * which `allFloat` selects.
 */
export function goValueString(v: unknown, allFloat = false): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    return !allFloat && Number.isSafeInteger(v) ? String(v) : goFloatString(v);
  }
  if (Array.isArray(v)) return `[${v.map((x) => goValueString(x, allFloat)).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort();
    return `map[${keys.map((k) => `${k}:${goValueString(o[k], allFloat)}`).join(' ')}]`;
  }
  return String(v);
}

/** Go %T of the unstructured equivalent of a JSON-like value. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return 'map[string]interface {}';
  return typeof v;
}

/** True when s contains a wildcard character understood by wildcardMatch. */
export function containsWildcard(s: string): boolean {
  return s.includes('*') || s.includes('?');
}

/**
 * Kyverno's wildcard.Match(pattern, text): '*' matches any run of characters (also empty), '?' exactly one
 * character; everything else literally and case-sensitively. An empty pattern only matches empty text.
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  if (pattern === '') return text === '';
  if (pattern === '*') return true;
  if (!containsWildcard(pattern)) return pattern === text;
  // '?' stands for one character (code point), so astral characters need code-point arrays.
  if (SURROGATE.test(pattern) || SURROGATE.test(text))
    return matchUnits(Array.from(pattern), Array.from(text));
  return matchUnits(pattern, text);
}

const SURROGATE = /[\uD800-\uDFFF]/;

function matchUnits(p: ArrayLike<string>, t: ArrayLike<string>): boolean {
  let pi = 0;
  let ti = 0;
  let starP = -1;
  let starT = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === t[ti]))) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      starP = pi++;
      starT = ti;
    } else if (starP >= 0) {
      pi = starP + 1;
      ti = ++starT;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** Structural equality of JSON-like values (Go reflect.DeepEqual over unstructured data). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao);
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every((k) => Object.hasOwn(bo, k) && deepEqual(ao[k], bo[k]));
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
