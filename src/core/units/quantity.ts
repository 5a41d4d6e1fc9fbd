/**
 * Kubernetes resource.Quantity, exact: parsing (k8s.io/apimachinery resource.ParseQuantity), comparison,
 * canonical String() and the arithmetic Kyverno's JMESPath functions perform on quantities. A value is
 * `num × 10^-scale` with 0 <= scale <= 9, because Kubernetes keeps nothing finer than nano units.
 */

export type QuantityFormat = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

export interface Quantity {
  readonly num: bigint;
  readonly scale: number;
  readonly format: QuantityFormat;
}

const DECIMAL_SUFFIX = new Map<string, number>([
  ['n', -9],
  ['u', -6],
  ['m', -3],
  ['', 0],
  ['k', 3],
  ['M', 6],
  ['G', 9],
  ['T', 12],
  ['P', 15],
  ['E', 18],
]);
const BINARY_SUFFIX = new Map<string, number>([
  ['Ki', 10],
  ['Mi', 20],
  ['Gi', 30],
  ['Ti', 40],
  ['Pi', 50],
  ['Ei', 60],
]);
const SUFFIX_BY_EXPONENT = new Map([...DECIMAL_SUFFIX].map(([s, e]) => [e, s]));
const SUFFIX_CHARS = 'eEinumkKMGTP';
const EXPONENT_RE = /^[+-]?\d+$/;
// Go accepts any int32 exponent; beyond this the bigints get absurdly large for no real-world input.
const MAX_EXPONENT = 1000;
// ParseQuantity silently caps binary-SI amounts at the largest int64.
const MAX_BINARY = (1n << 63n) - 1n;
const NANO_SCALE = 9;

const POW10: bigint[] = Array.from({ length: 19 }, (_, i) => 10n ** BigInt(i));

function pow10(n: number): bigint {
  return POW10[n] ?? 10n ** BigInt(n);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

// Policies compare the same few strings ("1Gi", "500m") over and over; parsing them once matters.
const CACHE_LIMIT = 20_000;
const cache = new Map<string, Quantity | null>();

/**
 * resource.ParseQuantity: optional sign, digits with an optional fraction (either side may be empty), then
 * a decimal-SI, binary-SI or decimal-exponent suffix; undefined where Kubernetes rejects the text. Results
 * are cached and shared, hence read-only.
 */
export function parseQuantity(text: string): Quantity | undefined {
  const cached = cache.get(text);
  if (cached !== undefined) return cached ?? undefined;
  const parsed = parseUncached(text);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, parsed ?? null);
  return parsed;
}

function parseUncached(str: string): Quantity | undefined {
  const end = str.length;
  if (end === 0) return undefined;
  let pos = 0;
  const negative = str[0] === '-';
  if (negative || str[0] === '+') pos++;
  const intStart = pos;
  while (pos < end && isDigit(str.charCodeAt(pos))) pos++;
  const intDigits = str.slice(intStart, pos);
  let fracDigits = '';
  if (pos < end && str[pos] === '.') {
    pos++;
    const fracStart = pos;
    while (pos < end && isDigit(str.charCodeAt(pos))) pos++;
    fracDigits = str.slice(fracStart, pos);
  }
  // Same scanner as parseQuantityString: suffix letters, an optional sign, then digits, nothing else.
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(str[pos]!)) pos++;
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  while (pos < end && isDigit(str.charCodeAt(pos))) pos++;
  if (pos < end) return undefined;
  const suffix = str.slice(suffixStart);

  let exp10 = 0;
  let exp2 = 0;
  let format: QuantityFormat;
  const decimal = DECIMAL_SUFFIX.get(suffix);
  const binary = BINARY_SUFFIX.get(suffix);
  if (decimal !== undefined) {
    exp10 = decimal;
    format = 'DecimalSI';
  } else if (binary !== undefined) {
    exp2 = binary;
    format = 'BinarySI';
  } else if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const e = suffix.slice(1);
    if (!EXPONENT_RE.test(e)) return undefined;
    exp10 = Number(e);
    if (Math.abs(exp10) > MAX_EXPONENT) return undefined;
    format = 'DecimalExponent';
  } else {
    return undefined;
  }

  if (intDigits === '' && fracDigits === '') {
    // A number without digits ("Mi", "m", ".", "-") is zero on ParseQuantity's int64 fast path, but the
    // inf.Dec fallback (taken for "Pi", "Ei" and exponents below nano) cannot parse it and fails.
    const fastPath = format === 'BinarySI' ? 13 - Math.floor((exp2 * 3) / 10) >= 0 : exp10 >= -NANO_SCALE;
    return fastPath ? { num: 0n, scale: 0, format } : undefined;
  }

  let num = BigInt((intDigits || '0') + fracDigits);
  if (exp2 > 0) num <<= BigInt(exp2);
  if (negative) num = -num;
  const q = normalise({ num, scale: fracDigits.length - exp10, format });
  if (format !== 'BinarySI') return q;
  const abs = q.num < 0n ? -q.num : q.num;
  if (abs > MAX_BINARY * pow10(q.scale))
    return { num: q.num < 0n ? -MAX_BINARY : MAX_BINARY, scale: 0, format };
  // A binary amount strictly between 0 and 1 is kept as decimal-SI "to avoid rounding".
  if (abs !== 0n && abs < pow10(q.scale)) return { num: q.num, scale: q.scale, format: 'DecimalSI' };
  return q;
}

