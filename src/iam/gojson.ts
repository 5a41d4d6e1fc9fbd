/**
 * A JSON encoder that writes what Go's encoding/json writes, so composed documents are byte-for-byte
 * the provider's: objects are written in the order given (callers sort map keys themselves, because JS
 * objects hoist integer-like keys), and `<`, `>`, `&`, U+2028 and U+2029 are escaped as Go escapes them.
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
  return JSON.stringify(n);
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
