/**
 * Kubernetes strategic merge patch over plain JSON. Lists merge by the merge key the Kubernetes
 * OpenAPI metadata names for the field (containers by `name`, volumeMounts by `mountPath`, ports by
 * `containerPort`...); a field with no metadata (custom resources) merges by `name` when every
 * element has one, as kyaml (which Kyverno uses) infers, and is otherwise replaced. Directives:
 * `$patch: delete | replace | merge` on maps and list elements, `$retainKeys`,
 * `$setElementOrder/<field>` and `$deleteFromPrimitiveList/<field>`. A `null` value removes a field.
 * Inputs are never modified; untouched subtrees of the base are shared with the result.
 */
import { isObject } from '../../core/document.js';
import { definitionFor, type FieldPatchMeta, fieldMeta } from './patch-meta.js';

export class StrategicMergeError extends Error {}

type Json = unknown;
type JsonMap = Record<string, Json>;

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';
/** Returned for a map whose patch says `$patch: delete`. */
const DELETED = Symbol('deleted');

/** Applies a strategic merge patch to a resource; the schema comes from the resource's apiVersion/kind. */
export function strategicMerge(base: Json, patch: Json): Json {
  const definition = isObject(base) ? definitionFor(base.apiVersion, base.kind) : undefined;
  const out = mergeValue(base, patch, definition, '');
  return out === DELETED ? {} : out;
}

function mergeValue(
  base: Json,
  patch: Json,
  definition: string | undefined,
  path: string,
): Json | typeof DELETED {
  if (isObject(patch)) return mergeMap(isObject(base) ? base : undefined, patch, definition, path);
  return patch;
}

function isDirective(key: string): boolean {
  return (
    key === PATCH || key === RETAIN_KEYS || key.startsWith(SET_ORDER) || key.startsWith(DELETE_PRIMITIVE)
  );
}

/** A patch map with every directive removed, recursively: what gets stored when nothing is merged. */
function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) {
    return value
      .filter((e) => !(isObject(e) && e[PATCH] !== undefined && Object.keys(e).length === 1))
      .map(stripDirectives);
  }
  if (!isObject(value)) return value;
  const out: JsonMap = {};
  for (const [k, v] of Object.entries(value)) {
    if (isDirective(k) || v === null) continue;
    out[k] = stripDirectives(v);
  }
  return out;
}

function mergeMap(
  base: JsonMap | undefined,
  patch: JsonMap,
  definition: string | undefined,
  path: string,
): Json | typeof DELETED {
  const directive = patch[PATCH];
  if (directive !== undefined) {
    if (directive === 'delete') return DELETED;
    if (directive === 'replace') return stripDirectives(patch);
    if (directive !== 'merge')
      throw new StrategicMergeError(`${path || '/'}: unknown $patch directive ${JSON.stringify(directive)}`);
  }
  const out: JsonMap = base ? { ...base } : {};
  // Whether `out` differs from `base`: an unchanged map is returned as `base` itself, so the caller
  // (and the change check after the patch) see untouched subtrees by identity.
  let changed = base === undefined;
  let directives = false;
  for (const [key, value] of Object.entries(patch)) {
    if (isDirective(key)) {
      directives = true;
      continue;
    }
    const fieldPath = `${path}/${key}`;
    if (value === null) {
      if (Object.hasOwn(out, key)) changed = true;
      delete out[key];
      continue;
    }
    const meta = fieldMeta(definition, key);
    const current = out[key];
    if (Array.isArray(value)) {
      const merged = mergeList(current, value, meta, fieldPath);
      if (merged === undefined) {
        if (Object.hasOwn(out, key)) changed = true;
        delete out[key];
      } else {
        if (merged !== current) changed = true;
        out[key] = merged;
      }
    } else if (isObject(value)) {
      const merged = mergeMap(
        isObject(current) ? (current as JsonMap) : undefined,
        value,
        meta?.definition,
        fieldPath,
      );
      if (merged === DELETED) {
        if (Object.hasOwn(out, key)) changed = true;
        delete out[key];
      } else {
        if (merged !== current) changed = true;
        out[key] = merged;
      }
    } else {
      if (current !== value || !Object.hasOwn(out, key)) changed = true;
      out[key] = value;
    }
  }
  if (!directives) return changed ? out : (base as JsonMap);
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(DELETE_PRIMITIVE)) {
      const field = key.slice(DELETE_PRIMITIVE.length);
      if (Array.isArray(out[field]) && Array.isArray(value)) {
        out[field] = (out[field] as Json[]).filter((v) => !value.some((d) => sameValue(d, v)));
      }
    }
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(SET_ORDER)) {
      const field = key.slice(SET_ORDER.length);
      if (!Array.isArray(value)) throw new StrategicMergeError(`${path}/${key}: must be a list`);
      if (Array.isArray(out[field]))
        out[field] = applyOrder(out[field] as Json[], value, fieldMeta(definition, field));
    }
  }
  const retain = patch[RETAIN_KEYS];
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw new StrategicMergeError(`${path}/${RETAIN_KEYS}: must be a list`);
    const keep = new Set(retain.map(String));
    for (const key of Object.keys(out)) if (!keep.has(key)) delete out[key];
  }
  return out;
}

