/**
 * cel-go's strings extension (version 2, as Kubernetes enables it) beyond what the CEL library ships:
 * charAt, replace, reverse, format and strings.quote. Indices count Unicode code points like cel-go.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { charge } from '../cost.js';
import { celTypeName } from '../values.js';
import { evalError, type Namespace, registerNamespace } from './util.js';

export function registerStrings(env: Environment): void {
  env.registerFunction('string.charAt(int): string', (s: string, i: bigint) => {
    const chars = [...s];
    if (i < 0n || i > BigInt(chars.length)) throw evalError(`index out of range: ${i}`);
    return chars[Number(i)] ?? '';
  });
  env.registerFunction('string.replace(string, string): string', (s: string, from: string, to: string) =>
    replace(s, from, to, -1n),
  );
  env.registerFunction('string.replace(string, string, int): string', replace);
  env.registerFunction('string.reverse(): string', (s: string) => [...s].reverse().join(''));
  env.registerFunction('string.format(list): string', (s: string, args: unknown[]) => formatString(s, args));
  const strings: Namespace = registerNamespace(env, 'strings', 'StringsNamespace');
  env.registerFunction(`${strings.type}.quote(string): string`, (_ns: unknown, s: string) => quote(s));
}

function replace(s: string, from: string, to: string, n: bigint): string {
  if (n === 0n) return s;
  charge(s.length);
  if (n < 0n) return from === '' ? [...s].join(to).replace(/^/, to) + to : s.split(from).join(to);
  let out = '';
  let rest = s;
  for (let k = 0n; k < n; k++) {
    const at = rest.indexOf(from);
    if (at === -1) break;
    out += rest.slice(0, at) + to;
    rest = rest.slice(at + from.length);
    if (from === '') {
      const first = [...rest][0];
      if (first === undefined) break;
      out += first;
      rest = rest.slice(first.length);
    }
  }
  return out + rest;
}

function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (ch === '\x07') out += '\\a';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** cel-go's string.format: %s %d %f %e %x %X %o %b with an optional precision for floats. */
export function formatString(template: string, args: unknown[]): string {
  let out = '';
  let next = 0;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    let j = i + 1;
    if (template[j] === '%') {
      out += '%';
      i = j;
      continue;
    }
    let precision: number | undefined;
    if (template[j] === '.') {
      let k = j + 1;
      while (k < template.length && /\d/.test(template[k] ?? '')) k++;
      precision = Number(template.slice(j + 1, k));
      j = k;
    }
    const verb = template[j];
    if (verb === undefined) throw evalError('unexpected end of format string');
    if (next >= args.length) throw evalError(`index ${next} out of range`);
    out += formatArg(verb, args[next++], precision);
    i = j;
  }
  charge(out.length);
  return out;
}

function formatArg(verb: string, v: unknown, precision: number | undefined): string {
  switch (verb) {
    case 's':
      return stringify(v);
    case 'd':
      if (typeof v === 'bigint') return v.toString();
      if (typeof v === 'number' && (Number.isNaN(v) || !Number.isFinite(v))) return stringify(v);
      if (v !== null && typeof v === 'object' && 'valueOf' in v && typeof v.valueOf() === 'bigint')
        return String(v.valueOf());
      throw evalError(
        `error during formatting: decimal clause can only be used on integers, was given ${celTypeName(v)}`,
      );
    case 'f':
    case 'e': {
      const n = typeof v === 'bigint' ? Number(v) : v;
      if (typeof n !== 'number')
        throw evalError(
          `error during formatting: fixed-point clause can only be used on doubles, was given ${celTypeName(v)}`,
        );
      if (Number.isNaN(n)) return 'NaN';
      if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
      if (verb === 'f') return n.toFixed(precision ?? 6);
      const [mant, exp] = n.toExponential(precision ?? 6).split('e') as [string, string];
      const e = Number(exp);
      return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
    }
    case 'x':
    case 'X': {
      let s: string;
      if (typeof v === 'bigint') s = v < 0n ? `-${(-v).toString(16)}` : v.toString(16);
      else if (typeof v === 'string') s = Buffer.from(v, 'utf8').toString('hex');
      else if (v instanceof Uint8Array) s = Buffer.from(v).toString('hex');
      else
        throw evalError(
          `error during formatting: only integers, byte buffers, and strings can be formatted as hex, was given ${celTypeName(v)}`,
        );
      return verb === 'X' ? s.toUpperCase() : s;
    }
    case 'o':
      if (typeof v !== 'bigint')
        throw evalError(
          `error during formatting: octal clause can only be used on integers, was given ${celTypeName(v)}`,
        );
      return v < 0n ? `-${(-v).toString(8)}` : v.toString(8);
    case 'b':
      if (typeof v === 'bigint') return v < 0n ? `-${(-v).toString(2)}` : v.toString(2);
      if (typeof v === 'boolean') return v ? '1' : '0';
      throw evalError(
        `error during formatting: only integers and bools can be formatted as binary, was given ${celTypeName(v)}`,
      );
    default:
      throw evalError(`could not parse formatting clause: unrecognized formatting clause "${verb}"`);
  }
}

function stringify(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
    return String(v);
  }
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(stringify).join(', ')}]`;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (v instanceof Date) return v.toISOString().replace('.000Z', 'Z');
  if (v instanceof Map)
    return `{${[...v]
      .map(([k, x]) => `${stringify(k)}: ${stringify(x)}`)
      .sort()
      .join(', ')}}`;
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null)
    return `{${Object.entries(v as object)
      .map(([k, x]) => `${k}: ${stringify(x)}`)
      .sort()
      .join(', ')}}`;
  return String(v);
}
