import { ENGINE_PHASES, type EnginePhase, type PolicyKind } from '../engine/kind.js';
import { candidateKinds } from '../engine/kind-index.js';
import type { SuppliedValues } from '../engine/options.js';
import type { ResourceRequest } from '../engine/request.js';
import { type RuleOutcome, type RuleResponse, ruleResponse, unsupportedSkip } from '../engine/response.js';
import {
  checkRuleBody,
  type RuleContext,
  type RuleResolution,
  resolveRule,
  ruleTypesRevision,
} from '../engine/rule-type.js';
import { exceptionSkip, findException, type PolicyException } from '../exceptions/index.js';
import { matchesRule } from '../match/index.js';
import { baseRuleName, type Policy, policyKey, type Rule, SCORED_ANNOTATION } from '../model/types.js';
import type { EvalContext } from '../vars/index.js';
import { isKyvernoPolicyDocument, parseKyvernoPolicy } from './model.js';

function ruleFailureAction(policy: Policy, rule: Rule): 'Audit' | 'Enforce' {
  const fa = rule.validate?.failureAction;
  if (typeof fa === 'string') return fa.toLowerCase() === 'enforce' ? 'Enforce' : 'Audit';
  return policy.validationFailureAction;
}

function response(policy: Policy, rule: Rule, request: ResourceRequest, outcome: RuleOutcome): RuleResponse {
  const action = ruleFailureAction(policy, rule);
  let status = outcome.status;
  if (status === 'fail' && policy.annotations[SCORED_ANNOTATION] === 'false') status = 'warn';
  if (status === 'fail' && action === 'Audit' && request.options.auditWarn) status = 'warn';
  return ruleResponse(policy, rule.name, request.document, request.ref, outcome, status, action);
}

function exceptionFor(
  exceptions: readonly PolicyException[],
  policy: Policy,
  rule: Rule,
  request: ResourceRequest,
  supplied: SuppliedValues | undefined,
): PolicyException | undefined {
  return findException(exceptions, policyKey(policy), rule.name, request.matchContext, () =>
    request.contextFor(supplied),
  );
}

type ResolvedRule = [Rule, RuleResolution];

/** A pass with nothing to report besides its status (see EvaluateOptions.countPass). */
function isPlainPass(outcome: RuleOutcome): boolean {
  return !outcome.properties && !outcome.patchedResource && !outcome.patch && !outcome.generated;
}

/** A policy's rules of one phase: all of them, and those that may match each kind met so far. */
interface PhaseRules {
  all: ResolvedRule[];
  byKind: Map<string, ResolvedRule[]>;
}

const ruleIndex = new WeakMap<Rule[], { revision: number; phases: Map<EnginePhase, PhaseRules> }>();

/**
 * The rules of `phase` that may match a resource of `kind` (every rule of the phase when `kind` is
 * undefined), in policy order, with their resolutions. Worked out once per policy, phase and kind: a
 * policy is evaluated for every resource, and most of its rules (the autogen variants for other
 * controllers) can never match a given kind.
 */
function rulesFor(rules: Rule[], phase: EnginePhase, kind: string | undefined): ResolvedRule[] {
  const revision = ruleTypesRevision();
  let index = ruleIndex.get(rules);
  if (!index || index.revision !== revision) {
    index = { revision, phases: new Map() };
    ruleIndex.set(rules, index);
  }
  let forPhase = index.phases.get(phase);
  if (!forPhase) {
    const all: ResolvedRule[] = [];
    for (const rule of rules) {
      const resolution = resolveRule(rule);
      if (resolution.field && resolution.phase === phase) all.push([rule, resolution]);
    }
    forPhase = { all, byKind: new Map() };
    index.phases.set(phase, forPhase);
  }
  if (kind === undefined) return forPhase.all;
  let list = forPhase.byKind.get(kind);
  if (!list) {
    list = forPhase.all.filter(([rule]) => {
      const kinds = candidateKinds(rule);
      return !kinds || kinds.has(kind);
    });
    forPhase.byKind.set(kind, list);
  }
  return list;
}

