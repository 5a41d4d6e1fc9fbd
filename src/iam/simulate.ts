import { UserError } from '../core/errors.js';
import {
  evaluateParsedCondition,
  type ParsedOperator,
  parseOperator,
  type RequestContext,
} from './conditions.js';
import type { IamPolicy, PolicyStatement, PrincipalSpec } from './policy.js';
import { arnMatch, splitArn, type VariableLookup, wildcardMatch } from './wildcard.js';

/**
 * Our own evaluator of IAM's policy logic for one account: an explicit Deny anywhere wins; otherwise
 * every SCP layer given and the permissions boundary must allow, and an identity policy (or a resource
 * policy naming the principal) must allow.
 */
export type PolicySource = 'identity' | 'resource' | 'scp' | 'boundary';

export interface PolicySet {
  identity: IamPolicy[];
  /** Service control policies, evaluated as one layer: one Allow among them is enough. */
  scps?: IamPolicy[];
  boundary?: IamPolicy;
  /** Resource-based policies (bucket, key, trust policies) on the requested resource. */
  resource?: IamPolicy[];
}

export interface SimulationRequest {
  action: string;
  resource: string;
  principal?: string;
  /** Context keys as given (case-insensitive); several values make a multivalued key. */
  context?: Record<string, string | string[]>;
}

export interface MatchedStatement {
  source: PolicySource;
  policy: string;
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
}

export type Decision = 'allowed' | 'explicitDeny' | 'implicitDeny';

export interface SimulationResult {
  decision: Decision;
  allowed: boolean;
  reason: string;
  /** The statements that decided: the Deny statements, or the Allow statements of every layer. */
  statements: MatchedStatement[];
}

let lastTime: { second: number; keys: [string, string] } | undefined;

