/**
 * JSON as Go's encoding/json writes it, and Go's `%v`: `<`, `>`, `&`, U+2028 and U+2029 escaped as Go
 * escapes them, floats in Go's format, map keys in UTF-8 byte order. Two entry points: `goMarshal` writes
 * a GoValue whose objects keep the order given (IAM documents byte-for-byte the provider's, indented or
 * not; callers sort map keys themselves, because JS objects hoist integer-like keys), and
 * `goJsonMarshal` writes a parsed JSON value the way Go re-marshals an `any` (Kyverno renders non-string
 * variables inside strings this way, so messages must match byte for byte).
 */
export type GoValue = string | number | boolean | null | GoValue[] | GoObject;

/** An object whose entries keep the order they are given in. */
export class GoObject {
  readonly entries: [string, GoValue][] = [];
  set(key: string, value: GoValue): this {
    this.entries.push([key, value]);
    return this;
  }
  get size(): number {
    return this.entries.length;
  }
}

const GO_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** Printable ASCII that neither JSON nor Go escapes: written as is. */
const PLAIN = /^[ !#-%'-;=?-[\]-~]*$/;

export function goString(s: string): string {
  if (PLAIN.test(s)) return `"${s}"`;
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] ?? c);
}

function goNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`json: unsupported value: ${n}`);
  return goFloat(n);
}

/** encoding/json's float64 format: 'f' notation unless the exponent is < -6 or >= 21. */
export function goFloat(n: number): string {
  if (Object.is(n, -0)) return '-0';
  const abs = Math.abs(n);
  // JavaScript already writes exponents without zero padding, like Go's cleaned-up form.
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) return n.toExponential();
  return String(n);
}

/** Go's `json.Marshal` (indent = '') or `json.MarshalIndent(v, "", indent)`. */
export function goMarshal(value: GoValue, indent = ''): string {
  return encode(value, indent, '');
}

function encode(value: GoValue, indent: string, prefix: string): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return goString(value);
  if (typeof value === 'number') return goNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const inner = prefix + indent;
  const nl = indent ? '\n' : '';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const parts = value.map((v) => inner + encode(v, indent, inner));
    return `[${nl}${parts.join(`,${nl}`)}${nl}${prefix}]`;
  }
  if (value.size === 0) return '{}';
  const sep = indent ? ': ' : ':';
  const parts = value.entries.map(([k, v]) => `${inner}${goString(k)}${sep}${encode(v, indent, inner)}`);
  return `{${nl}${parts.join(`,${nl}`)}${nl}${prefix}}`;
}

/** Byte-wise (UTF-8) comparison, which is how Go sorts strings and map keys. */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  // For strings without surrogates, UTF-16 code-unit order equals UTF-8 byte order.
  if (!/[\ud800-\udfff]/.test(a) && !/[\ud800-\udfff]/.test(b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Converts parsed JSON into a GoValue the way Go re-marshals an `any`: map keys sorted. */
export function fromJson(value: unknown): GoValue {
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  ) {
    return value;
  }
  if (Array.isArray(value)) return value.map(fromJson);
  const obj = new GoObject();
  const rec = value as Record<string, unknown>;
  for (const key of Object.keys(rec).sort(compareBytes)) obj.set(key, fromJson(rec[key]));
  return obj;
}

/**
 * `json.Marshal` of a decoded JSON value: keys sorted, undefined members left out; values JSON cannot
 * hold (non-finite numbers, functions) become null rather than an error, as Kyverno's callers expect.
 */
export function goJsonMarshal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return goString(value);
    case 'number':
      return Number.isFinite(value) ? goFloat(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(goJsonMarshal).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort(compareBytes);
      return `{${keys.map((k) => `${goString(k)}:${goJsonMarshal(obj[k])}`).join(',')}}`;
    }
    default:
      return 'null';
  }
}

/** Go's fmt `%v` for JSON-decoded values (used when nested variables are spliced into text). */
export function goSprintV(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    // Integers come from Go ints (elementIndex) far more often than from floats, so print them plainly;
    // other floats follow %g's shortest form, which switches to exponents outside [1e-4, 1e6).
    if (Number.isInteger(value) && Math.abs(value) < 1e21) return String(value);
    const abs = Math.abs(value);
    if (abs < 1e-4 || abs >= 1e6) return value.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(goSprintV).join(' ')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).sort(compareBytes);
    return `map[${keys.map((k) => `${k}:${goSprintV(obj[k])}`).join(' ')}]`;
  }
  return String(value);
}
