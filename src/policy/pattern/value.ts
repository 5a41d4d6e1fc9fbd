/**
 * Scalar semantics shared by pattern matching and conditions: Go number parsing/formatting, Go's printing
 * of unstructured values and Kyverno's wildcard matching. Everything mirrors the Go libraries Kyverno
 * relies on (strconv, fmt), because policies are written against their exact behaviour. Quantities and
 * durations live in ../units/.
 */

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
