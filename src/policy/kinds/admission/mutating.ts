/**
 * The mutating core MutatingAdmissionPolicy and Kyverno's MutatingPolicy share: mutations compiled once
 * (ApplyConfiguration `Object{...}` or a JSONPatch list), applied in order, each seeing the object as the
 * previous one left it (Kubernetes' admission/plugin/policy/mutating semantics).
 */
import { type CelProgram, compileCel, fromCel } from '../../cel/index.js';
import { applyConfiguration, applyJsonPatch, type JsonPatchOp } from '../map/patch.js';

export interface CompiledMutation {
  patchType: 'ApplyConfiguration' | 'JSONPatch';
  program: CelProgram;
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** `spec.mutations`, each expression compiled with its field path for load-time errors. */
export function compileMutations(
  spec: Record<string, unknown>,
  policy: string,
  file?: string,
): CompiledMutation[] {
  return (Array.isArray(spec.mutations) ? spec.mutations : []).map((m: unknown, i: number) => {
    const mutation = obj(m);
    const patchType = mutation.patchType === 'JSONPatch' ? 'JSONPatch' : 'ApplyConfiguration';
    const at = patchType === 'JSONPatch' ? 'jsonPatch' : 'applyConfiguration';
    return {
      patchType,
      program: compileCel(String(obj(mutation[at]).expression ?? ''), {
        policy,
        field: `spec.mutations[${i}].${at}.expression`,
        file,
      }),
    } as const;
  });
}

export type MutationsOutcome =
  | { ok: true; patched: Record<string, unknown> }
  | { ok: false; message: string };

/** Applies the mutations in order to a copy of `object`; `activation(o)` binds the current object. */
export function runMutations(
  mutations: readonly CompiledMutation[],
  object: Record<string, unknown>,
  activation: (current: Record<string, unknown>) => Record<string, unknown>,
): MutationsOutcome {
  let current: Record<string, unknown> = structuredClone(object);
  for (const [i, mutation] of mutations.entries()) {
    const r = mutation.program.evaluate(activation(current));
    if (!r.ok)
      return {
        ok: false,
        message: `mutation ${i}: expression '${mutation.program.expression}' resulted in error: ${r.error}`,
      };
    const value = fromCel(r.value);
    try {
      if (mutation.patchType === 'JSONPatch') {
        if (!Array.isArray(value))
          return { ok: false, message: `mutation ${i}: a JSONPatch expression must return a list` };
        current = applyJsonPatch(current, value as JsonPatchOp[]) as Record<string, unknown>;
      } else current = applyConfiguration(current, value) as Record<string, unknown>;
    } catch (e) {
      return { ok: false, message: `mutation ${i}: ${(e as Error).message}` };
    }
  }
  return { ok: true, patched: current };
}
