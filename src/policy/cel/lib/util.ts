/** Helpers shared by the CEL function libraries. */
import type { Environment } from '@marcbachmann/cel-js';

/** A runtime failure inside a CEL function: cel-js reports it as an evaluation error at the call's position. */
export class CelFunctionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CelFunctionError';
  }
}

export function evalError(message: string): CelFunctionError {
  return new CelFunctionError(message);
}

export interface Namespace {
  readonly type: string;
}

/**
 * cel-go spells library namespaces as identifiers (`sets.contains`, `format.uuid()`); cel-js resolves a
 * receiver call by the receiver's type, so each namespace is a constant of its own type.
 */
export function registerNamespace(env: Environment, name: string, type: string): Namespace {
  const ctor = { [type]: class {} }[type] as new () => object;
  env.registerType(type, ctor);
  env.registerConstant(name, type, new ctor());
  return { type };
}

/** CEL equality for the runtime values our libraries compare (lists/maps deep, numbers across types). */
export function celEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number'))
    return typeof a === 'bigint' && typeof b === 'bigint' ? false : Number(a) === Number(b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    if (a !== null && typeof a === 'object' && 'valueOf' in a && typeof a.valueOf() === 'bigint')
      return celEquals(a.valueOf(), b);
    if (b !== null && typeof b === 'object' && 'valueOf' in b && typeof b.valueOf() === 'bigint')
      return celEquals(a, b.valueOf());
    return false;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => celEquals(x, b[i]));
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array)
    return a.length === b.length && a.every((x, i) => x === b[i]);
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  const ea = entries(a);
  const eb = entries(b);
  if (!ea || !eb || ea.size !== eb.size) return valueOfEquals(a, b);
  for (const [k, v] of ea) if (!eb.has(k) || !celEquals(v, eb.get(k))) return false;
  return true;
}

function valueOfEquals(a: object, b: object): boolean {
  const x = a.valueOf();
  const y = b.valueOf();
  return x !== a && y !== b && celEquals(x, y);
}

function entries(v: object): Map<unknown, unknown> | undefined {
  if (v instanceof Map) return v;
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return new Map(Object.entries(v));
  return undefined;
}

/** CEL ordering for the comparable scalar types; undefined where CEL defines no order. */
/**
 * Go (and so CEL-Go) orders strings by their UTF-8 bytes, which is code point order; JavaScript's `<`
 * compares UTF-16 units, which disagrees when a character outside the Basic Multilingual Plane (a
 * surrogate pair) meets one in U+E000–U+FFFF. Within surrogates, or outside them, unit order is code
 * point order.
 */
export function compareCodePoints(x: string, y: string): number {
  if (x === y) return 0;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const a = x.charCodeAt(i);
    const b = y.charCodeAt(i);
    if (a === b) continue;
    const surrogateA = a >= 0xd800 && a <= 0xdfff;
    const surrogateB = b >= 0xd800 && b <= 0xdfff;
    if (surrogateA !== surrogateB) return surrogateA ? 1 : -1;
    return a < b ? -1 : 1;
  }
  return x.length < y.length ? -1 : 1;
}

export function celCompare(a: unknown, b: unknown): number | undefined {
  const x = a !== null && typeof a === 'object' && !(a instanceof Date) ? a.valueOf() : a;
  const y = b !== null && typeof b === 'object' && !(b instanceof Date) ? b.valueOf() : b;
  if ((typeof x === 'bigint' || typeof x === 'number') && (typeof y === 'bigint' || typeof y === 'number')) {
    if (typeof x === 'bigint' && typeof y === 'bigint') return x < y ? -1 : x > y ? 1 : 0;
    const nx = Number(x);
    const ny = Number(y);
    return nx < ny ? -1 : nx > ny ? 1 : 0;
  }
  if (typeof x === 'string' && typeof y === 'string') return compareCodePoints(x, y);
  if (typeof x === 'boolean' && typeof y === 'boolean') return Number(x) - Number(y);
  if (x instanceof Date && y instanceof Date) return Math.sign(x.getTime() - y.getTime());
  if (x instanceof Uint8Array && y instanceof Uint8Array) return Buffer.compare(x, y);
  return undefined;
}
