/**
 * Looks up strategic-merge metadata (patch strategy and merge key per field) in the table generated
 * from the Kubernetes OpenAPI spec. A schema position is a definition name, or undefined where the
 * type is unknown (custom resources, free-form maps): there the merge falls back to kyaml's inference.
 */
import { KIND_DEFINITIONS, PATCH_META } from './k8s-patch-meta.generated.js';

export interface FieldPatchMeta {
  /** Definition of the field's value (or of each list element), when it carries metadata itself. */
  definition?: string;
  /** `merge`, `replace`, `retainKeys` or a comma-separated combination; '' when none. */
  strategy: string;
  /** Merge key of a list of objects; '' when none. */
  mergeKey: string;
  list: boolean;
}

/** The definition for a resource's apiVersion/kind, or undefined for kinds the table does not know. */
export function definitionFor(apiVersion: unknown, kind: unknown): string | undefined {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  return KIND_DEFINITIONS[`${apiVersion}/${kind}`];
}

export function fieldMeta(definition: string | undefined, field: string): FieldPatchMeta | undefined {
  if (definition === undefined) return undefined;
  const entry = PATCH_META[definition]?.[field];
  if (!entry) return undefined;
  const [target, strategy, mergeKey, list] = entry;
  return { definition: target || undefined, strategy, mergeKey, list: list === 1 };
}

/** Whether the definition is known at all (a known type's unlisted fields have no metadata). */
export function isKnownDefinition(definition: string | undefined): boolean {
  return definition !== undefined && PATCH_META[definition] !== undefined;
}
