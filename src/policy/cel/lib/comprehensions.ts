/**
 * cel-go's two-variable comprehensions (ext.TwoVarComprehensions, enabled in Kubernetes 1.33+): all, exists,
 * existsOne/exists_one, transformList, transformMap and transformMapEntry with an index/key and a value
 * variable, and the lists extension's `sortBy(e, key)` macro, on top of the CEL library's macro hooks
 * (a function whose parameters are `ast` is a macro: it receives the unevaluated argument nodes).
 */
import type { Environment } from '@marcbachmann/cel-js';
import { charge } from '../cost.js';
import { celTypeName } from '../values.js';
import { celCompare, evalError } from './util.js';

// cel-js hands macros its AST nodes and type-checker/evaluator objects; only the members used here are typed.
interface Node {
  op: string;
  args: unknown;
}
interface Ctx {
  forkWithVariable(name: string, type: unknown): Ctx & { setIterValue(v: unknown, ev: unknown): Ctx };
}
interface Checker {
  check(node: Node, ctx: Ctx): unknown;
  getType(name: string): unknown;
  createError(code: string, message: string, node: Node): Error;
}
interface Evaluator {
  run(node: Node, ctx: Ctx): unknown;
}

type Kind = 'all' | 'exists' | 'existsOne' | 'transformList' | 'transformMap' | 'transformMapEntry';

interface Macro {
  kind: Kind;
  receiver: Node;
  first: string;
  second: string;
  filter?: Node;
  body: Node;
  dyn?: unknown;
}

function identifier(node: Node, what: string): string {
  if (node.op !== 'id' || typeof node.args !== 'string')
    throw evalError(`${what}: argument must be a simple name`);
  return node.args;
}

function pairs(coll: unknown): [unknown, unknown][] {
  if (Array.isArray(coll)) return coll.map((v, i) => [BigInt(i), v]);
  if (coll instanceof Map) return [...coll];
  if (coll !== null && typeof coll === 'object') return Object.entries(coll);
  throw evalError('comprehension range must be a list or a map');
}

function bool(v: unknown, kind: Kind): boolean {
  if (typeof v !== 'boolean') throw evalError(`${kind}() predicate must return bool`);
  return v;
}

function expander(kind: Kind, withFilter: boolean) {
  return ({ args, receiver }: { args: Node[]; receiver: Node }) => {
    const macro: Macro = {
      kind,
      receiver,
      first: identifier(args[0] as Node, kind),
      second: identifier(args[1] as Node, kind),
      filter: withFilter ? args[2] : undefined,
      body: (withFilter ? args[3] : args[2]) as Node,
    };
    if (macro.first === macro.second) throw evalError(`${kind}(): the two variables must differ`);
    return {
      ...macro,
      typeCheck(chk: Checker, m: Macro, ctx: Ctx) {
        chk.check(m.receiver, ctx);
        const dyn = chk.getType('dyn');
        m.dyn = dyn;
        const inner = ctx.forkWithVariable(m.first, dyn).forkWithVariable(m.second, dyn);
        if (m.filter) chk.check(m.filter, inner);
        chk.check(m.body, inner);
        return chk.getType(
          m.kind === 'transformList' ? 'list' : m.kind.startsWith('transformMap') ? 'map' : 'bool',
        );
      },
      evaluate(ev: Evaluator, m: Macro, ctx: Ctx) {
        return run(ev, m, ctx);
      },
    };
  };
}

function run(ev: Evaluator, m: Macro, ctx: Ctx): unknown {
  const items = pairs(ev.run(m.receiver, ctx));
  charge(items.length);
  const dynCtx = (a: unknown, b: unknown) => {
    const c1 = ctx.forkWithVariable(m.first, m.dyn).setIterValue(a, ev);
    return c1.forkWithVariable(m.second, m.dyn).setIterValue(b, ev);
  };
  switch (m.kind) {
    case 'all': {
      let error: unknown;
      for (const [a, b] of items) {
        try {
          if (!bool(ev.run(m.body, dynCtx(a, b)), m.kind)) return false;
        } catch (e) {
          error ??= e;
        }
      }
      if (error) throw error;
      return true;
    }
    case 'exists': {
      let error: unknown;
      for (const [a, b] of items) {
        try {
          if (bool(ev.run(m.body, dynCtx(a, b)), m.kind)) return true;
        } catch (e) {
          error ??= e;
        }
      }
      if (error) throw error;
      return false;
    }
    case 'existsOne': {
      let n = 0;
      for (const [a, b] of items) if (bool(ev.run(m.body, dynCtx(a, b)), m.kind)) n++;
      return n === 1;
    }
    case 'transformList': {
      const out: unknown[] = [];
      for (const [a, b] of items) {
        const c = dynCtx(a, b);
        if (m.filter && !bool(ev.run(m.filter, c), m.kind)) continue;
        out.push(ev.run(m.body, c));
      }
      return out;
    }
    case 'transformMap': {
      const out: Record<string, unknown> = {};
      for (const [a, b] of items) {
        const c = dynCtx(a, b);
        if (m.filter && !bool(ev.run(m.filter, c), m.kind)) continue;
        out[String(a)] = ev.run(m.body, c);
      }
      return out;
    }
    case 'transformMapEntry': {
      const out: Record<string, unknown> = {};
      for (const [a, b] of items) {
        const c = dynCtx(a, b);
        if (m.filter && !bool(ev.run(m.filter, c), m.kind)) continue;
        const entry = ev.run(m.body, c);
        const kv = pairs(entry);
        if (kv.length !== 1)
          throw evalError('transformMapEntry() expression must produce a map with exactly one entry');
        const [[k, v]] = kv as [[unknown, unknown]];
        if (Object.hasOwn(out, String(k))) throw evalError(`insert failed: key ${String(k)} already exists`);
        out[String(k)] = v;
      }
      return out;
    }
  }
}

