/**
 * JMESPath evaluation as Kyverno does it: JMESPath Community with Kyverno's functions, plus the
 * behaviour of Kyverno's go-jmespath fork that a plain field path naming a key absent from its
 * object fails with `Unknown key "<key>" in path` (a key that is present with a null value does not).
 */
import { compile, type JSONValue, TreeInterpreter } from '@jmespath-community/jmespath';
import { VariableError } from './errors.js';
import { registerKyvernoFunctions } from './functions.js';

type Node = ReturnType<typeof compile>;

interface Compiled {
  node: Node;
  /** For a pure field path (a.b[0].c): its steps, evaluated without the interpreter. */
  steps?: (string | number)[];
}

const compiled = new Map<string, Compiled>();
const MAX_CACHE = 4096;

registerKyvernoFunctions();

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
    entry = { node, steps: pathSteps(node) };
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
  const node = entry.node;
  let result: unknown;
  try {
    result = TreeInterpreter.search(node, data as JSONValue);
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