function sameValue(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a === 'object' && typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  // kyaml compares merge-key values as YAML scalars, so 80 and "80" are the same element.
  return (
    (typeof a === 'number' || typeof a === 'string') &&
    (typeof b === 'number' || typeof b === 'string') &&
    String(a) === String(b)
  );
}

/** The merge key for a list, or '' when the list is replaced (or, for primitives, unioned). */
function listMergeKey(meta: FieldPatchMeta | undefined, base: Json[], patch: Json[]): string {
  if (meta) {
    if (meta.strategy.split(',').includes('replace')) return '';
    if (meta.mergeKey && meta.strategy.split(',').includes('merge')) return meta.mergeKey;
  }
  // No metadata for this field: kyaml's inference, `name` when every element of a list carries it.
  const elements = patch.filter(
    (e) => !(isObject(e) && e[PATCH] !== undefined && Object.keys(e).length === 1),
  );
  const allNamed = (list: Json[]) =>
    list.length > 0 && list.every((e) => isObject(e) && e.name !== undefined);
  return allNamed(elements) || allNamed(base) ? 'name' : '';
}

function mergeList(
  base: Json,
  patch: Json[],
  meta: FieldPatchMeta | undefined,
  path: string,
): Json[] | undefined {
  const baseList = Array.isArray(base) ? base : [];
  // A `{$patch: replace}` element replaces the whole list with the other elements.
  const listDirective = patch.find(
    (e) => isObject(e) && e[PATCH] !== undefined && Object.keys(e).length === 1,
  ) as JsonMap | undefined;
  if (listDirective?.[PATCH] === 'replace') return stripDirectives(patch) as Json[];
  if (listDirective?.[PATCH] === 'delete') return undefined;
  const key = listMergeKey(meta, baseList, patch);
  if (key === '') {
    const primitives = patch.every((e) => !isObject(e) && !Array.isArray(e));
    if (primitives && meta?.strategy.split(',').includes('merge')) {
      const out = [...baseList];
      for (const v of patch) if (!out.some((b) => sameValue(b, v))) out.push(v);
      return out;
    }
    return stripDirectives(patch) as Json[];
  }
  const out: Json[] = [...baseList];
  for (const element of patch) {
    if (!isObject(element))
      throw new StrategicMergeError(`${path}: list merged by "${key}" has a non-object element`);
    if (element[PATCH] !== undefined && Object.keys(element).length === 1) continue;
    const keyValue = element[key];
    const index =
      keyValue === undefined ? -1 : out.findIndex((b) => isObject(b) && sameValue(b[key], keyValue));
    if (element[PATCH] === 'delete') {
      if (index >= 0) {
        for (let i = out.length - 1; i >= 0; i--) {
          const b = out[i];
          if (isObject(b) && sameValue(b[key], keyValue)) out.splice(i, 1);
        }
      }
      continue;
    }
    const merged = mergeMap(
      index >= 0 ? (out[index] as JsonMap) : undefined,
      element,
      meta?.definition,
      `${path}/${index >= 0 ? index : out.length}`,
    );
    if (merged === DELETED) {
      if (index >= 0) out.splice(index, 1);
    } else if (index >= 0) out[index] = merged;
    else out.push(merged);
  }
  // Every element merged to itself: the list is unchanged, and stays shared.
  if (Array.isArray(base) && out.length === base.length && out.every((e, i) => e === base[i])) return base;
  return out;
}

/** `$setElementOrder`: the listed elements in the given order first, the rest after them as they were. */
function applyOrder(list: Json[], order: Json[], meta: FieldPatchMeta | undefined): Json[] {
  const key = meta?.mergeKey || (order.every((o) => isObject(o) && o.name !== undefined) ? 'name' : '');
  const identity = (e: Json): Json => (key && isObject(e) ? e[key] : e);
  const ordered: Json[] = [];
  const used = new Set<number>();
  for (const o of order) {
    const want = key && isObject(o) ? o[key] : o;
    const i = list.findIndex((e, idx) => !used.has(idx) && sameValue(identity(e), want));
    if (i >= 0) {
      used.add(i);
      ordered.push(list[i]);
    }
  }
  list.forEach((e, idx) => {
    if (!used.has(idx)) ordered.push(e);
  });
  return ordered;
}
