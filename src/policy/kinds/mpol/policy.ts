/**
 * policies.kyverno.io MutatingPolicy and NamespacedMutatingPolicy (v1alpha1, v1beta1, v1): matchConstraints,
 * matchConditions, variables and mutations (ApplyConfiguration, JSONPatch), with the verdicts Kyverno's engine
 * gives (pkg/cel/policies/mpol): `skip` when match conditions aren't met or the mutations leave the object as it
 * was, `error` when an expression fails, otherwise `pass` "success" with the patched object. A policy for Pods
 * also applies to Pod controllers through its autogen variants (admission/autogen.ts), which Kyverno evaluates
 * as the same policy: same name, same (empty) rule, one response per object.
 */
import { isDeepStrictEqual } from 'node:util';
import { type CelProgram, compileCel } from '../../cel/index.js';
import { type AdmissionInput, admissionActivation } from '../admission/activation.js';
import { mutatingAutogenSpecs } from '../admission/autogen.js';
import { kyvernoPolicyHead } from '../admission/kyverno-head.js';
import { matchResources } from '../admission/match-resources.js';
import { type CompiledMutation, compileMutations, runMutations } from '../admission/mutating.js';
import { loadReinvocationPolicy, type ReinvocationPolicy } from '../admission/reinvocation.js';
import {
  type CompiledValidating,
  compileValidating,
  evaluateMatchConditions,
  withVariables,
} from '../admission/validating.js';

export const MPOL_KINDS = new Set(['MutatingPolicy', 'NamespacedMutatingPolicy']);

/** The policy as written, or one of its autogen variants for Pod controllers. */
export interface MutatingVariant {
  /** `undefined` for the policy as written; `defaults` or `cronjobs` for an autogen variant. */
  autogen?: string;
  matchConstraints?: Record<string, unknown>;
  compiled: CompiledValidating;
  mutations: CompiledMutation[];
}

/**
 * `spec.evaluation.mutateExisting.enabled: true`: the policy mutates existing resources (targets) when a
 * resource it matches (the trigger) arrives, instead of the trigger itself (evaluated in existing.ts).
 */
export interface MutateExistingSpec {
  /**
   * targetMatchConstraints when it names resources (resourceRules), operations widened to `*` (targets are
   * listed, not admitted); otherwise targets are selected by matchConstraints.
   */
  targetConstraints?: Record<string, unknown>;
  /** targetMatchConstraints.expression: evaluated on the trigger, a resource or a list (`items`) of them. */
  targetExpression?: CelProgram;
  /** targetMatchConditions (with the policy's variables): evaluated on each target when a target is explicit. */
  targetConditions: CompiledValidating;
}

