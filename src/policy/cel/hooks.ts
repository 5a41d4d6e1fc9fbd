/**
 * The two places where Rampart needs more than the CEL library's public API, kept together so that an upgrade
 * of the library is checked in one spot (test/policy/cel/hooks.test.ts fails if its internals move):
 *  - `matches` must use RE2 semantics like cel-go, not JavaScript's RegExp;
 *  - comprehensions charge the cost budget per element, so nested loops over large inputs end with a
 *    cost-limit error instead of running for minutes.
 * Both rewrite the per-node `handle` the library's type checker leaves on call and comprehension nodes.
 */
import { charge } from './cost.js';
import { re2Matches } from './lib/regex.js';
import { evalError } from './lib/util.js';

interface AstNode {
  op: string;
  args: unknown;
  handle?: (...a: unknown[]) => unknown;
  meta?: { alternate?: AstNode; macro?: Record<string, unknown> };
}

function isNode(v: unknown): v is AstNode {
  return (
    v !== null && typeof v === 'object' && typeof (v as AstNode).op === 'string' && 'args' in (v as object)
  );
}

function size(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  if (v instanceof Map) return v.size;
  if (v !== null && typeof v === 'object') return Object.keys(v).length;
  return 0;
}

function matches(s: unknown, pattern: unknown): boolean {
  if (typeof s !== 'string' || typeof pattern !== 'string')
    throw evalError("found no matching overload for 'matches'");
  return re2Matches(s, pattern);
}

/** Walks a type-checked AST once, after compilation. */
export function instrument(root: unknown): void {
  const seen = new Set<unknown>();
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    if (!isNode(v)) {
      for (const x of Object.values(v)) visit(x);
      return;
    }
    const node = v;
    if (node.op === 'rcall' && Array.isArray(node.args) && node.args[0] === 'matches' && node.handle) {
      node.handle = (a: unknown) => {
        const [s, p] = a as unknown[];
        return matches(s, p);
      };
    } else if (node.op === 'comprehension' && node.handle) {
      const original = node.handle;
      node.handle = (iterable: unknown, ...rest: unknown[]) => {
        charge(size(iterable) + 1);
        return original(iterable, ...rest);
      };
    }
    visit(node.args);
    const meta = node.meta;
    if (meta?.alternate) visit(meta.alternate);
    if (meta?.macro) visit(meta.macro);
  };
  visit(root);
}
