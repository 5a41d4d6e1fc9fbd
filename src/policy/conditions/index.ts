/**
 * Kyverno conditions (preconditions, deny conditions): `{any, all}` blocks or the legacy list, evaluated
 * with Kyverno's operators (pkg/engine/variables/evaluate.go, pkg/engine/variables/operator).
 */
import { rememberedByText } from '../../core/memo.js';
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
  return handlerOf(operator);
}

/** Handlers by operator as written: the same few operators are looked up for every resource. */
const handlerOf = rememberedByText(1024, newHandler);

function newHandler(operator: string): Handler {
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

function toCondition(raw: unknown, list: string, index: number): Condition {
  if (!isPlainObject(raw)) throw new ConditionError(`${list}[${index}]: a condition must be an object`);
  return raw as unknown as Condition;
}

/**
 * One condition, substituted and evaluated: undefined when it holds, else its substituted copy (for
 * `failed`). Only a false condition is copied: conditions run for every resource and foreach element.
 */
function falseCondition(c: Condition, substitute: (value: unknown) => unknown): Condition | undefined {
  const key = substitute(c.key);
  const value = substitute(c.value);
  return handlerFor(c.operator)(key, value) ? undefined : { ...c, key, value };
}

function conditionList(v: unknown, where: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ConditionError(`${where} must be a list of conditions`);
  return v;
}

function messageOf(c: Condition): string {
  return typeof c.message === 'string' ? c.message : '';
}

/** Adds a condition's message to those joined so far (empty messages are left out). */
function withMessage(joined: string, c: Condition, separator: string): string {
  const m = messageOf(c);
  if (m === '') return joined;
  return joined === '' ? m : `${joined}${separator}${m}`;
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
  if (Array.isArray(block)) {
    let trueMessages = '';
    for (let i = 0; i < block.length; i++) {
      const c = toCondition(block[i], 'conditions', i);
      const resolved = falseCondition(c, substitute);
      if (resolved) return { passed: false, failed: [resolved], message: messageOf(c) };
      trueMessages = withMessage(trueMessages, c, ';');
    }
    return { passed: true, failed: [], message: trueMessages };
  }
  if (!isPlainObject(block)) throw new ConditionError('invalid condition: expected {any, all} or a list');
  let failed: Condition[] | undefined;
  let trueMessages = '';
  // Upstream reports the messages of every false condition it evaluated, including any-conditions that were
  // false before one held.
  let falseMessages = '';
  let anyPassed = true;
  if (block.any !== undefined && block.any !== null) {
    const anyList = conditionList(block.any, 'any');
    anyPassed = false;
    let anyFailed: Condition[] | undefined;
    for (let i = 0; i < anyList.length; i++) {
      const c = toCondition(anyList[i], 'any', i);
      const resolved = falseCondition(c, substitute);
      if (!resolved) {
        anyPassed = true;
        trueMessages = withMessage(trueMessages, c, '; ');
        break;
      }
      (anyFailed ??= []).push(resolved);
      falseMessages = withMessage(falseMessages, c, '; ');
    }
    if (!anyPassed && anyFailed) failed = anyFailed;
  }
  let allPassed = true;
  const allList = conditionList(block.all, 'all');
  for (let i = 0; i < allList.length; i++) {
    const c = toCondition(allList[i], 'all', i);
    const resolved = falseCondition(c, substitute);
    if (resolved) {
      allPassed = false;
      (failed ??= []).push(resolved);
      falseMessages = withMessage(falseMessages, c, '; ');
      break;
    }
    trueMessages = withMessage(trueMessages, c, '; ');
  }
  const passed = anyPassed && allPassed;
  if (passed) return { passed, failed: [], message: trueMessages };
  return { passed, failed: failed ?? [], message: falseMessages };
}
