/**
 * Kubernetes resource.Quantity, exact: parsing, canonical String() and the arithmetic Kyverno's
 * JMESPath functions perform on quantities. A value is `num × 10^-scale`.
 */

export type QuantityFormat = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

export interface Quantity {
  num: bigint;
  scale: number;
  format: QuantityFormat;
}

const BINARY: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DECIMAL_SUFFIX = new Map(Object.entries(DECIMAL).map(([s, e]) => [e, s]));
const QUANTITY_RE = /^([+-]?)(\d*)(?:\.(\d*))?([a-zA-Z]*|[eE][+-]?\d+)$/;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** resource.ParseQuantity; undefined where Kubernetes rejects the text. */
export function parseQuantityExact(text: string): Quantity | undefined {
  const m = QUANTITY_RE.exec(text);
  if (!m) return undefined;
  const [, sign, intDigits = '', fracDigits, suffix = ''] = m;
  if (intDigits === '' && (fracDigits === undefined || fracDigits === '')) return undefined;
  const frac = fracDigits ?? '';
  let num = BigInt((intDigits || '0') + frac);
  let scale = frac.length;
  let format: QuantityFormat;
  if (suffix in BINARY) {
    num *= 1024n ** BigInt(BINARY[suffix]!);
    format = 'BinarySI';
  } else if (suffix in DECIMAL) {
    scale -= DECIMAL[suffix]!;
    format = 'DecimalSI';
  } else if (/^[eE][+-]?\d+$/.test(suffix)) {
    scale -= Number(suffix.slice(1));
    format = 'DecimalExponent';
  } else {
    return undefined;
  }
  if (sign === '-') num = -num;
  return normalise({ num, scale, format });
}

/** Kubernetes keeps nano precision, rounding finer values away from zero. */
function normalise(q: Quantity): Quantity {
  let { num, scale } = q;
  if (scale < 0) {
    num *= pow10(-scale);
    scale = 0;
  }
  if (scale > 9) {
    const div = pow10(scale - 9);
    const rounded = num / div;
    num = num % div === 0n ? rounded : rounded + (num > 0n ? 1n : -1n);
    scale = 9;
  }
  return { num, scale, format: q.format };
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

export function compareQuantities(a: Quantity, b: Quantity): number {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
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
    const suffix = DECIMAL_SUFFIX.get(e);
    if (suffix !== undefined) return `${m}${suffix}`;
  }
  return e === 0 ? `${m}` : `${m}e${e}`;
}
