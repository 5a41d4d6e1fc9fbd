/**
 * JMESPath evaluation as Kyverno does it: JMESPath Community with Kyverno's functions, plus the
 * behaviour of Kyverno's go-jmespath fork that a plain field path naming a key absent from its
 * object fails with `Unknown key "<key>" in path` (a key that is present with a null value does not).
 */
import { compile, type JSONValue, TreeInterpreter } from '@jmespath-community/jmespath';
import { VariableError } from './errors.js';
import { registerKyvernoFunctions } from './functions.js';
import { installArgumentCheck } from './jmespath-arguments.js';
import { closureOf, type Evaluator } from './jmespath-closures.js';

type Node = ReturnType<typeof compile>;

interface Compiled {
  node: Node;
  /** The expression as closures, when it uses only node types they cover (see jmespath-closures.ts). */
  run?: Evaluator;
  /** For a pure field path (a.b[0].c): its steps, evaluated without the interpreter. */
  steps?: (string | number)[];
  /**
   * The top-level names the result depends on (one or two), when it depends on nothing else: then
   * results are remembered per those values (see memoized).
   */
  roots?: string[];
  memo?: WeakMap<object, unknown>;
  /** Misses and hits so far: an expression that keeps missing stops being remembered. */
  misses: number;
  hits: number;
}

const compiled = new Map<string, Compiled>();
const MAX_CACHE = 4096;

registerKyvernoFunctions();
installArgumentCheck();

function pathSteps(node: Node): (string | number)[] | undefined {
  const n = node as any;
  switch (n.type) {
    case 'Field':
      return [n.name];
    case 'Index':
      return [n.value];
    case 'Subexpression':
    case 'IndexExpression': {
      const left = pathSteps(n.left);
      const right = left && pathSteps(n.right);
      return left && right ? [...left, ...right] : undefined;
    }
    default:
      return undefined;
  }
}

/** Functions whose result is not fixed by their arguments: expressions calling them are never remembered. */
const IMPURE = new Set(['time_now', 'time_now_utc', 'time_since', 'random']);

/**
 * The names an expression reads from the top level of its data, or undefined when it may read the
 * data in any other way (`@` or `$` at the top, indexing or slicing the data itself, let-bindings,
 * impure functions). Parts evaluated on an intermediate value (a projection's right side, a pipe's
 * right side, an `&expression`) read nothing from the top level.
 */
function rootNames(node: Node, into: Set<string>): boolean {
  const n = node as any;
  switch (n.type) {
    case 'Field':
      into.add(n.name);
      return true;
    case 'Literal':
    case 'ExpressionReference':
      return true;
    case 'Subexpression':
    case 'IndexExpression':
    case 'Projection':
    case 'ValueProjection':
    case 'FilterProjection':
    case 'Pipe':
      return rootNames(n.left, into);
    case 'Flatten':
    case 'NotExpression':
      return rootNames(n.child, into);
    case 'Unary':
      return rootNames(n.operand, into);
    case 'OrExpression':
    case 'AndExpression':
    case 'Comparator':
    case 'Arithmetic':
      return rootNames(n.left, into) && rootNames(n.right, into);
    case 'Ternary':
      return rootNames(n.condition, into) && rootNames(n.trueExpr, into) && rootNames(n.falseExpr, into);
    case 'MultiSelectList':
      return (n.children as Node[]).every((c) => rootNames(c, into));
    case 'MultiSelectHash':
      return (n.children as { value: Node }[]).every((c) => rootNames(c.value, into));
    case 'Function':
      return !IMPURE.has(n.name) && (n.children as Node[]).every((c) => rootNames(c, into));
    default:
      return false;
  }
}

function memoRoots(node: Node): string[] | undefined {
  const names = new Set<string>();
  return rootNames(node, names) && names.size >= 1 && names.size <= 2 ? [...names] : undefined;
}

