/**
 * The places where Rampart needs more than the CEL library's public API, kept together so that an upgrade
 * of the library is checked in one spot (test/policy/cel/hooks.test.ts fails if its internals move):
 *  - `matches` must use RE2 semantics like cel-go, not JavaScript's RegExp;
 *  - comprehensions charge the cost budget per element, so nested loops over large inputs end with a
 *    cost-limit error instead of running for minutes.
 * Both rewrite the per-node `handle` the library's type checker leaves on call and comprehension nodes.
 *  - `has()` accepts any select expression, as the CEL spec says (`has(f(x).a)`, `has(list[0].a)`): the library
 *    (8.0.0) only accepts a select chain that starts at an identifier. `relaxHas` swaps the type check of each
 *    parsed `has` macro for the same check without that restriction, before the program is checked.
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

/** What the library's type checker offers a macro's typeCheck (the part `has` uses). */
interface Checker {
  check(node: unknown, ctx: unknown): unknown;
  createError(code: string, message: string, node: unknown): Error;
  getType(name: string): unknown;
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

/**
 * Calls `onNode` once for every AST node under `root`, macro expansions and alternates included (the library
 * shares subtrees, hence the seen set).
 */
function eachNode(root: unknown, onNode: (node: AstNode) => void): void {
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
    onNode(v);
    visit(v.args);
    const meta = v.meta;
    if (meta?.alternate) visit(meta.alternate);
    if (meta?.macro) visit(meta.macro);
  };
  visit(root);
}

/** Installs the regex and cost hooks in a type-checked AST once, after compilation. */
export function instrument(root: unknown): void {
  eachNode(root, (node) => {
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
  });
}

const INVALID_HAS = 'has() invalid argument';

/**
 * The library's `has` type check (lib/macros.js) with the identifier requirement dropped: the argument must be a
 * field selection (`e.f`); the chain of selections below it is walked down to whatever expression starts it,
 * which is type-checked like any other. The library's `evaluate` then runs that expression and tests the
 * fields, as it already does for an identifier.
 */
function hasTypeCheck(checker: Checker, macro: Record<string, unknown>, ctx: unknown): unknown {
  let node = (macro.args as AstNode[])[0] as AstNode;
  if (node.op !== '.') throw checker.createError('invalid_macro_argument', INVALID_HAS, node);
  if (!macro.macroHasProps) {
    const props: AstNode[] = [];
    while (node.op === '.' || node.op === '.?') {
      props.push(node);
      node = (node.args as AstNode[])[0] as AstNode;
    }
    checker.check(node, ctx);
    props.push(node);
    macro.macroHasProps = props;
  }
  return checker.getType('bool');
}

/** Walks a parsed, not yet checked AST and gives every `has(...)` macro the spec's type check. */
export function relaxHas(root: unknown): void {
  eachNode(root, (node) => {
    const macro = node.meta?.macro;
    if (
      node.op === 'call' &&
      Array.isArray(node.args) &&
      node.args[0] === 'has' &&
      macro &&
      typeof macro.typeCheck === 'function' &&
      Array.isArray(macro.args) &&
      macro.args.length === 1
    )
      macro.typeCheck = hasTypeCheck;
  });
}
