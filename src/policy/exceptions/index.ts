import type { Document } from '../../core/document.js';
import { isObject } from '../../core/document.js';
import { UserError } from '../../core/errors.js';
import { evaluateConditions } from '../conditions/index.js';
import { type MatchContext, matchesRule } from '../match/index.js';
import { wildcardMatch } from '../pattern/wildcard.js';
import type { PodSecurityExclude } from '../podsecurity/index.js';
import { type EvalContext, substituteVariables } from '../vars/index.js';
import { type CelExceptionSpec, isCelPolicyExceptionDocument, parseCelExceptionSpec } from './cel.js';

/** A Kyverno PolicyException (kyverno.io/v2, v2beta1, v2alpha1). */
export interface PolicyException {
  /** `namespace/name`, as Kyverno names it in messages. */
  key: string;
  exceptions: { policyName: string; ruleNames: string[] }[];
  match: Record<string, unknown>;
  conditions?: unknown;
  podSecurity: PodSecurityExclude[];
  /** A policies.kyverno.io exception for the CEL policy kinds (then `exceptions` is empty). */
  cel?: CelExceptionSpec;
}

const EXCEPTION_VERSIONS = new Set(['kyverno.io/v2', 'kyverno.io/v2beta1', 'kyverno.io/v2alpha1']);
const SPEC_FIELDS = new Set([
  'background',
  'match',
  'exceptions',
  'conditions',
  'preconditions',
  'podSecurity',
]);

export function isPolicyExceptionDocument(content: unknown): boolean {
  return (
    isObject(content) &&
    content.kind === 'PolicyException' &&
    (EXCEPTION_VERSIONS.has(String(content.apiVersion)) || isCelPolicyExceptionDocument(content))
  );
}

/** Parses and checks a PolicyException, naming the offending field. */
export function parsePolicyException(doc: Pick<Document, 'content' | 'origin'>): PolicyException {
  const c = doc.content as Record<string, any>;
  const meta = isObject(c.metadata) ? c.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const fail = (msg: string) =>
    new UserError(`invalid PolicyException "${name}": ${msg}`, { position: doc.origin });
  if (!name) throw fail('metadata.name: required');
  if (isCelPolicyExceptionDocument(c)) {
    const namespace = typeof meta.namespace === 'string' ? meta.namespace : '';
    return {
      key: namespace ? `${namespace}/${name}` : name,
      exceptions: [],
      match: {},
      podSecurity: [],
      cel: parseCelExceptionSpec(doc, name),
    };
  }
  const spec = c.spec;
  if (!isObject(spec)) throw fail('spec: required');
  for (const key of Object.keys(spec)) if (!SPEC_FIELDS.has(key)) throw fail(`spec.${key}: unknown field`);
  if (!Array.isArray(spec.exceptions) || spec.exceptions.length === 0)
    throw fail('spec.exceptions: at least one entry is required');
  const exceptions = spec.exceptions.map((e: unknown, i: number) => {
    if (!isObject(e) || typeof e.policyName !== 'string' || !e.policyName)
      throw fail(`spec.exceptions[${i}].policyName: required`);
    const ruleNames = Array.isArray(e.ruleNames) ? e.ruleNames.map(String) : [];
    return { policyName: e.policyName, ruleNames };
  });
  if (!isObject(spec.match)) throw fail('spec.match: required');
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : '';
  return {
    key: namespace ? `${namespace}/${name}` : name,
    exceptions,
    match: spec.match,
    conditions: spec.conditions ?? spec.preconditions,
    podSecurity: Array.isArray(spec.podSecurity) ? (spec.podSecurity as PodSecurityExclude[]) : [],
  };
}

/** Kyverno's Exception.Contains: the policy by name (`ns/name` for a Policy), rule names as wildcards. */
function covers(ex: PolicyException, policyKey: string, ruleName: string): boolean {
  return ex.exceptions.some(
    (e) => e.policyName === policyKey && e.ruleNames.some((r) => wildcardMatch(r, ruleName)),
  );
}

/**
 * The first exception that covers this policy rule, matches the resource and whose conditions hold,
 * as Kyverno's engine looks them up after a rule matched.
 */
export function findException(
  exceptions: readonly PolicyException[],
  policyKey: string,
  ruleName: string,
  matchCtx: MatchContext,
  ctx: () => EvalContext,
): PolicyException | undefined {
  for (const ex of exceptions) {
    if (!covers(ex, policyKey, ruleName)) continue;
    if (!matchesRule({ match: ex.match }, matchCtx).matched) continue;
    if (ex.conditions !== undefined && ex.conditions !== null) {
      const c = ctx();
      let passed = false;
      try {
        passed = evaluateConditions(ex.conditions, (v) => substituteVariables(v, c)).passed;
      } catch {
        passed = false;
      }
      if (!passed) continue;
    }
    return ex;
  }
  return undefined;
}

/** Kyverno's response for a rule an exception covers; `properties.exceptions` as in its PolicyReports. */
export function exceptionSkip(ex: PolicyException): {
  status: 'skip';
  message: string;
  properties: Record<string, string>;
} {
  return {
    status: 'skip',
    message: `rule skipped due to policy exception ${ex.key}`,
    properties: { exceptions: ex.key },
  };
}