/** Compiles (cached); throws VariableError with the parser's message. */
export function compileExpression(expression: string): Compiled {
  let entry = compiled.get(expression);
  if (entry === undefined) {
    let node: Node;
    try {
      node = compile(expression, { enable_legacy_literals: true });
    } catch (error) {
      throw new VariableError((error as Error).message, { cause: error });
    }
    const steps = pathSteps(node);
    entry = steps
      ? { node, steps, misses: 0, hits: 0 }
      : { node, run: closureOf(node as never), roots: memoRoots(node), misses: 0, hits: 0 };
    if (compiled.size >= MAX_CACHE) compiled.clear();
    compiled.set(expression, entry);
  }
  return entry;
}

/** Walks a pure field path as Kyverno's fork does: a key absent from an object is an error. */
function walk(steps: (string | number)[], data: unknown): unknown {
  let value = data;
  for (const step of steps) {
    if (typeof step === 'string') {
      if (!isRecord(value)) return null;
      if (!Object.hasOwn(value, step)) throw new VariableError(`Unknown key "${step}" in path`);
      value = value[step];
    } else {
      if (!Array.isArray(value)) return null;
      value = value[step < 0 ? value.length + step : step];
    }
    if (value === undefined) return null;
  }
  return value ?? null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Evaluates a compiled expression; JMESPath runtime errors become VariableError. */
export function evaluate(entry: Compiled, data: unknown): unknown {
  if (entry.steps) return walk(entry.steps, data);
  if (entry.roots && isRecord(data)) return memoized(entry, entry.roots, data);
  return interpret(entry, data);
}

/**
 * Every rule of every policy queries the same document: the same container lists, the same
 * `rampart.*` settings, the same `element` objects across foreach rules. An expression that reads
 * only one or two top-level names gives the same result for the same objects under those names, so
 * the result is kept per object (weakly: it goes when the document does). Results are shared, as the
 * interpreter already shares literals and field values, so no caller may change them.
 */
function memoized(entry: Compiled, roots: string[], data: Record<string, unknown>): unknown {
  const first = data[roots[0]!];
  const second = roots.length > 1 ? data[roots[1]!] : undefined;
  if (!isObjectKey(first) || (roots.length > 1 && !isObjectKey(second))) return interpret(entry, data);
  const memo = (entry.memo ??= new WeakMap());
  let cache = memo;
  if (roots.length > 1) {
    let inner = memo.get(first) as WeakMap<object, unknown> | undefined;
    if (!inner) memo.set(first, (inner = new WeakMap()));
    cache = inner;
  }
  const key = (roots.length > 1 ? second : first) as object;
  // interpret never gives undefined (absent is null), so undefined here means not remembered yet.
  const seen = cache.get(key);
  if (seen !== undefined) {
    entry.hits++;
    return seen;
  }
  const result = interpret(entry, data);
  // Remembering costs a weak-map entry per object: not worth it for an expression evaluated once
  // per object (most `element.*` expressions of a single foreach rule).
  if (++entry.misses >= MEMO_TRIAL && entry.hits * 4 < entry.misses) {
    entry.roots = undefined;
    entry.memo = undefined;
  } else cache.set(key, result);
  return result;
}

/** Misses after which an expression's hit rate decides whether it stays remembered. */
const MEMO_TRIAL = 256;

function isObjectKey(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

function interpret(entry: Compiled, data: unknown): unknown {
  let result: unknown;
  try {
    result = entry.run ? entry.run(data) : TreeInterpreter.search(entry.node, data as JSONValue);
  } catch (error) {
    if (error instanceof VariableError) throw error;
    throw new VariableError((error as Error).message, { cause: error });
  }
  return result ?? null;
}

/** JMESPath search with Kyverno's functions. Throws VariableError for syntax and runtime errors. */
export function jmespathSearch(expression: string, data: unknown): unknown {
  return evaluate(compileExpression(expression), data);
}
