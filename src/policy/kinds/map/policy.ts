/**
 * admissionregistration.k8s.io MutatingAdmissionPolicy (+ binding), v1alpha1 / v1beta1: matchConstraints,
 * bindings with matchResources and params, matchConditions, variables, and mutations — ApplyConfiguration
 * (`Object{...}` merged into the object) and JSONPatch (a list of `JSONPatch{op, path, value}`) — applied in order,
 * each seeing the object as the previous one left it.
 */
import { UserError } from '../../../core/errors.js';
import { type CelProgram, compileCel, fromCel, toCel } from '../../cel/index.js';
import { type AdmissionInput, admissionActivation } from '../admission/activation.js';
import { matchResources } from '../admission/match-resources.js';
import {
  type CompiledValidating,
  compileValidating,
  evaluateMatchConditions,
  withVariables,
} from '../admission/validating.js';
import { loadBinding, type VapBinding } from '../vap/policy.js';
import { applyConfiguration, applyJsonPatch, type JsonPatchOp } from './patch.js';

export interface MutatingAdmissionPolicy {
  name: string;
  matchConstraints?: Record<string, unknown>;
  paramKind?: { apiVersion: string; kind: string };
  compiled: CompiledValidating;
  mutations: { patchType: 'ApplyConfiguration' | 'JSONPatch'; program: CelProgram }[];
  bindings: VapBinding[];
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
  const mutations = (Array.isArray(spec.mutations) ? spec.mutations : []).map(
    (m: Record<string, unknown>, i: number) => {
      const patchType = m.patchType === 'JSONPatch' ? 'JSONPatch' : 'ApplyConfiguration';
      const body = obj(patchType === 'JSONPatch' ? m.jsonPatch : m.applyConfiguration);
      const field = `spec.mutations[${i}].${patchType === 'JSONPatch' ? 'jsonPatch' : 'applyConfiguration'}.expression`;
      return {
        patchType,
        program: compileCel(String(body.expression ?? ''), { policy: label, field, file }),
      } as const;
    },
  );
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
  let current: Record<string, unknown> = structuredClone(input.object);
  const activation = (o: Record<string, unknown>) =>
    withVariables(admissionActivation({ ...input, object: o, params }), policy.compiled.variables);
  const mc = evaluateMatchConditions(policy.compiled, activation(current));
  if (!mc.matched)
    return mc.error
      ? { status: 'error', message: mc.error }
      : { status: 'skip', message: "match conditions aren't met" };
  for (const [i, mutation] of policy.mutations.entries()) {
    const r = mutation.program.evaluate(activation(current));
    if (!r.ok)
      return {
        status: 'error',
        message: `mutation ${i}: expression '${mutation.program.expression}' resulted in error: ${r.error}`,
      };
    const value = fromCel(r.value);
    try {
      if (mutation.patchType === 'JSONPatch') {
        if (!Array.isArray(value))
          return { status: 'error', message: `mutation ${i}: a JSONPatch expression must return a list` };
        current = applyJsonPatch(current, value as JsonPatchOp[]) as Record<string, unknown>;
      } else current = applyConfiguration(current, value) as Record<string, unknown>;
    } catch (e) {
      return { status: 'error', message: `mutation ${i}: ${(e as Error).message}` };
    }
  }
  return { status: 'pass', message: '', patched: current };
}

export { toCel };
