/**
 * Leaf comparison of one resource value against one pattern value, as Kyverno's pkg/engine/pattern
 * Validate does it: typed equality for numbers/booleans/null, and for strings the operator grammar
 * (`a | b`, `a & b`, `>`, `>=`, `<`, `<=`, `!`, ranges `a-b` / `a!-b`) with durations and quantities
 * compared by value and everything else by wildcard.
 */
import { parseDurationNs } from '../../core/units/duration.js';
import { compareQuantities, parseQuantity, type Quantity } from '../../core/units/quantity.js';
import { goFloatE, isPlainObject, parseGoFloat } from './value.js';
import { wildcardMatch } from './wildcard.js';

export type PatternOperator = '' | '>=' | '<=' | '!' | '>' | '<' | '-' | '!-';

const RANGE_VALUE = String.raw`[-|\+]?\d+(?:\.\d+)?[A-Za-z]*`;
export const IN_RANGE = new RegExp(`^(${RANGE_VALUE})-(${RANGE_VALUE})$`);
export const NOT_IN_RANGE = new RegExp(`^(${RANGE_VALUE})!-(${RANGE_VALUE})$`);

/** operator.GetOperatorFromStringPattern. */
export function operatorOf(pattern: string): PatternOperator {
  if (pattern.length < 2) return '';
  if (pattern.startsWith('>=')) return '>=';
  if (pattern.startsWith('<=')) return '<=';
  if (pattern.startsWith('>')) return '>';
  if (pattern.startsWith('<')) return '<';
  if (pattern.startsWith('!')) return '!';
  if (NOT_IN_RANGE.test(pattern)) return '!-';
  if (IN_RANGE.test(pattern)) return '-';
  return '';
}

/** Validates a resource value against a scalar (or map) pattern value. */
export function validateValue(value: unknown, pattern: unknown): boolean {
  if (typeof pattern === 'boolean') return typeof value === 'boolean' && value === pattern;
  if (typeof pattern === 'number') return validateNumber(value, pattern);
  if (pattern === null || pattern === undefined) return validateNil(value);
  if (typeof pattern === 'string') return validateStringPatterns(value, pattern);
  if (Array.isArray(pattern)) return false;
  if (isPlainObject(pattern)) return isPlainObject(value);
  return false;
}

function validateNumber(value: unknown, pattern: number): boolean {
  // Patterns decode as float64; resource integers as int64 — Kyverno compares them after checking for fractions.
  if (typeof value === 'number') return value === pattern;
  if (typeof value === 'string') {
    const f = parseGoFloat(value);
    return f !== undefined && f === pattern;
  }
  return false;
}

function validateNil(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'number') return value === 0;
  if (typeof value === 'string') return value === '';
  if (typeof value === 'boolean') return !value;
  return false;
}

interface OpTerm {
  op: PatternOperator;
  operand: string;
  duration: number | undefined;
  quantity: Quantity | undefined;
}

/** One `&`-separated condition: a single comparison, or a range expanded into two of them. */
type Term = { kind: 'op'; term: OpTerm } | { kind: 'and' | 'or'; a: OpTerm; b: OpTerm } | { kind: 'never' };

const compiledPatterns = new Map<string, Term[][]>();

function opTerm(op: PatternOperator, operand: string): OpTerm {
  return { op, operand, duration: parseDurationNs(operand), quantity: parseQuantity(operand) };
}

function compileCondition(condition: string): Term {
  const op = operatorOf(condition);
  if (op === '-' || op === '!-') {
    const m = (op === '-' ? IN_RANGE : NOT_IN_RANGE).exec(condition);
    if (!m) return { kind: 'never' };
    // Upstream rewrites "a-b" as ">= a" and "<= b" (and "a!-b" as "< a" or "> b").
    return op === '-'
      ? { kind: 'and', a: opTerm('>=', m[1]!.trim()), b: opTerm('<=', m[2]!.trim()) }
      : { kind: 'or', a: opTerm('<', m[1]!.trim()), b: opTerm('>', m[2]!.trim()) };
  }
  return { kind: 'op', term: opTerm(op, condition.slice(op.length).trim()) };
}

/** Parses "a | b & c" once: alternatives (|) of conjunctions (&), each term pre-parsed. */
function compile(pattern: string): Term[][] {
  let compiled = compiledPatterns.get(pattern);
  if (compiled === undefined) {
    compiled = pattern.split('|').map((alt) =>
      trimSpaces(alt)
        .split('&')
        .map((c) => compileCondition(trimSpaces(c))),
    );
    if (compiledPatterns.size >= 20_000) compiledPatterns.clear();
    compiledPatterns.set(pattern, compiled);
  }
  return compiled;
}

function validateStringPatterns(value: unknown, pattern: string): boolean {
  if (value === pattern) return true;
  for (const alternative of compile(pattern)) {
    let ok = true;
    for (const term of alternative) {
      if (!validateTerm(value, term)) {
        ok = false;
        break;
      }
    }
    if (ok) return true;
  }
  return false;
}

function validateTerm(value: unknown, t: Term): boolean {
  switch (t.kind) {
    case 'op':
      return validateString(value, t.term);
    case 'and':
      return validateString(value, t.a) && validateString(value, t.b);
    case 'or':
      return validateString(value, t.a) || validateString(value, t.b);
    default:
      return false;
  }
}

/** strings.Trim(s, " "): only the space character, unlike String.prototype.trim. */
function trimSpaces(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s[a] === ' ') a++;
  while (b > a && s[b - 1] === ' ') b--;
  return s.slice(a, b);
}

/** convertNumberToString: missing values count as "0"; floats print with %f. */
function numberToString(value: unknown): string | undefined {
  if (value === null || value === undefined) return '0';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(6);
  return undefined;
}

function compareByOp(cmp: number, op: PatternOperator): boolean | undefined {
  switch (op) {
    case '':
      return cmp === 0;
    case '!':
      return cmp !== 0;
    case '>':
      return cmp > 0;
    case '<':
      return cmp < 0;
    case '>=':
      return cmp >= 0;
    case '<=':
      return cmp <= 0;
    default:
      return undefined;
  }
}

function validateString(value: unknown, t: OpTerm): boolean {
  const text = numberToString(value);
  if (t.duration !== undefined && text !== undefined) {
    const valueDuration = parseDurationNs(text);
    if (valueDuration !== undefined) {
      const r = compareByOp(Math.sign(valueDuration - t.duration), t.op);
      if (r !== undefined) return r;
    }
  }
  if (t.quantity !== undefined && text !== undefined) {
    const valueQuantity = parseQuantity(text);
    if (valueQuantity !== undefined) {
      const r = compareByOp(compareQuantities(valueQuantity, t.quantity), t.op);
      if (r !== undefined) return r;
    }
  }
  return compareString(value, t.operand, t.op);
}

function compareString(value: unknown, pattern: string, op: PatternOperator): boolean {
  if (op !== '' && op !== '!') return false;
  let str: string;
  if (typeof value === 'string') str = value;
  else if (typeof value === 'boolean') str = value ? 'true' : 'false';
  else if (typeof value === 'number') str = Number.isInteger(value) ? String(value) : goFloatE(value);
  else return false;
  const matched = wildcardMatch(pattern, str);
  return op === '!' ? !matched : matched;
}
