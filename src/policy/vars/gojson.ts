/**
 * JSON text as Go's encoding/json writes it: object keys sorted, `<`, `>`, `&`, U+2028 and U+2029
 * escaped. Kyverno renders non-string variable values inside strings this way, so messages and
 * substituted strings must match byte for byte.
 */
export function goJsonMarshal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return goQuote(value);
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
        .sort(compareUtf8);
      return `{${keys.map((k) => `${goQuote(k)}:${goJsonMarshal(obj[k])}`).join(',')}}`;
    }
    default:
      return 'null';
  }
}

/** Go sorts map keys by their UTF-8 bytes; for BMP text this equals code-point order. */
function compareUtf8(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function goQuote(s: string): string {
  return JSON.stringify(s).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** encoding/json's float64 format: 'f' notation unless the exponent is < -6 or >= 21. */
export function goFloat(n: number): string {
  if (Object.is(n, -0)) return '-0';
  const abs = Math.abs(n);
  // JavaScript already writes exponents without zero padding, like Go's cleaned-up form.
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) return n.toExponential();
  return String(n);
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
    const keys = Object.keys(obj).sort(compareUtf8);
    return `map[${keys.map((k) => `${k}:${goSprintV(obj[k])}`).join(' ')}]`;
  }
  return String(value);
}
