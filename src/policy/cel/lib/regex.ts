/**
 * Regular expressions with RE2 semantics (re2js), as cel-go and Kubernetes use them: `matches` (which the hooks
 * route here instead of the CEL library's JavaScript RegExp), and Kubernetes' `find` / `findAll`.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { RE2JS } from 're2js';
import { charge } from '../cost.js';
import { evalError } from './util.js';

const CACHE_LIMIT = 2_000;
const cache = new Map<string, RE2JS>();

export function compileRegex(pattern: string): RE2JS {
  let re = cache.get(pattern);
  if (re) return re;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    throw evalError(`invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`);
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, re);
  return re;
}

export function re2Matches(s: string, pattern: string): boolean {
  charge(s.length);
  // test(): an unanchored search without capture groups, which re2js runs on its DFA (no Matcher object).
  return compileRegex(pattern).test(s);
}

function findAll(s: string, pattern: string, limit: bigint): string[] {
  charge(s.length);
  if (limit === 0n) return [];
  const m = compileRegex(pattern).matcher(s);
  const out: string[] = [];
  while (m.find()) {
    out.push(m.group() ?? '');
    if (limit > 0n && BigInt(out.length) >= limit) break;
  }
  return out;
}

export function registerRegex(env: Environment): void {
  env.registerFunction('matches(string, string): bool', re2Matches);
  env.registerFunction('string.find(string): string', (s: string, p: string) => {
    charge(s.length);
    const m = compileRegex(p).matcher(s);
    return m.find() ? (m.group() ?? '') : '';
  });
  env.registerFunction('string.findAll(string): list<string>', (s: string, p: string) => findAll(s, p, -1n));
  env.registerFunction('string.findAll(string, int): list<string>', findAll);
}
