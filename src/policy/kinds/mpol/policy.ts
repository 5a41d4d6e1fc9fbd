/**
 * policies.kyverno.io MutatingPolicy and NamespacedMutatingPolicy (v1alpha1, v1beta1, v1): matchConstraints,
 * matchConditions, variables and mutations (ApplyConfiguration, JSONPatch), with the verdicts Kyverno's engine
 * gives (pkg/cel/policies/mpol): `skip` when match conditions aren't met or the mutations leave the object as it
 * was, `error` when an expression fails, otherwise `pass` "success" with the patched object.
 */
import { isDeepStrictEqual } from 'node:util';
import { UserError } from '../../../core/errors.js';
import { type AdmissionInput, admissionActivation } from '../admission/activation.js';
import { matchResources } from '../admission/match-resources.js';
import { type CompiledMutation, compileMutations, runMutations } from '../admission/mutating.js';
import {
  type CompiledValidating,
  compileValidating,
  evaluateMatchConditions,
  withVariables,
} from '../admission/validating.js';

export const MPOL_KINDS = new Set(['MutatingPolicy', 'NamespacedMutatingPolicy']);

export interface MutatingPolicy {
  kind: string;
  name: string;
  namespace?: string;
  matchConstraints?: Record<string, unknown>;
  compiled: CompiledValidating;
  mutations: CompiledMutation[];
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
  const kind = String(content.kind);
  const meta = obj(content.metadata);
  const name = String(meta.name ?? '');
  if (!name) throw new UserError(`${kind}: metadata.name is required`, file ? { position: { file } } : {});
  const spec = obj(content.spec);
  const label = `${kind}/${name}`;
  return {
    kind,
    name,
    namespace: kind === 'NamespacedMutatingPolicy' ? String(meta.namespace ?? 'default') : undefined,
    matchConstraints: spec.matchConstraints ? obj(spec.matchConstraints) : undefined,
    compiled: compileValidating(spec, spec.matchConditions, spec.failurePolicy, {
      policy: label,
      file,
      bodyAt: 'spec',
      validationsField: 'validations',
    }),
    mutations: compileMutations(spec, label, file),
  };
}

export type MpolOutcome =
  | { status: 'skip'; message: string }
  | { status: 'error'; message: string }
  | { status: 'pass'; message: string; patched: Record<string, unknown> };

export interface MpolInput extends AdmissionInput {
  object: Record<string, unknown>;
  namespaceLabels?: Record<string, string>;
  /** The activation for this object when the caller built it already (shared by every policy). */
  activation?: Record<string, unknown>;
}

/** `undefined` when matchConstraints does not select the object (no response, as Kyverno). */
export function evaluateMpol(policy: MutatingPolicy, input: MpolInput): MpolOutcome | undefined {
  const objNs = String(obj(input.object.metadata).namespace ?? '');
  if (policy.namespace !== undefined && objNs !== policy.namespace) return undefined;
  const m = {
    object: input.object,
    operation: input.operation ?? 'CREATE',
    namespaceLabels: input.namespaceLabels,
  };
  if (!matchResources(policy.matchConstraints, m)) return undefined;
  const activation = (o: Record<string, unknown>) =>
    withVariables(
      o === input.object && input.activation
        ? input.activation
        : admissionActivation({ ...input, object: o }),
      policy.compiled.variables,
    );
  const mc = evaluateMatchConditions(policy.compiled, activation(input.object));
  if (!mc.matched)
    return mc.error ? { status: 'error', message: mc.error } : { status: 'skip', message: 'skip' };
  const r = runMutations(policy.mutations, input.object, activation);
  if (!r.ok) return { status: 'error', message: `failed to evaluate policy: ${r.message}` };
  if (isDeepStrictEqual(r.patched, input.object)) return { status: 'skip', message: 'skip' };
  return { status: 'pass', message: 'success', patched: r.patched };
}
