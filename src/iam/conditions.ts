import { BlockList, isIP } from 'node:net';
import { UserError } from '../core/errors.js';
import { arnMatch, substituteVariables, type VariableLookup, wildcardMatch } from './wildcard.js';

/**
 * IAM condition operators. Semantics follow the IAM JSON policy reference ("Condition operators" and
 * "Single-valued vs. multivalued context keys"): a missing key makes positive operators false and
 * negated ones true; `...IfExists` makes a missing key true; `ForAllValues:` is true for a missing or
 * empty key; `ForAnyValue:` is false for one.
 */
type Compare = (ctx: string, policy: string, lookup: VariableLookup) => boolean;

interface BaseOperator {
  compare: Compare;
  negated: boolean;
}

function numeric(test: (a: number, b: number) => boolean): Compare {
  return (ctx, policy) => {
    const a = toNumber(ctx);
    const b = toNumber(policy);
    return a !== undefined && b !== undefined && test(a, b);
  };
}

function date(test: (a: number, b: number) => boolean): Compare {
  return (ctx, policy) => {
    const a = toDate(ctx);
    const b = toDate(policy);
    return a !== undefined && b !== undefined && test(a, b);
  };
}

function toNumber(s: string): number | undefined {
  if (s.trim() === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** Dates are ISO 8601 or epoch seconds. */
function toDate(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

const equalsWithVars: Compare = (ctx, policy, lookup) => substituteVariables(policy, lookup) === ctx;

const ipCache = new Map<string, BlockList | null>();
function ipBlock(cidr: string): BlockList | null {
  let block = ipCache.get(cidr);
  if (block !== undefined) return block;
  block = null;
  const [address, prefix] = cidr.split('/');
  const family = isIP(address ?? '');
  if (family !== 0) {
    const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix);
    if (Number.isInteger(bits) && bits >= 0 && bits <= (family === 4 ? 32 : 128)) {
      block = new BlockList();
      block.addSubnet(address as string, bits, family === 4 ? 'ipv4' : 'ipv6');
    }
  }
  ipCache.set(cidr, block);
  return block;
}

const ipMatch: Compare = (ctx, policy) => {
  const family = isIP(ctx);
  if (family === 0) return false;
  const block = ipBlock(policy);
  return block?.check(ctx, family === 4 ? 'ipv4' : 'ipv6') ?? false;
};

const BASE: Record<string, BaseOperator> = {
  stringequals: { compare: equalsWithVars, negated: false },
  stringnotequals: { compare: equalsWithVars, negated: true },
  stringequalsignorecase: {
    compare: (c, p, l) => substituteVariables(p, l)?.toLowerCase() === c.toLowerCase(),
    negated: false,
  },
  stringnotequalsignorecase: {
    compare: (c, p, l) => substituteVariables(p, l)?.toLowerCase() === c.toLowerCase(),
    negated: true,
  },
  stringlike: { compare: (c, p, l) => wildcardMatch(p, c, { lookup: l }), negated: false },
  stringnotlike: { compare: (c, p, l) => wildcardMatch(p, c, { lookup: l }), negated: true },
  numericequals: { compare: numeric((a, b) => a === b), negated: false },
  numericnotequals: { compare: numeric((a, b) => a === b), negated: true },
  numericlessthan: { compare: numeric((a, b) => a < b), negated: false },
  numericlessthanequals: { compare: numeric((a, b) => a <= b), negated: false },
  numericgreaterthan: { compare: numeric((a, b) => a > b), negated: false },
  numericgreaterthanequals: { compare: numeric((a, b) => a >= b), negated: false },
  dateequals: { compare: date((a, b) => a === b), negated: false },
  datenotequals: { compare: date((a, b) => a === b), negated: true },
  datelessthan: { compare: date((a, b) => a < b), negated: false },
  datelessthanequals: { compare: date((a, b) => a <= b), negated: false },
  dategreaterthan: { compare: date((a, b) => a > b), negated: false },
  dategreaterthanequals: { compare: date((a, b) => a >= b), negated: false },
  bool: {
    compare: (c, p, l) => substituteVariables(p, l)?.toLowerCase() === c.toLowerCase(),
    negated: false,
  },
  binaryequals: { compare: (c, p) => c === p, negated: false },
  ipaddress: { compare: ipMatch, negated: false },
  notipaddress: { compare: ipMatch, negated: true },
  arnequals: { compare: (c, p, l) => arnMatch(p, c, l), negated: false },
  arnlike: { compare: (c, p, l) => arnMatch(p, c, l), negated: false },
  arnnotequals: { compare: (c, p, l) => arnMatch(p, c, l), negated: true },
  arnnotlike: { compare: (c, p, l) => arnMatch(p, c, l), negated: true },
};

export const CONDITION_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'Null',
] as const;

export interface ParsedOperator {
  /** ForAllValues / ForAnyValue, or undefined for single-valued use. */
  set?: 'all' | 'any';
  ifExists: boolean;
  base: string;
  isNull: boolean;
}

/**
 * Splits `ForAnyValue:StringLikeIfExists` into its parts. Operator names are case-sensitive in IAM;
 * returns undefined for a name IAM would reject.
 */
export function parseOperator(name: string): ParsedOperator | undefined {
  let rest = name;
  let set: 'all' | 'any' | undefined;
  if (rest.startsWith('ForAllValues:')) {
    set = 'all';
    rest = rest.slice('ForAllValues:'.length);
  } else if (rest.startsWith('ForAnyValue:')) {
    set = 'any';
    rest = rest.slice('ForAnyValue:'.length);
  }
  let ifExists = false;
  if (rest.endsWith('IfExists') && rest !== 'IfExists') {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  if (!(CONDITION_OPERATORS as readonly string[]).includes(rest)) return undefined;
  if (rest === 'Null' && (ifExists || set)) return undefined;
  return { set, ifExists, base: rest, isNull: rest === 'Null' };
}

/** The request context: lower-cased key → values (one for single-valued keys). */
export type RequestContext = Map<string, string[]>;

/** Evaluates one operator/key pair against the request context. */
export function evaluateCondition(
  operator: string,
  key: string,
  policyValues: string[],
  context: RequestContext,
  lookup: VariableLookup,
): boolean {
  const op = parseOperator(operator);
  if (!op) throw new UserError(`unsupported condition operator "${operator}"`);
  return evaluateParsedCondition(op, key.toLowerCase(), policyValues, context, lookup);
}

/** `evaluateCondition` with the operator already parsed and the key lower-cased (the simulator's hot path). */
export function evaluateParsedCondition(
  op: ParsedOperator,
  lowerKey: string,
  policyValues: string[],
  context: RequestContext,
  lookup: VariableLookup,
): boolean {
  const ctx = context.get(lowerKey);
  const present = ctx !== undefined && ctx.length > 0;
  if (op.isNull) {
    // Null: "true" means the key must be absent, "false" that it must be present.
    return policyValues.some((v) => (v.toLowerCase() === 'true' ? !present : present));
  }
  const base = BASE[op.base.toLowerCase()] as BaseOperator;
  const matchesAny = (c: string): boolean => policyValues.some((p) => base.compare(c, p, lookup));
  if (op.set === 'all') {
    if (!present) return true;
    return ctx.every((c) => (base.negated ? !matchesAny(c) : matchesAny(c)));
  }
  if (op.set === 'any') {
    if (!present) return op.ifExists;
    return ctx.some((c) => (base.negated ? !matchesAny(c) : matchesAny(c)));
  }
  if (!present) return op.ifExists || base.negated;
  const any = ctx.some(matchesAny);
  return base.negated ? !any : any;
}
