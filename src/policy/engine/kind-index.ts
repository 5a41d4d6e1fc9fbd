import { isObject } from '../../core/document.js';
import type { Rule } from '../model/types.js';

/**
 * The set of kinds (or operations) a rule's match block can possibly select, or undefined when it cannot be
 * told cheaply (wildcards, subresources, filters without kinds). It lets the engine skip most rules for a
 * document, and the admission server most policies for a request, before running the full match logic;
 * the full match still decides for the rest.
 */
const kindCache = new WeakMap<Rule, Set<string> | null>();
const operationCache = new WeakMap<Rule, Set<string> | null>();
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

function filterOperations(filter: unknown): Set<string> | undefined {
  if (!isObject(filter) || !isObject(filter.resources)) return undefined;
  const ops = filter.resources.operations;
  if (!Array.isArray(ops) || ops.length === 0) return undefined;
  return new Set(ops.map(String));
}

/** Bounds a match block by its filters' bounds: the union over `any`, the intersection over `all`. */
function bound(
  match: unknown,
  ofFilter: (filter: unknown) => Set<string> | undefined,
): Set<string> | undefined {
  if (!isObject(match)) return undefined;
  if (Array.isArray(match.any) && match.any.length) {
    const union = new Set<string>();
    for (const f of match.any) {
      const k = ofFilter(f);
      if (!k) return undefined;
      for (const x of k) union.add(x);
    }
    return union;
  }
  if (Array.isArray(match.all) && match.all.length) {
    let inter: Set<string> | undefined;
    for (const f of match.all) {
      const k = ofFilter(f);
      if (!k) continue;
      inter = inter ? new Set([...inter].filter((x) => k.has(x))) : k;
    }
    return inter;
  }
  return ofFilter(match);
}

function cached(
  cache: WeakMap<Rule, Set<string> | null>,
  rule: Rule,
  ofFilter: (filter: unknown) => Set<string> | undefined,
): Set<string> | undefined {
  let entry = cache.get(rule);
  if (entry === undefined) {
    entry = bound(rule.match, ofFilter) ?? null;
    cache.set(rule, entry);
  }
  return entry ?? undefined;
}

export function candidateKinds(rule: Rule): Set<string> | undefined {
  return cached(kindCache, rule, filterKinds);
}

/** The operations a rule's match block can select, or undefined when any (or not cheaply known). */
export function candidateOperations(rule: Rule): Set<string> | undefined {
  return cached(operationCache, rule, filterOperations);
}