/** aws:CurrentTime and aws:EpochTime, formatted once per second rather than once per request. */
function timeKeys(now: Date): [string, string] {
  const second = Math.floor(now.getTime() / 1000);
  if (lastTime?.second !== second) {
    lastTime = {
      second,
      keys: [new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'), String(second)],
    };
  }
  return lastTime.keys;
}

/** Builds the request context: user-supplied keys plus what can be derived from the principal ARN. */
export function buildContext(request: SimulationRequest, now = new Date()): RequestContext {
  const ctx: RequestContext = new Map();
  const principal = request.principal;
  if (principal) {
    const parts = splitArn(principal);
    ctx.set('aws:principalarn', [principal]);
    if (parts) {
      ctx.set('aws:principalaccount', [parts[4] as string]);
      const resource = parts[5] as string;
      const type = resource.split('/')[0];
      if (parts[2] === 'iam' && type === 'user') {
        ctx.set('aws:username', [resource.slice(resource.lastIndexOf('/') + 1)]);
        ctx.set('aws:principaltype', ['User']);
      } else if (parts[2] === 'sts' && type === 'assumed-role') {
        ctx.set('aws:principaltype', ['AssumedRole']);
      } else if (parts[2] === 'iam' && resource === 'root') {
        ctx.set('aws:principaltype', ['Account']);
      }
    }
  }
  const [iso, epoch] = timeKeys(now);
  ctx.set('aws:currenttime', [iso]);
  ctx.set('aws:epochtime', [epoch]);
  for (const [key, value] of Object.entries(request.context ?? {})) {
    ctx.set(key.toLowerCase(), Array.isArray(value) ? value : [value]);
  }
  return ctx;
}

function lookupIn(ctx: RequestContext): VariableLookup {
  return (key) => ctx.get(key)?.[0];
}

/**
 * Statements are compiled once (action and ARN patterns to matchers, operators parsed) and kept per
 * statement object, so simulating many requests against the same policies stays cheap.
 */
type ActionMatcher = (lowerAction: string) => boolean;
type ResourceMatcher = (arn: string, parts: string[] | null, lookup: VariableLookup) => boolean;

interface CompiledCondition {
  op: ParsedOperator;
  key: string;
  values: string[];
}

interface CompiledStatement {
  actions?: ActionMatcher[];
  notActions?: ActionMatcher[];
  resources?: ResourceMatcher[];
  notResources?: ResourceMatcher[];
  conditions: CompiledCondition[];
}

const compiled = new WeakMap<PolicyStatement, CompiledStatement>();

function globRegex(pattern: string, flags = 's'): RegExp {
  const source = pattern
    .replace(/[.+^$()|[\]{}\\/-]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, flags);
}

function actionMatcher(pattern: string): ActionMatcher {
  const lower = pattern.toLowerCase();
  if (lower === '*') return () => true;
  if (!/[*?]/.test(lower)) return (a) => a === lower;
  const re = globRegex(lower);
  return (a) => re.test(a);
}

function segmentMatcher(pattern: string): (value: string) => boolean {
  if (pattern === '*') return () => true;
  if (!/[*?]/.test(pattern)) return (v) => v === pattern;
  const re = globRegex(pattern);
  return (v) => re.test(v);
}

function resourceMatcher(pattern: string): ResourceMatcher {
  if (pattern === '*') return () => true;
  if (pattern.includes('${')) return (arn, _parts, lookup) => arnMatch(pattern, arn, lookup);
  const segments = splitArn(pattern)?.map(segmentMatcher);
  const whole = segmentMatcher(pattern);
  if (!segments) return (arn) => whole(arn);
  return (arn, parts) => (parts ? segments.every((m, i) => m(parts[i] as string)) : whole(arn));
}

function compile(stmt: PolicyStatement): CompiledStatement {
  let c = compiled.get(stmt);
  if (c) return c;
  c = {
    actions: stmt.action?.map(actionMatcher),
    notActions: stmt.notAction?.map(actionMatcher),
    resources: stmt.resource?.map(resourceMatcher),
    notResources: stmt.notResource?.map(resourceMatcher),
    conditions: Object.entries(stmt.condition ?? {}).flatMap(([operator, keys]) => {
      const op = parseOperator(operator);
      if (!op) throw new UserError(`unsupported condition operator "${operator}"`);
      return Object.entries(keys).map(([key, values]) => ({ op, key: key.toLowerCase(), values }));
    }),
  };
  compiled.set(stmt, c);
  return c;
}

function principalMatches(spec: PrincipalSpec, principal: string | undefined): boolean {
  if (spec === '*') return true;
  for (const [type, ids] of Object.entries(spec)) {
    for (const id of ids) {
      if (id === '*') return true;
      if (principal === undefined) continue;
      if (type === 'AWS') {
        if (/^\d{12}$/.test(id)) {
          // An account id names the account: any principal in it (the account's policies then decide).
          if (splitArn(principal)?.[4] === id) return true;
        } else if (id === principal || wildcardMatch(id, principal)) {
          return true;
        } else if (id.endsWith(':root') && splitArn(id)?.[4] === splitArn(principal)?.[4]) {
          return true;
        } else if (sessionOfRole(principal) === id) {
          return true;
        }
      } else if (id === principal) {
        return true;
      }
    }
  }
  return false;
}

/** arn:aws:sts::111:assumed-role/Name/session → arn:aws:iam::111:role/Name (role paths are not in the session ARN). */
function sessionOfRole(principal: string): string | undefined {
  const parts = splitArn(principal);
  if (parts?.[2] !== 'sts') return undefined;
  const m = /^assumed-role\/([^/]+)\//.exec(parts[5] as string);
  return m ? `arn:${parts[1]}:iam::${parts[4]}:role/${m[1]}` : undefined;
}

/** Per-request values computed once for all statements. */
interface PreparedRequest {
  request: SimulationRequest;
  lowerAction: string;
  parts: string[] | null;
  ctx: RequestContext;
  lookup: VariableLookup;
}

function statementMatches(stmt: PolicyStatement, r: PreparedRequest, source: PolicySource): boolean {
  const c = compile(stmt);
  if (c.actions && !c.actions.some((m) => m(r.lowerAction))) return false;
  if (c.notActions?.some((m) => m(r.lowerAction))) return false;
  if (!c.actions && !c.notActions) return false;
  const resource = r.request.resource;
  if (c.resources && !c.resources.some((m) => m(resource, r.parts, r.lookup))) return false;
  if (c.notResources?.some((m) => m(resource, r.parts, r.lookup))) return false;
  // SCPs and trust policies may omit Resource; identity policies without one match nothing.
  if (!c.resources && !c.notResources && source === 'identity') return false;
  if (source === 'resource') {
    if (stmt.principal && !principalMatches(stmt.principal, r.request.principal)) return false;
    if (stmt.notPrincipal && principalMatches(stmt.notPrincipal, r.request.principal)) return false;
    if (!stmt.principal && !stmt.notPrincipal) return false;
  }
  for (const cond of c.conditions) {
    if (!evaluateParsedCondition(cond.op, cond.key, cond.values, r.ctx, r.lookup)) return false;
  }
  return true;
}

/** Checks the parts of a policy that the evaluator cannot work without, once, before many requests. */
export function validateForSimulation(policy: IamPolicy): void {
  for (const stmt of policy.statements) {
    if (stmt.effect !== 'Allow' && stmt.effect !== 'Deny') {
      throw new UserError(`${policy.name}: Statement[${stmt.index}]: Effect must be "Allow" or "Deny"`);
    }
    for (const operator of Object.keys(stmt.condition ?? {})) {
      if (!parseOperator(operator)) {
        throw new UserError(
          `${policy.name}: Statement[${stmt.index}]: unsupported condition operator "${operator}"`,
        );
      }
    }
  }
}

function matchesIn(
  policies: IamPolicy[],
  source: PolicySource,
  prepared: PreparedRequest,
): MatchedStatement[] {
  const out: MatchedStatement[] = [];
  for (const policy of policies) {
    for (const stmt of policy.statements) {
      if (statementMatches(stmt, prepared, source)) {
        out.push({
          source,
          policy: policy.name,
          index: stmt.index,
          sid: stmt.sid,
          effect: stmt.effect as 'Allow' | 'Deny',
        });
      }
    }
  }
  return out;
}

export function simulate(
  set: PolicySet,
  request: SimulationRequest,
  context?: RequestContext,
): SimulationResult {
  const ctx = context ?? buildContext(request);
  const prepared: PreparedRequest = {
    request,
    lowerAction: request.action.toLowerCase(),
    parts: splitArn(request.resource),
    ctx,
    lookup: lookupIn(ctx),
  };
  const layers: [PolicySource, IamPolicy[]][] = [
    ['scp', set.scps ?? []],
    ['boundary', set.boundary ? [set.boundary] : []],
    ['identity', set.identity],
    ['resource', set.resource ?? []],
  ];
  const matched = new Map<PolicySource, MatchedStatement[]>();
  const denies: MatchedStatement[] = [];
  for (const [source, policies] of layers) {
    const m = matchesIn(policies, source, prepared);
    matched.set(
      source,
      m.filter((s) => s.effect === 'Allow'),
    );
    denies.push(...m.filter((s) => s.effect === 'Deny'));
  }
  if (denies.length > 0) {
    return {
      decision: 'explicitDeny',
      allowed: false,
      reason: 'an explicit Deny matches',
      statements: denies,
    };
  }
  const allows = (source: PolicySource): MatchedStatement[] => matched.get(source) ?? [];
  if (set.scps && set.scps.length > 0 && allows('scp').length === 0) {
    return {
      decision: 'implicitDeny',
      allowed: false,
      reason: 'no service control policy allows the action',
      statements: [],
    };
  }
  const grants = [...allows('identity'), ...allows('resource')];
  if (grants.length === 0) {
    return {
      decision: 'implicitDeny',
      allowed: false,
      reason: 'no identity or resource policy allows the action',
      statements: [],
    };
  }
  if (set.boundary && allows('boundary').length === 0) {
    // A same-account resource policy that names a user or role session directly is not limited by the boundary.
    const direct =
      allows('resource').length > 0 && request.principal !== undefined && !/:role\//.test(request.principal);
    if (!direct) {
      return {
        decision: 'implicitDeny',
        allowed: false,
        reason: 'the permissions boundary does not allow the action',
        statements: [],
      };
    }
  }
  return {
    decision: 'allowed',
    allowed: true,
    reason: 'allowed by every policy layer',
    statements: [...allows('scp'), ...allows('boundary'), ...grants],
  };
}
