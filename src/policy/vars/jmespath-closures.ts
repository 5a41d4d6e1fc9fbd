/**
 * JMESPath expressions turned into closures once, then run without walking their tree: for the node
 * types Kyverno policies are written with (field paths, projections, filters, flatten, multi-selects,
 * `||`/`&&`/`!`, ternaries, comparisons, literals, pipes, function calls). Each closure does what the
 * library's TreeInterpreter.visit does for that node (@jmespath-community/jmespath 1.3.0), so results
 * are the same; an expression with anything else (let, variables, `$`, slices, arithmetic, node types
 * a later library version may add) is left to the interpreter whole.
 *
 * Why: on the 20,000-document scan bench the interpreter ran ~300,000 times per scan and its `visit`
 * was the largest single item of the profile after the garbage collector (0.3 s self, 0.5-0.7 s with
 * the functions it calls, in a 5 s scan); `Array.prototype.flat` alone, for `[]`, was its hottest line.
 */
import { TreeInterpreter } from '@jmespath-community/jmespath';

type Node = { type: string } & Record<string, any>;
export type Evaluator = (value: unknown) => unknown;

/** The library's falsiness: null, false, '', [], {} (numbers, even 0, are true). */
function isFalse(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return true;
  if (typeof value === 'string') return value === '';
  if (typeof value === 'object') {
    if (Array.isArray(value)) return value.length === 0;
    return Object.keys(value).length === 0;
  }
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && Object.prototype.toString.call(value) === '[object Object]';
}

/** The library's `==`: deep, for JSON values; objects compare by their own keys in any order. */
function strictDeepEqual(first: unknown, second: unknown): boolean {
  if (first === second) return true;
  if (typeof first !== typeof second) return false;
  if (Array.isArray(first) && Array.isArray(second)) {
    if (first.length !== second.length) return false;
    for (let i = 0; i < first.length; i++) if (!strictDeepEqual(first[i], second[i])) return false;
    return true;
  }
  if (isPlainObject(first) && isPlainObject(second)) {
    const firstKeys = Object.keys(first);
    const secondKeys = new Set(Object.keys(second));
    if (firstKeys.length !== secondKeys.size) return false;
    for (const key of firstKeys) {
      if (!strictDeepEqual(first[key], second[key])) return false;
      secondKeys.delete(key);
    }
    return secondKeys.size === 0;
  }
  return false;
}

function callFunction(name: string, args: unknown[]): unknown {
  return (
    TreeInterpreter.runtime as unknown as { callFunction(n: string, a: unknown[]): unknown }
  ).callFunction(name, args);
}

