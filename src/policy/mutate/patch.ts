/**
 * One patch step as Kyverno's patcher runs it (pkg/engine/mutate/mutation.go NewPatcher): a
 * `patchStrategicMerge` (anchors resolved against the resource first) takes precedence over
 * `patchesJson6902`. Pure: returns the patched copy, or the input itself when nothing changed.
 */
import { isDeepStrictEqual } from 'node:util';
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
  const changed = !isDeepStrictEqual(patched, resource);
  return { resource: changed ? (patched as Resource) : resource, changed };
}
