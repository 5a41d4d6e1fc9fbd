/**
 * MutatingPolicy mutate-existing (`spec.evaluation.mutateExisting.enabled: true`), offline: a resource the
 * policy matches (matchConstraints and matchConditions, as Kyverno decides whether to queue the background
 * mutation) is the trigger; the existing resources the run knows are the candidate targets. Targets are the
 * candidates that `targetMatchConstraints` selects (its resourceRules, any operation; or its CEL `expression`,
 * evaluated on the trigger, naming targets by namespace/name as Kyverno's CLI does), or, without
 * targetMatchConstraints, those matchConstraints selects. Each target is `object` (the trigger's admission
 * request stays `request`), passes `targetMatchConditions` when a target is explicit (its own matchConditions
 * otherwise), and is patched by the mutations. As for ClusterPolicy `mutate.targets`, the trigger gets one
 * response carrying the patched targets.
 */
import { fromCel } from '../../cel/index.js';
import { admissionActivation } from '../admission/activation.js';
import { matchResources } from '../admission/match-resources.js';
import { evaluateMatchConditions, withVariables } from '../admission/validating.js';
import {
  evaluateVariant,
  type MpolInput,
  type MutatingPolicy,
  type MutatingVariant,
  selectVariant,
  withAnyOperation,
} from './policy.js';

export type ExistingOutcome =
  | { status: 'skip'; message: string }
  | { status: 'error'; message: string }
  | { status: 'pass'; message: string; patchedTargets: Record<string, unknown>[] };

export interface ExistingInput extends MpolInput {
  /** The activation of the trigger (its `request` is what every target sees). */
  activation: Record<string, unknown>;
  /** The existing resources the run knows (test: every resource given; apply: lookups and --inventory). */
  candidates: readonly Record<string, unknown>[];
  /** Labels of a namespace by name (a target's namespaceSelector). */
  labelsOfNamespace?: (namespace: string) => Record<string, string> | undefined;
  /** Whether a policies.kyverno.io PolicyException exempts the policy for a target (its activation). */
  exempt?: (activation: Record<string, unknown>) => { status: 'skip'; message: string } | undefined;
}

function meta(o: Record<string, unknown>): Record<string, unknown> {
  const m = o.metadata;
  return m && typeof m === 'object' && !Array.isArray(m) ? (m as Record<string, unknown>) : {};
}

/** `namespace/name`, or `name` for a cluster-scoped object: how Kyverno's CLI keys expression targets. */
function targetKey(o: Record<string, unknown>): string {
  const ns = String(meta(o).namespace ?? '');
  const name = String(meta(o).name ?? '');
  return ns ? `${ns}/${name}` : name;
}

/** The keys an expression's value names: a resource, or a list of them under `items` (resource.List's shape). */
function expressionTargets(value: unknown): Set<string> {
  const keys = new Set<string>();
  if (!value || typeof value !== 'object' || Array.isArray(value)) return keys;
  const v = value as Record<string, unknown>;
  const items = Array.isArray(v.items) ? v.items : [v];
  for (const item of items)
    if (item && typeof item === 'object' && !Array.isArray(item))
      keys.add(targetKey(item as Record<string, unknown>));
  return keys;
}

/** `undefined` when the object is not a trigger of the policy (no response, as Kyverno queues nothing). */
export function evaluateMpolExisting(
  policy: MutatingPolicy,
  input: ExistingInput,
): ExistingOutcome | undefined {
  const existing = policy.mutateExisting;
  if (!existing) return undefined;
  const trigger = selectVariant(policy, input);
  if (!trigger) return undefined;
  const triggerActivation = withVariables(input.activation, trigger.compiled.variables);
  const mc = evaluateMatchConditions(trigger.compiled, triggerActivation);
  if (!mc.matched) return mc.error ? { status: 'error', message: mc.error } : undefined;

  // The targets, in the order the run knows them.
  const explicit = existing.targetConstraints !== undefined || existing.targetExpression !== undefined;
  let named: Set<string> | undefined;
  if (existing.targetExpression) {
    const r = existing.targetExpression.evaluate(triggerActivation);
    if (!r.ok)
      return {
        status: 'error',
        message: `failed to evaluate target expression '${existing.targetExpression.expression}': ${r.error}`,
      };
    named = expressionTargets(fromCel(r.value));
  }
  const targets: { target: Record<string, unknown>; variant: MutatingVariant }[] = [];
  for (const candidate of input.candidates) {
    const ns = String(meta(candidate).namespace ?? '');
    // A NamespacedMutatingPolicy lists targets in its own namespace only.
    if (policy.namespace !== undefined && ns !== policy.namespace) continue;
    if (named) {
      if (named.has(targetKey(candidate))) targets.push({ target: candidate, variant: policy.variants[0]! });
      continue;
    }
    const tm = {
      object: candidate,
      operation: '*',
      namespaceLabels: ns ? input.labelsOfNamespace?.(ns) : undefined,
    };
    if (existing.targetConstraints) {
      if (matchResources(existing.targetConstraints, tm))
        targets.push({ target: candidate, variant: policy.variants[0]! });
      continue;
    }
    // No explicit target: what matchConstraints (or an autogen variant) selects, whatever the operation.
    const variant = policy.variants.find((v) => matchResources(anyOperation(v.matchConstraints), tm));
    if (variant) targets.push({ target: candidate, variant });
  }

  const request = input.activation.request;
  const patchedTargets: Record<string, unknown>[] = [];
  let skipped: { status: 'skip'; message: string } | undefined;
  for (const { target, variant } of targets) {
    const targetInput: MpolInput = {
      ...input,
      object: target,
      oldObject: null,
      namespaceObject: null,
      activation: undefined,
      request,
    };
    const exempt = input.exempt?.({ ...admissionActivation(targetInput), request });
    if (exempt) {
      skipped ??= exempt;
      continue;
    }
    const outcome = evaluateVariant(
      variant,
      targetInput,
      explicit ? existing.targetConditions : variant.compiled,
    );
    if (outcome.status === 'error') return outcome;
    if (outcome.status === 'pass') patchedTargets.push(outcome.patched);
    else skipped ??= outcome;
  }
  if (patchedTargets.length > 0) return { status: 'pass', message: 'success', patchedTargets };
  return skipped;
}

const constraintsCache = new WeakMap<object, Record<string, unknown>>();

/** withAnyOperation, once per constraints object (it is asked for every candidate). */
function anyOperation(constraints: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!constraints) return undefined;
  let hit = constraintsCache.get(constraints);
  if (!hit) {
    hit = withAnyOperation(constraints);
    constraintsCache.set(constraints, hit);
  }
  return hit;
}