/** The closure for an expression's tree, or undefined when it uses a node type left to the interpreter. */
export function closureOf(node: Node): Evaluator | undefined {
  try {
    return build(node);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

class Unsupported extends Error {}

/** A projection's right side over each element, non-null results kept. */
function project(elements: unknown[], right: Evaluator): unknown[] {
  const collected: unknown[] = [];
  for (const element of elements) {
    const current = right(element);
    if (current !== null) collected.push(current);
  }
  return collected;
}

/** The names of a chain of plain field steps (`request.object.spec`), or undefined for anything else. */
function fieldChain(node: Node): string[] | undefined {
  if (node.type === 'Field') return [node.name];
  if (node.type !== 'Subexpression') return undefined;
  const left = fieldChain(node.left);
  const right = left && fieldChain(node.right);
  return left && right ? [...left, ...right] : undefined;
}

/**
 * A chain of field steps in one closure: what the Field and Subexpression closures give when nested,
 * without a call per step (field chains are most of what policies query).
 */
function fieldsEvaluator(names: string[]): Evaluator {
  return (value) => {
    let current = value;
    for (let i = 0; i < names.length; i++) {
      if (current === null || typeof current !== 'object' || Array.isArray(current)) return null;
      current = (current as Record<string, unknown>)[names[i]!] ?? null;
    }
    return current;
  };
}

function build(node: Node): Evaluator {
  switch (node.type) {
    case 'Field': {
      const name: string = node.name;
      return (value) =>
        value === null || typeof value !== 'object' || Array.isArray(value)
          ? null
          : ((value as Record<string, unknown>)[name] ?? null);
    }
    case 'Subexpression': {
      const names = fieldChain(node);
      if (names) return fieldsEvaluator(names);
      const left = build(node.left);
      const right = build(node.right);
      return (value) => {
        const result = left(value);
        return result != null ? (right(result) ?? null) : null;
      };
    }
    case 'IndexExpression':
    case 'Pipe': {
      const left = build(node.left);
      const right = build(node.right);
      return (value) => right(left(value));
    }
    case 'Index': {
      const index: number = node.value;
      return (value) => {
        if (!Array.isArray(value)) return null;
        return value[index < 0 ? value.length + index : index] ?? null;
      };
    }
    case 'Projection': {
      // The library lets a slice project over a string; slices are left to it (see default).
      const left = build(node.left);
      const right = build(node.right);
      return (value) => {
        const base = left(value);
        return Array.isArray(base) ? project(base, right) : null;
      };
    }
    case 'ValueProjection': {
      const left = build(node.left);
      const right = build(node.right);
      return (value) => {
        const base = left(value);
        if (base === null || typeof base !== 'object' || Array.isArray(base)) return null;
        return project(Object.values(base), right);
      };
    }
    case 'FilterProjection': {
      const left = build(node.left);
      const right = build(node.right);
      const condition = build(node.condition);
      return (value) => {
        const base = left(value);
        if (!Array.isArray(base)) return null;
        const results: unknown[] = [];
        for (const element of base) {
          if (isFalse(condition(element))) continue;
          const result = right(element);
          if (result !== null) results.push(result);
        }
        return results;
      };
    }
    case 'Flatten': {
      const child = build(node.child);
      // One level, as Array.prototype.flat() (holes cannot occur in JSON values).
      return (value) => {
        const original = child(value);
        if (!Array.isArray(original)) return null;
        const out: unknown[] = [];
        for (const item of original) {
          if (Array.isArray(item)) for (const inner of item) out.push(inner);
          else out.push(item);
        }
        return out;
      };
    }
    case 'Comparator': {
      const left = build(node.left);
      const right = build(node.right);
      switch (node.name) {
        case 'EQ':
          return (value) => strictDeepEqual(left(value), right(value));
        case 'NE':
          return (value) => !strictDeepEqual(left(value), right(value));
        case 'GT':
        case 'GTE':
        case 'LT':
        case 'LTE': {
          const name: string = node.name;
          return (value) => {
            const first = left(value);
            const second = right(value);
            if (typeof first !== 'number' || typeof second !== 'number') return null;
            return name === 'GT'
              ? first > second
              : name === 'GTE'
                ? first >= second
                : name === 'LT'
                  ? first < second
                  : first <= second;
          };
        }
        default:
          throw new Unsupported();
      }
    }
    case 'MultiSelectList': {
      const children = (node.children as Node[]).map(build);
      return (value) => {
        const collected: unknown[] = [];
        for (const child of children) collected.push(child(value));
        return collected;
      };
    }
    case 'MultiSelectHash': {
      const entries = (node.children as { name: string; value: Node }[]).map(
        (c) => [c.name, build(c.value)] as const,
      );
      return (value) => {
        const collected: Record<string, unknown> = {};
        for (const [name, child] of entries) collected[name] = child(value);
        return collected;
      };
    }
    case 'OrExpression': {
      const left = build(node.left);
      const right = build(node.right);
      return (value) => {
        const result = left(value);
        return isFalse(result) ? right(value) : result;
      };
    }
    case 'AndExpression': {
      const left = build(node.left);
      const right = build(node.right);
      return (value) => {
        const result = left(value);
        return isFalse(result) ? result : right(value);
      };
    }
    case 'NotExpression': {
      const child = build(node.child);
      return (value) => isFalse(child(value));
    }
    case 'Ternary': {
      const condition = build(node.condition);
      const whenTrue = build(node.trueExpr);
      const whenFalse = build(node.falseExpr);
      return (value) => (isFalse(condition(value)) ? whenFalse(value) : whenTrue(value));
    }
    case 'Literal': {
      const literal: unknown = node.value;
      return () => literal;
    }
    case 'Current':
    case 'Identity':
      return (value) => value;
    case 'Function': {
      const name: string = node.name;
      const args = (node.children as Node[]).map(argument);
      // Most calls take one or two arguments: their list is made at its size (a pushed-to empty array
      // allocates room for many).
      if (args.length === 1) {
        const [first] = args as [Evaluator];
        return (value) => callFunction(name, [first(value)]);
      }
      if (args.length === 2) {
        const [first, second] = args as [Evaluator, Evaluator];
        return (value) => callFunction(name, [first(value), second(value)]);
      }
      return (value) => {
        const resolved: unknown[] = [];
        for (const arg of args) resolved.push(arg(value));
        return callFunction(name, resolved);
      };
    }
    default:
      // Let-expressions, variables and `$` depend on the interpreter's scope and root; slices,
      // arithmetic and unary operators are rare in policies: all left to the interpreter.
      throw new Unsupported();
  }
}

/**
 * A function argument. An `&expression` is handed to the function as the library hands it (the
 * child's node marked `expref`), for the function to evaluate through the interpreter: its body is
 * built only to check that it too needs nothing of the scope or root (Unsupported otherwise).
 */
function argument(node: Node): Evaluator {
  if (node.type !== 'ExpressionReference') return build(node);
  build(node.child as Node);
  const reference = { expref: true, ...(node.child as Node) };
  return () => reference;
}