/** The types whose values order (cel-go's traits.Comparer); sortBy keys must all be one of them. */
const COMPARABLE_TYPES = new Set([
  'int',
  'uint',
  'double',
  'string',
  'bool',
  'bytes',
  'google.protobuf.Timestamp',
  'google.protobuf.Duration',
]);

/** The CEL type of a sort key, when it is one of the comparable types; undefined otherwise. */
function keyType(v: unknown): string | undefined {
  const type = celTypeName(v);
  return COMPARABLE_TYPES.has(type) ? type : undefined;
}

interface SortBy {
  receiver: Node;
  name: string;
  key: Node;
  elementType?: unknown;
}

/**
 * `list.sortBy(e, keyExpr)`: the list ordered by the key each element gives (cel-go ext.Lists version 2, which
 * expands it to `@sortByAssociatedKeys`). Keys must share one comparable type; equal keys keep list order.
 */
function sortByExpander({ args, receiver }: { args: Node[]; receiver: Node }) {
  // cel-go: any expression but a literal scalar or a map literal.
  if (receiver.op === 'value' || receiver.op === 'map')
    throw evalError(
      'sortBy can only be applied to a list, identifier, comprehension, call or select expression',
    );
  const macro: SortBy = { receiver, name: identifier(args[0] as Node, 'sortBy'), key: args[1] as Node };
  return {
    ...macro,
    typeCheck(chk: Checker, m: SortBy, ctx: Ctx) {
      const type = chk.check(m.receiver, ctx) as { kind?: string; valueType?: unknown };
      if (type.kind !== 'list' && type.kind !== 'dyn')
        throw chk.createError('invalid_argument', 'sortBy() can only be applied to a list', m.receiver);
      m.elementType = type.kind === 'list' ? type.valueType : type;
      chk.check(m.key, ctx.forkWithVariable(m.name, m.elementType));
      return type.kind === 'list' ? type : chk.getType('list');
    },
    evaluate(ev: Evaluator, m: SortBy, ctx: Ctx) {
      const list = ev.run(m.receiver, ctx);
      if (!Array.isArray(list)) throw evalError('sortBy() can only be applied to a list');
      charge(list.length);
      if (list.length === 0) return [];
      const keys = list.map((e) =>
        ev.run(m.key, ctx.forkWithVariable(m.name, m.elementType).setIterValue(e, ev)),
      );
      const type = keyType(keys[0]);
      if (type === undefined) throw evalError('list elements must be comparable');
      if (keys.some((k) => keyType(k) !== type)) throw evalError('list elements must have the same type');
      const order = keys.map((_, i) => i);
      order.sort((a, b) => celCompare(keys[a], keys[b]) ?? 0);
      return order.map((i) => list[i]);
    },
  };
}

export function registerComprehensions(env: Environment): void {
  env.registerFunction('list.sortBy(ast, ast): list', sortByExpander);
  for (const receiver of ['list', 'map']) {
    env.registerFunction(`${receiver}.all(ast, ast, ast): bool`, expander('all', false));
    env.registerFunction(`${receiver}.exists(ast, ast, ast): bool`, expander('exists', false));
    env.registerFunction(`${receiver}.existsOne(ast, ast, ast): bool`, expander('existsOne', false));
    env.registerFunction(`${receiver}.exists_one(ast, ast, ast): bool`, expander('existsOne', false));
    env.registerFunction(`${receiver}.transformList(ast, ast, ast): list`, expander('transformList', false));
    env.registerFunction(
      `${receiver}.transformList(ast, ast, ast, ast): list`,
      expander('transformList', true),
    );
    env.registerFunction(`${receiver}.transformMap(ast, ast, ast): map`, expander('transformMap', false));
    env.registerFunction(`${receiver}.transformMap(ast, ast, ast, ast): map`, expander('transformMap', true));
    env.registerFunction(
      `${receiver}.transformMapEntry(ast, ast, ast): map`,
      expander('transformMapEntry', false),
    );
    env.registerFunction(
      `${receiver}.transformMapEntry(ast, ast, ast, ast): map`,
      expander('transformMapEntry', true),
    );
  }
}
