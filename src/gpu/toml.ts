import { parse } from 'smol-toml';
import { isObject } from '../core/document.js';
import type { HostRoot } from './host.js';

export type Table = Record<string, unknown>;

/** A config file that exists but could not be parsed: the probe reports it instead of guessing. */
export interface ParseProblem {
  path: string;
  reason: string;
}

/** Reads and parses a TOML file under the root; null when absent, unreadable or malformed (noted). */
export async function readToml(
  host: HostRoot,
  path: string,
  problems: ParseProblem[],
): Promise<Table | null> {
  const text = await host.read(path);
  if (text === null) return null;
  try {
    return parse(text) as Table;
  } catch (error) {
    const e = error as Error & { line?: number; column?: number };
    const where = e.line ? `:${e.line}:${e.column ?? 1}` : '';
    problems.push({ path: `${path}${where}`, reason: e.message.split('\n')[0]! });
    return null;
  }
}

/** The value at a key path, or undefined when any step is missing or not a table. */
export function at(table: unknown, ...keys: string[]): unknown {
  let cur = table;
  for (const k of keys) {
    if (!isObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** Merges `over` into `base` table by table; scalars and arrays in `over` replace, as containerd and CRI-O merge. */
export function mergeTables(base: Table, over: Table): Table {
  const out: Table = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const prev = out[k];
    out[k] = isObject(prev) && isObject(v) ? mergeTables(prev, v) : v;
  }
  return out;
}
