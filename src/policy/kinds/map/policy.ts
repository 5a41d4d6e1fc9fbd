/**
 * admissionregistration.k8s.io MutatingAdmissionPolicy (+ binding), v1alpha1 / v1beta1: matchConstraints,
 * bindings with matchResources and params, matchConditions, variables, and mutations — ApplyConfiguration
 * (`Object{...}` merged into the object) and JSONPatch (a list of `JSONPatch{op, path, value}`) — applied in order,
 * each seeing the object as the previous one left it.
 */
import { UserError } from '../../../core/errors.js';
import { toCel } from '../../cel/index.js';
import { type AdmissionInput, admissionActivation } from '../admission/activation.js';
import { matchResources } from '../admission/match-resources.js';
import { type CompiledMutation, compileMutations, runMutations } from '../admission/mutating.js';
import { loadReinvocationPolicy, type ReinvocationPolicy } from '../admission/reinvocation.js';
import {
  type CompiledValidating,
  compileValidating,
  evaluateMatchConditions,
  withVariables,
} from '../admission/validating.js';
import { loadBinding, type VapBinding } from '../vap/policy.js';

export interface MutatingAdmissionPolicy {
  name: string;
  matchConstraints?: Record<string, unknown>;
  paramKind?: { apiVersion: string; kind: string };
  compiled: CompiledValidating;
  mutations: CompiledMutation[];
  bindings: VapBinding[];
  /** `IfNeeded`: run once more when a later policy changes the object (engine/reinvocation.ts). */
  reinvocationPolicy: ReinvocationPolicy;
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function isMapDocument(content: Record<string, unknown>): boolean {
  return (
    String(content.apiVersion ?? '').startsWith('admissionregistration.k8s.io/') &&
    (content.kind === 'MutatingAdmissionPolicy' || content.kind === 'MutatingAdmissionPolicyBinding')
  );
}

export function loadMap(content: Record<string, unknown>, file?: string): MutatingAdmissionPolicy {
  const name = String(obj(content.metadata).name ?? '');
  if (!name)
    throw new UserError(
      'MutatingAdmissionPolicy: metadata.name is required',
      file ? { position: { file } } : {},
    );
  const spec = obj(content.spec);
  const label = `MutatingAdmissionPolicy/${name}`;
  const mutations = compileMutations(spec, label, file);
  const paramKind = obj(spec.paramKind);
  return {
    name,
    matchConstraints: spec.matchConstraints ? obj(spec.matchConstraints) : undefined,
    paramKind: paramKind.kind
      ? { apiVersion: String(paramKind.apiVersion ?? ''), kind: String(paramKind.kind) }
      : undefined,
    compiled: compileValidating(spec, spec.matchConditions, spec.failurePolicy, {
      policy: label,
      file,
      bodyAt: 'spec',
      validationsField: 'validations',
    }),
    mutations,
    bindings: [],
    reinvocationPolicy: loadReinvocationPolicy(spec, label, file),
  };
}

export { loadBinding };

export type MutationOutcome =
  | { status: 'skip'; message: string }
  | { status: 'error'; message: string }
  | { status: 'pass'; message: string; patched: Record<string, unknown> };

export interface MapInput extends AdmissionInput {
  object: Record<string, unknown>;
  namespaceLabels?: Record<string, string>;
  resources: readonly Record<string, unknown>[];
}

function paramsFor(
  policy: MutatingAdmissionPolicy,
  binding: VapBinding | undefined,
  input: MapInput,
): unknown {
  if (!policy.paramKind || !binding?.paramRef?.name) return null;
  return (
    input.resources.find(
      (r) =>
        r.kind === policy.paramKind?.kind &&
        r.apiVersion === policy.paramKind?.apiVersion &&
        obj(r.metadata).name === binding.paramRef?.name,
    ) ?? null
  );
}

/** `undefined`: not selected (no response). */
export function evaluateMap(policy: MutatingAdmissionPolicy, input: MapInput): MutationOutcome | undefined {
  const m = {
    object: input.object,
    operation: input.operation ?? 'CREATE',
    namespaceLabels: input.namespaceLabels,
  };
  if (!matchResources(policy.matchConstraints, m)) return undefined;
  const binding = policy.bindings.find((b) => !b.matchResources || matchResources(b.matchResources, m));
  if (policy.bindings.length > 0 && !binding) return undefined;
  const params = paramsFor(policy, binding, input);
  const current = input.object;
  const activation = (o: Record<string, unknown>) =>
    withVariables(admissionActivation({ ...input, object: o, params }), policy.compiled.variables);
  const mc = evaluateMatchConditions(policy.compiled, activation(current));
  if (!mc.matched)
    return mc.error
      ? { status: 'error', message: mc.error }
      : { status: 'skip', message: "match conditions aren't met" };
  const r = runMutations(policy.mutations, current, activation);
  if (!r.ok) return { status: 'error', message: r.message };
  return { status: 'pass', message: '', patched: r.patched };
}

export { toCel };
