/**
 * Kyverno condition operators (pkg/engine/variables/operator). Keys and values arrive as decoded JSON, so
 * every number is a float64 in Go terms; string conversions follow fmt.Sprint.
 */

import type { SemVer } from 'semver';
// The one parse function, not the whole package: semver's index loads ~50 files (20 ms per scan thread).
import parseSemver from 'semver/functions/parse.js';
import { parseDurationNs } from '../../core/units/duration.js';
import { compareQuantities, parseQuantity } from '../../core/units/quantity.js';
import { IN_RANGE, validateValue } from '../pattern/scalar.js';
import { deepEqual, goFloatString, isPlainObject, parseGoFloat, parseGoInt } from '../pattern/value.js';
import { wildcardMatch } from '../pattern/wildcard.js';

/** fmt.Sprint of a decoded-JSON scalar. */
export function sprint(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goFloatString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(sprint).join(' ')}]`;
  if (isPlainObject(v)) {
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${sprint(v[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}

/**
 * parseDuration(key, value): at least one side must be a duration string other than "0"; the other side may
 * be a duration string or a number of seconds. Returns seconds, or undefined when not a duration comparison.
 */
function durationPair(key: unknown, value: unknown): [number, number] | undefined {
  const asDuration = (v: unknown): number | undefined => {
    if (typeof v !== 'string' || v === '0') return undefined;
    const ns = parseDurationNs(v);
    return ns === undefined ? undefined : ns / 1e9;
  };
  let k = asDuration(key);
  let v = asDuration(value);
  if (k === undefined && v === undefined) return undefined;
  if (k === undefined) {
    if (typeof key !== 'number') return undefined;
    k = Math.trunc(key);
  }
  if (v === undefined) {
    if (typeof value !== 'number') return undefined;
    v = Math.trunc(value);
  }
  return [k, v];
}

// ---------- Equals / NotEquals ----------

export function equals(key: unknown, value: unknown): boolean {
  if (typeof key === 'boolean') return typeof value === 'boolean' && key === value;
  if (typeof key === 'number') {
    if (typeof value === 'number') return key === value;
    if (typeof value === 'string') {
      const f = parseGoFloat(value);
      return f !== undefined && f === key;
    }
    return false;
  }
  if (typeof key === 'string') {
    const d = durationPair(key, value);
    if (d) return d[0] === d[1];
    const kq = parseQuantity(key);
    if (kq !== undefined && typeof value === 'string') {
      const vq = parseQuantity(value);
      return vq !== undefined && compareQuantities(kq, vq) === 0;
    }
    if (typeof value === 'string') return wildcardMatch(value, key);
    return false;
  }
  if (Array.isArray(key)) return Array.isArray(value) && deepEqual(key, value);
  if (isPlainObject(key)) return isPlainObject(value) && deepEqual(key, value);
  return false;
}

// ---------- numeric: GreaterThan, GreaterThanOrEquals, LessThan, LessThanOrEquals ----------

export type NumericOp = 'gt' | 'gte' | 'lt' | 'lte';

function cmp(a: number, b: number, op: NumericOp): boolean {
  switch (op) {
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
  }
}

function numericWithNumberKey(key: number, value: unknown, op: NumericOp): boolean {
  if (typeof value === 'number') return cmp(key, value, op);
  if (typeof value === 'string') {
    const d = durationPair(key, value);
    if (d) return cmp(d[0], d[1], op);
    const f = parseGoFloat(value);
    if (f !== undefined) return cmp(key, f, op);
    const i = parseGoInt(value);
    if (i !== undefined) return cmp(key, i, op);
  }
  return false;
}

function parseStrictSemver(s: string): SemVer | null {
  // blang/semver (used upstream) rejects a "v" prefix and surrounding text; node-semver strips "v", so guard it.
  if (!/^\d/.test(s)) return null;
  return parseSemver(s, { loose: false });
}

export function numeric(key: unknown, value: unknown, op: NumericOp): boolean {
  if (typeof key === 'number') return numericWithNumberKey(key, value, op);
  if (typeof key !== 'string') return false;
  const d = durationPair(key, value);
  if (d) return cmp(d[0], d[1], op);
  const kq = parseQuantity(key);
  if (kq !== undefined && typeof value === 'string') {
    const vq = parseQuantity(value);
    if (vq !== undefined) return cmp(compareQuantities(kq, vq), 0, op);
  }
  const f = parseGoFloat(key);
  if (f !== undefined) return numericWithNumberKey(f, value, op);
  const i = parseGoInt(key);
  if (i !== undefined) return numericWithNumberKey(i, value, op);
  const kv = parseStrictSemver(key);
  if (kv !== null) {
    if (typeof value !== 'string') return false;
    const vv = parseStrictSemver(value);
    if (vv === null) return false;
    return cmp(kv.compare(vv), 0, op);
  }
  return false;
}

// ---------- deprecated Duration* operators ----------

export function durationCompare(key: unknown, value: unknown, op: NumericOp): boolean {
  // Numbers count as seconds; strings must be Go durations.
  const toNs = (v: unknown): number | undefined => {
    if (typeof v === 'number') return Math.trunc(v) * 1e9;
    if (typeof v === 'string') return parseDurationNs(v);
    return undefined;
  };
  const k = toNs(key);
  const v = toNs(value);
  if (k === undefined || v === undefined) return false;
  return cmp(k, v, op);
}

// ---------- set operators ----------

/** Values given as a string may be a JSON array of strings (e.g. from a ConfigMap) or a single value. */
function stringToList(value: string): string[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return [value];
  }
  if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return parsed as string[];
  return undefined;
}

function matchesEither(a: string, b: string): boolean {
  return wildcardMatch(a, b) || wildcardMatch(b, a);
}

function inRange(key: string, range: string): boolean {
  return validateValue(key, range);
}

/**
 * Whether a single key is in the value (a list, a wildcard string, a range "a-b", or a JSON list).
 * undefined when the value has an unsupported type (the operator then evaluates to false).
 */
function keyIn(key: string, value: unknown, exactJson: boolean): boolean | undefined {
  if (Array.isArray(value)) return value.some((v) => matchesEither(sprint(v), key));
  if (typeof value === 'string') {
    if (wildcardMatch(value, key)) return true;
    if (IN_RANGE.test(value)) return inRange(key, value);
    const list = exactJson ? strictJsonList(value) : stringToList(value);
    if (list === undefined) return undefined;
    return list.includes(key);
  }
  return undefined;
}

function strictJsonList(value: string): string[] | undefined {
  try {
    const parsed = JSON.parse(value);
    if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return parsed as string[];
  } catch {
    // not JSON: the deprecated In/NotIn treat this as an invalid value
  }
  return undefined;
}

function valueList(value: unknown, keys: string[]): { list: string[]; range?: string } | undefined {
  if (Array.isArray(value)) return { list: value.map(sprint) };
  if (typeof value === 'number') return { list: [sprint(value)] };
  if (typeof value === 'string') {
    if (keys.length === 1 && keys[0] === value) return { list: [value] };
    if (IN_RANGE.test(value)) return { list: [], range: value };
    const list = stringToList(value);
    return list === undefined ? undefined : { list };
  }
  return undefined;
}

function keyList(key: unknown): string[] | undefined {
  if (Array.isArray(key)) return key.map(sprint);
  if (typeof key === 'string' || typeof key === 'number' || typeof key === 'boolean') return [sprint(key)];
  return undefined;
}

function contained(k: string, vl: { list: string[]; range?: string }): boolean {
  if (vl.range !== undefined) return inRange(k, vl.range);
  return vl.list.some((v) => matchesEither(k, v));
}

export function anyIn(key: unknown, value: unknown): boolean {
  if (!Array.isArray(key)) {
    const keys = keyList(key);
    return keys !== undefined && keyIn(keys[0]!, value, false) === true;
  }
  const keys = keyList(key)!;
  const vl = valueList(value, keys);
  return vl !== undefined && keys.some((k) => contained(k, vl));
}

export function anyNotIn(key: unknown, value: unknown): boolean {
  if (!Array.isArray(key)) {
    const keys = keyList(key);
    if (keys === undefined) return false;
    const r = keyIn(keys[0]!, value, false);
    return r === false;
  }
  const keys = keyList(key)!;
  const vl = valueList(value, keys);
  return vl !== undefined && keys.some((k) => !contained(k, vl));
}

export function allIn(key: unknown, value: unknown): boolean {
  if (!Array.isArray(key)) {
    const keys = keyList(key);
    return keys !== undefined && keyIn(keys[0]!, value, false) === true;
  }
  const keys = keyList(key)!;
  const vl = valueList(value, keys);
  return vl !== undefined && keys.every((k) => contained(k, vl));
}

export function allNotIn(key: unknown, value: unknown): boolean {
  if (!Array.isArray(key)) {
    const keys = keyList(key);
    if (keys === undefined) return false;
    return keyIn(keys[0]!, value, false) === false;
  }
  const keys = keyList(key)!;
  const vl = valueList(value, keys);
  return vl !== undefined && keys.every((k) => !contained(k, vl));
}

/** Deprecated `In`: a scalar key must be in the value; a list key must be a subset (exact string match). */
export function deprecatedIn(key: unknown, value: unknown): boolean {
  if (Array.isArray(key)) {
    const set = legacySet(key, value);
    if (set === undefined) return false;
    return set.keys.every((k) => set.values.has(k));
  }
  const keys = keyList(key);
  if (keys === undefined || typeof key === 'boolean') return false;
  return keyIn(keys[0]!, value, true) === true;
}

/** Deprecated `NotIn`: a scalar key must not be in the value; for a list key, at least one element is not. */
export function deprecatedNotIn(key: unknown, value: unknown): boolean {
  if (Array.isArray(key)) {
    const set = legacySet(key, value);
    if (set === undefined) return false;
    return set.keys.some((k) => !set.values.has(k));
  }
  const keys = keyList(key);
  if (keys === undefined || typeof key === 'boolean') return false;
  return keyIn(keys[0]!, value, true) === false;
}

function legacySet(key: unknown[], value: unknown): { keys: string[]; values: Set<string> } | undefined {
  const keys = key.map(sprint);
  if (Array.isArray(value)) {
    if (!value.every((v) => typeof v === 'string')) return undefined;
    return { keys, values: new Set(value as string[]) };
  }
  if (typeof value === 'string') {
    if (keys.length === 1 && keys[0] === value) return { keys, values: new Set([value]) };
    const list = strictJsonList(value);
    return list === undefined ? undefined : { keys, values: new Set(list) };
  }
  return undefined;
}