export interface MutatingPolicy {
  kind: string;
  name: string;
  namespace?: string;
  /** The policy as written first, then its autogen variants (each matches only its controllers). */
  variants: MutatingVariant[];
  mutateExisting?: MutateExistingSpec;
  /** `IfNeeded`: run once more when a later policy changes the object (engine/reinvocation.ts). */
  reinvocationPolicy: ReinvocationPolicy;
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function isMpolDocument(content: Record<string, unknown>): boolean {
  return (
    String(content.apiVersion ?? '').startsWith('policies.kyverno.io/') &&
    MPOL_KINDS.has(String(content.kind))
  );
}

export function loadMpol(content: Record<string, unknown>, file?: string): MutatingPolicy {
  const { kind, name, meta, spec, label, compile } = kyvernoPolicyHead(content, file);
  const variants: MutatingVariant[] = [
    {
      matchConstraints: spec.matchConstraints ? obj(spec.matchConstraints) : undefined,
      compiled: compile(spec, 'spec'),
      mutations: compileMutations(spec, label, file),
    },
  ];
  const controllers = obj(obj(spec.autogen).podControllers).controllers;
  for (const a of mutatingAutogenSpecs(
    spec,
    Array.isArray(controllers) ? controllers.map(String) : undefined,
  )) {
    // Compiled on first use: a policy that only ever sees Pods pays for one compilation.
    let compiled: CompiledValidating | undefined;
    let mutations: CompiledMutation[] | undefined;
    variants.push({
      autogen: a.name,
      matchConstraints: obj(a.spec.matchConstraints),
      get compiled() {
        compiled ??= compile(a.spec, `spec (autogen ${a.name})`);
        return compiled;
      },
      get mutations() {
        mutations ??= compileMutations(a.spec, `${label} (autogen ${a.name})`, file);
        return mutations;
      },
    });
  }
  return {
    kind,
    name,
    namespace: kind === 'NamespacedMutatingPolicy' ? String(meta.namespace ?? 'default') : undefined,
    variants,
    reinvocationPolicy: loadReinvocationPolicy(spec, label, file),
    ...(mutateExistingEnabled(spec) ? { mutateExisting: loadMutateExisting(spec, label, file) } : {}),
  };
}

/** `evaluation.mutateExisting.enabled` (the object form; a bare boolean, as early docs wrote it, too). */
function mutateExistingEnabled(spec: Record<string, unknown>): boolean {
  const me = obj(spec.evaluation).mutateExisting;
  return me === true || obj(me).enabled === true;
}

function loadMutateExisting(spec: Record<string, unknown>, label: string, file?: string): MutateExistingSpec {
  const tmc = obj(spec.targetMatchConstraints);
  const rules = Array.isArray(tmc.resourceRules) ? tmc.resourceRules : [];
  const { expression, ...constraints } = tmc;
  return {
    targetConstraints: rules.length > 0 ? withAnyOperation(constraints) : undefined,
    targetExpression:
      typeof expression === 'string' && expression !== ''
        ? compileCel(expression, { policy: label, field: 'spec.targetMatchConstraints.expression', file })
        : undefined,
    targetConditions: compileValidating(spec, spec.targetMatchConditions, spec.failurePolicy, {
      policy: label,
      file,
      matchConditionsField: 'targetMatchConditions',
      bodyAt: 'spec',
      validationsField: 'validations',
    }),
  };
}

export type MpolOutcome =
  /** `unchanged`: the mutations ran and left the object as it was (they did run: an IfNeeded policy may be reinvoked). */
  | { status: 'skip'; message: string; unchanged?: true }
  | { status: 'error'; message: string }
  | { status: 'pass'; message: string; patched: Record<string, unknown> };

export interface MpolInput extends AdmissionInput {
  object: Record<string, unknown>;
  namespaceLabels?: Record<string, string>;
  /** The activation for this object when the caller built it already (shared by every policy). */
  activation?: Record<string, unknown>;
  /** The `request` to bind instead of one built for the object (a mutate-existing target sees the trigger's). */
  request?: unknown;
}

/**
 * The variant (the policy as written, or an autogen one) whose matchConstraints select the object under
 * review; `undefined` when none does or a namespaced policy is about another namespace.
 */
export function selectVariant(policy: MutatingPolicy, input: MpolInput): MutatingVariant | undefined {
  const objNs = String(obj(input.object.metadata).namespace ?? '');
  if (policy.namespace !== undefined && objNs !== policy.namespace) return undefined;
  const m = {
    object: input.object,
    operation: input.operation ?? 'CREATE',
    namespaceLabels: input.namespaceLabels,
  };
  return policy.variants.find((v) => matchResources(v.matchConstraints, m));
}

/** `undefined` when matchConstraints does not select the object (no response, as Kyverno). */
export function evaluateMpol(policy: MutatingPolicy, input: MpolInput): MpolOutcome | undefined {
  const variant = selectVariant(policy, input);
  return variant && evaluateVariant(variant, input);
}

/** The constraints with every rule's operations widened to `*`: an existing resource is listed, not admitted. */
export function withAnyOperation(constraints: Record<string, unknown>): Record<string, unknown> {
  const rules = Array.isArray(constraints.resourceRules) ? constraints.resourceRules : [];
  return { ...constraints, resourceRules: rules.map((r) => ({ ...obj(r), operations: ['*'] })) };
}

/**
 * Match conditions (`conditions`: the variant's matchConditions, or a mutate-existing policy's
 * targetMatchConditions), then the mutations in order, on an object the variant already selected.
 */
export function evaluateVariant(
  policy: MutatingVariant,
  input: MpolInput,
  conditions: CompiledValidating = policy.compiled,
): MpolOutcome {
  const activation = (o: Record<string, unknown>) => {
    if (o === input.object && input.activation) return withVariables(input.activation, conditions.variables);
    const a = admissionActivation({ ...input, object: o });
    if (input.request !== undefined) a.request = input.request;
    return withVariables(a, conditions.variables);
  };
  const mc = evaluateMatchConditions(conditions, activation(input.object));
  if (!mc.matched)
    return mc.error ? { status: 'error', message: mc.error } : { status: 'skip', message: 'skip' };
  const r = runMutations(policy.mutations, input.object, activation);
  if (!r.ok) return { status: 'error', message: `failed to evaluate policy: ${r.message}` };
  if (isDeepStrictEqual(r.patched, input.object)) return { status: 'skip', message: 'skip', unchanged: true };
  return { status: 'pass', message: 'success', patched: r.patched };
}