/** Brings the scale into [0, 9], rounding finer values away from zero as Kubernetes does. */
function normalise(q: Quantity): Quantity {
  let { num, scale } = q;
  if (scale < 0) {
    num *= pow10(-scale);
    scale = 0;
  }
  if (scale > NANO_SCALE) {
    const div = pow10(scale - NANO_SCALE);
    const rounded = num / div;
    num = num % div === 0n ? rounded : rounded + (num > 0n ? 1n : -1n);
    scale = NANO_SCALE;
  }
  return { num, scale, format: q.format };
}

/** -1, 0 or 1 like Quantity.Cmp. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  let x = a.num;
  let y = b.num;
  if (a.scale < b.scale) x *= pow10(b.scale - a.scale);
  else if (a.scale > b.scale) y *= pow10(a.scale - b.scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function quantityToFloat(q: Quantity): number {
  return Number(q.num) / 10 ** q.scale;
}

function align(a: Quantity, b: Quantity): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.num * pow10(scale - a.scale), b.num * pow10(scale - b.scale), scale];
}

export function addQuantities(a: Quantity, b: Quantity): Quantity {
  const [x, y, scale] = align(a, b);
  return normalise({ num: x + y, scale, format: a.format });
}

export function subtractQuantities(a: Quantity, b: Quantity): Quantity {
  const [x, y, scale] = align(a, b);
  return normalise({ num: x - y, scale, format: a.format });
}

export function multiplyQuantities(a: Quantity, b: Quantity): Quantity {
  return normalise({ num: a.num * b.num, scale: a.scale + b.scale, format: a.format });
}

/** inf.Dec QuoRound(a, b, max(scales), RoundDown): truncating division at the larger scale. */
export function divideQuantitiesTruncating(a: Quantity, b: Quantity): Quantity {
  const scale = Math.max(a.scale, b.scale);
  // a/b at `scale` digits = a.num·10^(scale - a.scale + b.scale) / b.num
  const numerator = a.num * pow10(scale - a.scale + b.scale);
  return normalise({ num: numerator / b.num, scale, format: a.format });
}

export function isIntegerQuantity(q: Quantity): boolean {
  return q.num % pow10(q.scale) === 0n;
}

export function quantityFromInteger(n: bigint, format: QuantityFormat): Quantity {
  return { num: n, scale: 0, format };
}

/** Quantity.String(): the canonical form Kubernetes prints. */
export function formatQuantity(q: Quantity): string {
  if (q.num === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const abs = q.num < 0n ? -q.num : q.num;
    if (abs < 1024n * pow10(q.scale) || !isIntegerQuantity(q)) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    let n = q.num / pow10(q.scale);
    let k = 0;
    while (k < 6 && n % 1024n === 0n) {
      n /= 1024n;
      k++;
    }
    return `${n}${['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'][k]}`;
  }
  let m = q.num;
  let e = -q.scale;
  while (m % 10n === 0n) {
    m /= 10n;
    e++;
  }
  while (((e % 3) + 3) % 3 !== 0) {
    m *= 10n;
    e--;
  }
  if (format === 'DecimalSI') {
    const suffix = SUFFIX_BY_EXPONENT.get(e);
    if (suffix !== undefined) return `${m}${suffix}`;
  }
  return e === 0 ? `${m}` : `${m}e${e}`;
}
