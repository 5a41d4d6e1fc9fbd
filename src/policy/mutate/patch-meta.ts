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

/** Decoded entries per definition and field: the merge asks for the same few on every resource. */
const decoded = new Map<string, Map<string, FieldPatchMeta | undefined>>();

export function fieldMeta(definition: string | undefined, field: string): FieldPatchMeta | undefined {
  if (definition === undefined) return undefined;
  let fields = decoded.get(definition);
  if (!fields) {
    fields = new Map();
    decoded.set(definition, fields);
  }
  if (fields.has(field)) return fields.get(field);
  const entry = PATCH_META[definition]?.[field];
  const meta = entry
    ? { definition: entry[0] || undefined, strategy: entry[1], mergeKey: entry[2], list: entry[3] === 1 }
    : undefined;
  // Unknown fields (custom keys, labels) are not remembered: their number has no bound.
  if (entry) fields.set(field, meta);
  return meta;
}

/** Whether the definition is known at all (a known type's unlisted fields have no metadata). */
export function isKnownDefinition(definition: string | undefined): boolean {
  return definition !== undefined && PATCH_META[definition] !== undefined;
}
