/**
 * Kyverno conditions (preconditions, deny conditions): `{any, all}` blocks or the legacy list, evaluated
 * with Kyverno's operators (pkg/engine/variables/evaluate.go, pkg/engine/variables/operator).
 */
import { isPlainObject } from '../pattern/value.js';
import {
  allIn,
  allNotIn,
  anyIn,
  anyNotIn,
  deprecatedIn,
  deprecatedNotIn,
  durationCompare,
  equals,
  type NumericOp,
  numeric,
} from './operators.js';

export interface Condition {
  key: unknown;
  operator: string;
  value?: unknown;
  message?: string;
}

export class ConditionError extends Error {
  override name = 'ConditionError';
}

export interface ConditionsOutcome {
  passed: boolean;
  /** The conditions that evaluated false (key/value substituted): for `any`, all of them when none held. */
  failed: Condition[];
  /**
   * Kyverno's combined condition message: when the block fails, the `message`s of the false conditions;
   * when it passes, those of the true ones (upstream reports these, e.g. for deny rules). Joined by "; ".
   */
  message: string;
}

type Handler = (key: unknown, value: unknown) => boolean;

const NUMERIC: Record<string, NumericOp> = {
  greaterthan: 'gt',
  greaterthanorequals: 'gte',
  lessthan: 'lt',
  lessthanorequals: 'lte',
};
const DURATION: Record<string, NumericOp> = {
  durationgreaterthan: 'gt',
  durationgreaterthanorequals: 'gte',
  durationlessthan: 'lt',
  durationlessthanorequals: 'lte',
};

/** Operator names are matched case-insensitively, as upstream lower-cases them. */
function handlerFor(operator: unknown): Handler {
  if (typeof operator !== 'string')
    throw new ConditionError(`condition operator must be a string, got ${typeof operator}`);
  const op = operator.toLowerCase();
  switch (op) {
    case 'equal':
    case 'equals':
      return equals;
    case 'notequal':
    case 'notequals':
      return (k, v) => !equals(k, v);
    case 'in':
      return deprecatedIn;
    case 'notin':
      return deprecatedNotIn;
    case 'anyin':
      return anyIn;
    case 'allin':
      return allIn;
    case 'anynotin':
      return anyNotIn;
    case 'allnotin':
      return allNotIn;
  }
  const n = NUMERIC[op];
  if (n) return (k, v) => numeric(k, v, n);
  const d = DURATION[op];
  if (d) return (k, v) => durationCompare(k, v, d);
  throw new ConditionError(
    `failed to create handler for condition operator: unsupported operator '${operator}'`,
  );
}

/** Evaluates one condition whose key and value are already substituted. */
export function evaluateCondition(c: Condition): boolean {
  return handlerFor(c.operator)(c.key, c.value);
}

function toCondition(raw: unknown, where: string): Condition {
  if (!isPlainObject(raw)) throw new ConditionError(`${where}: a condition must be an object`);
  return raw as unknown as Condition;
}

function evaluateOne(
  raw: unknown,
  where: string,
  substitute: (value: unknown) => unknown,
): [boolean, Condition] {
  const c = toCondition(raw, where);
  const key = substitute(c.key);
  const value = substitute(c.value);
  const handler = handlerFor(c.operator);
  const resolved: Condition = { ...c, key, value };
  return [handler(key, value), resolved];
}

function conditionList(v: unknown, where: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ConditionError(`${where} must be a list of conditions`);
  return v;
}

/**
 * Evaluates a conditions block: `{any, all}` (any: at least one holds, when given; all: every one holds) or a
 * legacy list (= all). A missing block passes. `substitute` resolves variables in each key and value; its
 * errors propagate unchanged.
 */
export function evaluateConditions(
  block: unknown,
  substitute: (value: unknown) => unknown,
): ConditionsOutcome {
  if (block === undefined || block === null) return { passed: true, failed: [], message: '' };
  const msg = (c: Condition): string => (typeof c.message === 'string' ? c.message : '');
  const join = (parts: string[], sep: string): string => parts.filter((m) => m !== '').join(sep);
  if (Array.isArray(block)) {
    const trueMessages: string[] = [];
    for (const [i, raw] of block.entries()) {
      const [ok, c] = evaluateOne(raw, `conditions[${i}]`, substitute);
      if (!ok) return { passed: false, failed: [c], message: msg(c) };
      trueMessages.push(msg(c));
    }
    return { passed: true, failed: [], message: join(trueMessages, ';') };
  }
  if (!isPlainObject(block)) throw new ConditionError('invalid condition: expected {any, all} or a list');
  const failed: Condition[] = [];
  const trueMessages: string[] = [];
  // Upstream reports the messages of every false condition it evaluated, including any-conditions that were
  // false before one held.
  const falseMessages: string[] = [];
  let anyPassed = true;
  if (block.any !== undefined && block.any !== null) {
    const anyList = conditionList(block.any, 'any');
    anyPassed = false;
    const anyFailed: Condition[] = [];
    for (const [i, raw] of anyList.entries()) {
      const [ok, c] = evaluateOne(raw, `any[${i}]`, substitute);
      if (ok) {
        anyPassed = true;
        trueMessages.push(msg(c));
        break;
      }
      anyFailed.push(c);
      falseMessages.push(msg(c));
    }
    if (!anyPassed) failed.push(...anyFailed);
  }
  let allPassed = true;
  for (const [i, raw] of conditionList(block.all, 'all').entries()) {
    const [ok, c] = evaluateOne(raw, `all[${i}]`, substitute);
    if (!ok) {
      allPassed = false;
      failed.push(c);
      falseMessages.push(msg(c));
      break;
    }
    trueMessages.push(msg(c));
  }
  const passed = anyPassed && allPassed;
  if (passed) return { passed, failed: [], message: join(trueMessages, '; ') };
  return { passed, failed, message: join(falseMessages, '; ') };
}
