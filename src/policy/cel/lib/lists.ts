/**
 * Kubernetes' list library (isSorted, sum, min, max, indexOf, lastIndexOf) and cel-go's lists extension
 * version 3 (slice, flatten, distinct, sort, reverse, first, last, lists.range; `sortBy` is a macro, in
 * comprehensions.ts).
 */
import type { Environment } from '@marcbachmann/cel-js';
import { Optional } from '@marcbachmann/cel-js';
import { charge } from '../cost.js';
import { celCompare, celEquals, evalError, registerNamespace } from './util.js';

function comparator(a: unknown, b: unknown): number {
  const c = celCompare(a, b);
  if (c === undefined)
    throw evalError(
      'list elements must be comparable (int, uint, double, string, bool, bytes, timestamp, duration)',
    );
  return c;
}

function sorted(list: unknown[]): unknown[] {
  charge(list.length);
  return [...list].sort(comparator);
}

export function registerLists(env: Environment): void {
  env.registerFunction('list.isSorted(): bool', (l: unknown[]) => {
    charge(l.length);
    for (let i = 1; i < l.length; i++) if (comparator(l[i - 1], l[i]) > 0) return false;
    return true;
  });
  env.registerFunction('list.sum(): dyn', (l: unknown[]) => {
    charge(l.length);
    if (l.length === 0) return 0n;
    let acc: unknown = l[0];
    for (const v of l.slice(1)) acc = add(acc, v);
    return acc;
  });
  env.registerFunction('list.min(): dyn', (l: unknown[]) => extreme(l, -1));
  env.registerFunction('list.max(): dyn', (l: unknown[]) => extreme(l, 1));
  env.registerFunction('list.indexOf(dyn): int', (l: unknown[], v: unknown) => {
    charge(l.length);
    return BigInt(l.findIndex((x) => celEquals(x, v)));
  });
  env.registerFunction('list.lastIndexOf(dyn): int', (l: unknown[], v: unknown) => {
    charge(l.length);
    for (let i = l.length - 1; i >= 0; i--) if (celEquals(l[i], v)) return BigInt(i);
    return -1n;
  });
  env.registerFunction('list.slice(int, int): list', (l: unknown[], from: bigint, to: bigint) => {
    if (from < 0n || to < 0n) throw evalError(`cannot slice(${from}, ${to}), negative indexes not supported`);
    if (from > to)
      throw evalError(`cannot slice(${from}, ${to}), start index must be less than or equal to end index`);
    if (to > BigInt(l.length)) throw evalError(`cannot slice(${from}, ${to}), list is length ${l.length}`);
    charge(Number(to - from));
    return l.slice(Number(from), Number(to));
  });
  env.registerFunction('list.flatten(): list', (l: unknown[]) => flatten(l, 1));
  env.registerFunction('list.flatten(int): list', (l: unknown[], depth: bigint) => {
    if (depth < 0n) throw evalError('level must be non-negative');
    return flatten(l, Number(depth));
  });
  env.registerFunction('list.distinct(): list', (l: unknown[]) => {
    charge(l.length * l.length);
    const out: unknown[] = [];
    for (const v of l) if (!out.some((x) => celEquals(x, v))) out.push(v);
    return out;
  });
  env.registerFunction('list.sort(): list', (l: unknown[]) => sorted(l));
  env.registerFunction('list.reverse(): list', (l: unknown[]) => {
    charge(l.length);
    return [...l].reverse();
  });
  env.registerFunction('list.first(): dyn', (l: unknown[]) =>
    l.length ? Optional.of(l[0]) : Optional.none(),
  );
  env.registerFunction('list.last(): dyn', (l: unknown[]) =>
    l.length ? Optional.of(l[l.length - 1]) : Optional.none(),
  );
  const lists = registerNamespace(env, 'lists', 'ListsNamespace');
  env.registerFunction(`${lists.type}.range(int): list<int>`, (_ns: unknown, n: bigint) => {
    charge(Number(n > 0n ? n : 0n));
    const out: bigint[] = [];
    for (let i = 0n; i < n; i++) out.push(i);
    return out;
  });
}

function extreme(l: unknown[], sign: number): unknown {
  if (l.length === 0) throw evalError(sign < 0 ? 'min called on empty list' : 'max called on empty list');
  charge(l.length);
  let best = l[0];
  for (const v of l.slice(1)) if (comparator(v, best) * sign > 0) best = v;
  return best;
}

function add(a: unknown, b: unknown): unknown {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    const r = a + b;
    if (r > 9223372036854775807n || r < -9223372036854775808n) throw evalError('integer overflow');
    return r;
  }
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  const x = a?.valueOf();
  const y = b?.valueOf();
  if (
    typeof x === 'bigint' &&
    typeof y === 'bigint' &&
    a?.constructor === b?.constructor &&
    a !== null &&
    typeof a === 'object'
  )
    return new (a.constructor as new (v: bigint) => unknown)(x + y);
  throw evalError('sum() requires a list of int, uint, double or duration values of one type');
}

function flatten(l: unknown[], depth: number): unknown[] {
  charge(l.length);
  if (depth === 0) return [...l];
  const out: unknown[] = [];
  for (const v of l) {
    if (Array.isArray(v)) out.push(...flatten(v, depth - 1));
    else out.push(v);
  }
  return out;
}
