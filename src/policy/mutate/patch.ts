/**
 * One patch step as Kyverno's patcher runs it (pkg/engine/mutate/mutation.go NewPatcher): a
 * `patchStrategicMerge` (anchors resolved against the resource first) takes precedence over
 * `patchesJson6902`. Pure: returns the patched copy, or the input itself when nothing changed.
 */
import { prepareStrategicPatch } from './anchors.js';
import { applyJsonPatch, JsonPatchError, parseJsonPatch } from './jsonpatch.js';
import { StrategicMergeError, strategicMerge } from './strategic-merge.js';

export type Resource = Record<string, unknown>;

export interface PatchSpec {
  patchStrategicMerge?: unknown;
  patchesJson6902?: unknown;
}

export interface PatchResult {
  resource: Resource;
  changed: boolean;
}

export class PatchError extends Error {}

export function hasPatch(spec: PatchSpec): boolean {
  return (
    (spec.patchStrategicMerge !== undefined && spec.patchStrategicMerge !== null) ||
    (spec.patchesJson6902 !== undefined && spec.patchesJson6902 !== null && spec.patchesJson6902 !== '')
  );
}

/** Applies the spec's patch; throws PatchError with the cause (and, for JSON patches, the path). */
export function applyPatchSpec(resource: Resource, spec: PatchSpec): PatchResult {
  let patched: unknown;
  try {
    if (spec.patchStrategicMerge !== undefined && spec.patchStrategicMerge !== null) {
      const prepared = prepareStrategicPatch(spec.patchStrategicMerge, resource);
      patched = strategicMerge(resource, prepared.patch);
    } else {
      patched = applyJsonPatch(resource, parseJsonPatch(spec.patchesJson6902));
    }
  } catch (error) {
    if (error instanceof JsonPatchError || error instanceof StrategicMergeError)
      throw new PatchError(error.message);
    throw error;
  }
  if (typeof patched !== 'object' || patched === null || Array.isArray(patched)) {
    throw new PatchError('the patch did not produce an object');
  }
  const changed = !sameJson(patched, resource);
  return { resource: changed ? (patched as Resource) : resource, changed };
}

/** Deep JSON equality that stops at shared references: patches share every untouched subtree. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    const x = (a as Record<string, unknown>)[k];
    const y = (b as Record<string, unknown>)[k];
    if (!Object.hasOwn(b, k) || !sameJson(x, y)) return false;
  }
  return true;
}