/** Kyverno ClusterPolicy and Policy (kyverno.io/v1, v2beta1, v2): rules dispatched to their rule types. */
export const kyvernoPolicyKind: PolicyKind<Policy> = {
  id: 'kyverno',
  recognises: isKyvernoPolicyDocument,
  load: (doc) => parseKyvernoPolicy(doc, checkRuleBody),
  phases: (policy) =>
    ENGINE_PHASES.filter((phase) => rulesFor(policy.computedRules, phase, undefined).length > 0),
  evaluate: evaluateKyvernoPolicy,
};

/**
 * One policy on one resource in one phase, as Kyverno's engine runs it: for each rule of the phase,
 * match/exclude, PolicyExceptions, then the rule type. spec.applyRules: One stops at the first rule
 * that passed or failed.
 */
function evaluateKyvernoPolicy(policy: Policy, request: ResourceRequest, phase: EnginePhase): void {
  if (request.isStopped(policy)) return;
  if (policy.namespace !== undefined && request.ref.namespace !== policy.namespace) return;
  const { options } = request;
  const supplied: SuppliedValues | undefined = options.values?.(policy, request.document);
  // The JSON context is built once per policy and resource, and again after a patch. (No closures
  // here: this runs once per policy and resource, and a captured scope is an allocation each time.)
  let ctx: EvalContext | undefined;
  let ctxRevision = -1;
  const applyOne = policy.applyRules === 'One';
  const countPass = phase === 'validate' ? options.countPass : undefined;
  const skipKindIndex = Boolean(options.subresource || request.subresourceView);
  const rules = rulesFor(policy.computedRules, phase, skipKindIndex ? undefined : request.ref.kind);
  // Indexed, not destructured in a for-of: this loop runs for every policy and resource, and the
  // destructuring iterated each pair (~4 % of the engine's time on the scan bench).
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]![0];
    const resolution = rules[i]![1];
    let matched: boolean;
    try {
      matched = matchesRule(rule, request.matchContext).matched;
    } catch (error) {
      request.addResponse(
        response(policy, rule, request, { status: 'error', message: (error as Error).message }),
      );
      continue;
    }
    if (!matched) continue;
    let podSecurityException: PolicyException | undefined;
    if (options.exceptions?.length) {
      const ex = exceptionFor(options.exceptions, policy, rule, request, supplied);
      // An exception listing podSecurity controls only relaxes those controls (checked by the rule type).
      if (ex && !(ex.podSecurity.length && rule.validate?.podSecurity)) {
        request.addResponse(response(policy, rule, request, exceptionSkip(ex)));
        continue;
      }
      podSecurityException = ex;
    }
    if (resolution.unsupported || !resolution.type) {
      request.addResponse(
        response(policy, rule, request, unsupportedSkip(resolution.unsupported ?? 'not supported yet')),
      );
      continue;
    }
    if (!ctx || ctxRevision !== request.revision) {
      ctx = request.contextFor(supplied);
      ctxRevision = request.revision;
    }
    const c = ctx;
    c.checkpoint();
    let outcome: RuleOutcome | undefined;
    try {
      const ruleValues = supplied?.ruleValues?.[rule.name] ?? supplied?.ruleValues?.[baseRuleName(rule.name)];
      if (ruleValues) for (const [k, v] of Object.entries(ruleValues)) c.set(k, v);
      const ruleContext: RuleContext = {
        policy,
        rule,
        document: request.document,
        resource: request.resource,
        oldResource: request.oldObject,
        operation: request.operation,
        ctx: c,
        sources: ruleValues ? { ...request.sources, values: ruleValues } : request.sources,
        foreachValues: supplied?.foreachValues,
        podSecurityException,
        options,
      };
      for (const feature of resolution.features) {
        outcome = feature.apply(ruleContext);
        if (outcome) break;
      }
      outcome ??= resolution.type.apply(ruleContext);
    } catch (error) {
      outcome = { status: 'error', message: (error as Error).message };
    } finally {
      c.restore();
    }
    if (!outcome) continue;
    // Only the validate phase: mutations' passes may carry patches, and reinvocation reads responses.
    if (countPass && outcome.status === 'pass' && isPlainPass(outcome)) countPass(policy, rule.name);
    else request.addResponse(response(policy, rule, request, outcome));
    if (outcome.patchedResource) request.patch(outcome.patchedResource);
    if (outcome.generated?.length) request.addGenerated(outcome.generated);
    if (applyOne && (outcome.status === 'pass' || outcome.status === 'fail')) {
      request.stop(policy);
      return;
    }
  }
}
