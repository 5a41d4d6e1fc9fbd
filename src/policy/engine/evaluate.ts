import '../builtins.js';
import type { Document } from '../../core/document.js';
import { isObject } from '../../core/document.js';
import type { LoadedPolicy } from '../model/types.js';
import { ENGINE_PHASES, type EnginePhase, type PolicyKind, policyKindOf } from './kind.js';
import type { EvaluateOptions } from './options.js';
import { mutateWithReinvocation } from './reinvocation.js';
import { contextSources, ResourceRequest } from './request.js';
import { type EvaluationResponse, type RuleResponse, unsupportedPolicyResponse } from './response.js';

export { baseRuleName } from '../model/types.js';
export type { EvaluateOptions, Operation, SuppliedValues } from './options.js';
export type { EngineResponse, EvaluationResponse, RuleResponse } from './response.js';
export { resultsOf } from './response.js';

interface Scheduled {
  policy: LoadedPolicy;
  kind: PolicyKind;
  prepared: unknown;
}

/**
 * Applies policies to documents: pure and synchronous. For each resource, every policy runs phase by
 * phase (mutations first, then validations, then generations) through its registered policy kind; the
 * response holds each rule response, the patched resource and generated objects. Policies of kinds the
 * engine cannot run give one skip each (unless `reportUnsupportedPolicies` is false).
 */
export function evaluateResources(
  policies: readonly LoadedPolicy[],
  documents: readonly Document[],
  options: EvaluateOptions = {},
): EvaluationResponse {
  return run(policies, documents, options);
}

/** With `flat`, every rule response goes to that one list (evaluate's result) instead of per resource. */
function run(
  policies: readonly LoadedPolicy[],
  documents: readonly Document[],
  options: EvaluateOptions,
  flat?: RuleResponse[],
): EvaluationResponse {
  const out: EvaluationResponse = { policyResponses: flat ?? [], resources: [] };
  const runnable: { policy: LoadedPolicy; kind: PolicyKind }[] = [];
  for (const policy of policies) {
    if (policy.unsupported) {
      if (options.reportUnsupportedPolicies !== false)
        out.policyResponses.push(unsupportedPolicyResponse(policy));
      continue;
    }
    const kind = policyKindOf(policy);
    if (!kind) {
      if (options.reportUnsupportedPolicies !== false)
        out.policyResponses.push(
          unsupportedPolicyResponse({
            ...policy,
            unsupported: `${policy.kind} policies are not supported yet`,
          }),
        );
      continue;
    }
    runnable.push({ policy, kind });
  }
  // Each kind prepares once per run (params, compiled expressions), with every object the run knows.
  const prepared = new Map<PolicyKind, unknown>();
  for (const { kind } of runnable) {
    if (prepared.has(kind)) continue;
    if (!kind.prepare) {
      prepared.set(kind, undefined);
      continue;
    }
    const own = runnable.filter((r) => r.kind === kind).map((r) => r.policy);
    const resourceSet = options.resourceSet ? [...documents, ...options.resourceSet] : documents;
    prepared.set(kind, kind.prepare(own, resourceSet, options));
  }
  const byPhase = new Map<EnginePhase, Scheduled[]>(ENGINE_PHASES.map((p) => [p, []]));
  for (const { policy, kind } of runnable) {
    for (const phase of kind.phases(policy)) {
      byPhase.get(phase)!.push({ policy, kind, prepared: prepared.get(kind) });
    }
  }
  const phases = [...byPhase].filter(([, list]) => list.length > 0);
  const sources = contextSources(options);
  const timer = options.policyTimer;
  for (const doc of documents) {
    if (!isObject(doc.content)) continue;
    const request = new ResourceRequest(doc, options, sources, flat);
    // One clock read per policy: each one's time runs from the previous one's end.
    let last = timer ? performance.now() : 0;
    for (const [phase, scheduled] of phases) {
      const step = (s: Scheduled) => {
        if (!s.kind.matches || s.kind.matches(s.policy, request, s.prepared))
          s.kind.evaluate(s.policy, request, phase, s.prepared);
        if (timer) {
          const now = performance.now();
          timer(s.policy, (now - last) / 1000);
          last = now;
        }
      };
      // Mutations may reinvoke `IfNeeded` policies once, before anything validates the object.
      if (phase === 'mutate') mutateWithReinvocation(scheduled, request, step);
      else for (const s of scheduled) step(s);
    }
    if (!flat) out.resources.push(request.response());
  }
  return out;
}

/**
 * The flat form of `evaluateResources`: one result per (policy, rule, resource) for every rule that
 * matched, as Kyverno's engine responds; unsupported rule types give `skip` results.
 */
export function evaluate(
  policies: readonly LoadedPolicy[],
  documents: readonly Document[],
  options: EvaluateOptions = {},
): RuleResponse[] {
  const flat: RuleResponse[] = [];
  run(policies, documents, options, flat);
  return flat;
}
