import { isObject } from '../../core/document.js';
import type { Rule } from '../model/types.js';

/**
 * The set of kinds a rule's match block can possibly select, or undefined when it cannot be told
 * cheaply (wildcards, subresources, filters without kinds). It lets the engine skip most rules for a
 * document before running the full match logic; the full match still decides for the rest.
 */
const cache = new WeakMap<Rule, Set<string> | null>();

function kindName(selector: string): string | undefined {
  if (/[*?]/.test(selector)) return undefined;
  const parts = selector.split('/');
  const last = parts[parts.length - 1]!;
  // "Pod/exec" style (a subresource) has an upper-case first part and a lower-case last one.
  if (!/^[A-Z]/.test(last)) return undefined;
  if (parts.length > 1 && /^[A-Z]/.test(parts[parts.length - 2]!)) return undefined;
  return last;
}

function filterKinds(filter: unknown): Set<string> | undefined {
  if (!isObject(filter) || !isObject(filter.resources)) return undefined;
  const kinds = filter.resources.kinds;
  if (!Array.isArray(kinds) || kinds.length === 0) return undefined;
  const out = new Set<string>();
  for (const k of kinds) {
    const name = typeof k === 'string' ? kindName(k) : undefined;
    if (!name) return undefined;
    out.add(name);
  }
  return out;
}

function compute(rule: Rule): Set<string> | undefined {
  const match = rule.match;
  if (!isObject(match)) return undefined;
  if (Array.isArray(match.any) && match.any.length) {
    const union = new Set<string>();
    for (const f of match.any) {
      const k = filterKinds(f);
      if (!k) return undefined;
      for (const x of k) union.add(x);
    }
    return union;
  }
  if (Array.isArray(match.all) && match.all.length) {
    let inter: Set<string> | undefined;
    for (const f of match.all) {
      const k = filterKinds(f);
      if (!k) continue;
      inter = inter ? new Set([...inter].filter((x) => k.has(x))) : k;
    }
    return inter;
  }
  return filterKinds(match);
}

export function candidateKinds(rule: Rule): Set<string> | undefined {
  let entry = cache.get(rule);
  if (entry === undefined) {
    entry = compute(rule) ?? null;
    cache.set(rule, entry);
  }
  return entry ?? undefined;
}
