/**
 * Kyverno's anchors inside a `patchStrategicMerge` (pkg/engine/mutate/patch/strategicPreprocessing.go):
 * the patch is walked together with the resource before merging.
 * - `+(key)`: add-if-not-present, dropped when the resource has the key, else the anchor is removed;
 * - `(key)` conditional and `<(key)` global: the resource value must match the anchor's value as a
 *   validate pattern. A failing condition on a map skips the whole patch; inside a list of maps it skips
 *   that element, and the patch element is copied once per matching resource element, named after it;
 *   a failing global condition skips the whole patch unless another element satisfied it.
 * - equality `=()`, existence `^()` and negation `X()` are not mutate anchors: inside a condition's
 *   value they are matched as validate anchors; elsewhere Kyverno treats them as plain keys.
 */
import { isObject } from '../../core/document.js';
import { parseAnchor } from '../pattern/anchor.js';
import { matchPattern } from '../pattern/index.js';
import { cloneJson } from './clone.js';

type JsonMap = Record<string, unknown>;

/** A condition failed: this map (or list element) is not patched. (Not an Error: no stack to capture.) */
class ConditionFailed {
  constructor(readonly message: string) {}
}
/** A global condition failed: the whole patch is skipped. */
class GlobalConditionFailed {
  constructor(readonly message: string) {}
}
class AnchorMismatch {
  constructor(readonly message: string) {}
}

export interface PreparedPatch {
  /** The patch to merge, anchors resolved; `{}` when a condition skipped it. */
  patch: unknown;
  /** Why the patch was emptied, when a condition or global condition failed. */
  skipped?: string;
}

/** Kyverno's ContainsCondition: conditional `()` and global `<()` only. */
const isConditionAnchor = (key: string): boolean => {
  const a = parseAnchor(key);
  return a !== null && (a.type === '' || a.type === '<');
};
const isAddAnchor = (key: string): boolean => parseAnchor(key)?.type === '+';
/** Kyverno's hasAnchor in the preprocessing: condition, global or add-if-not-present. */
const hasAnyAnchor = (key: string): boolean => isConditionAnchor(key) || isAddAnchor(key);

/** Resolves the anchors of a patch against the resource; the patch argument is not modified. */
const anchorFree = new WeakMap<object, boolean>();

/** Kyverno's preprocessing drops empty maps and lists from a patch, so they need it too. */
function hasEmptyContainer(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0 || value.some(hasEmptyContainer);
  if (isObject(value)) {
    const vals = Object.values(value);
    return vals.length === 0 || vals.some(hasEmptyContainer);
  }
  return false;
}

/** Whether a patch has any key or value the preprocessing would act on (cached per patch object). */
function needsPreprocessing(patch: unknown): boolean {
  if (typeof patch !== 'object' || patch === null) return false;
  let hit = anchorFree.get(patch);
  if (hit === undefined) {
    hit = !hasAnchors(patch, (k) => isConditionAnchor(k) || isAddAnchor(k)) && !hasEmptyContainer(patch);
    anchorFree.set(patch, hit);
  }
  return !hit;
}

export function prepareStrategicPatch(patch: unknown, resource: unknown): PreparedPatch {
  // Most patches have no anchors: nothing to resolve, and the merge never modifies the patch.
  if (!needsPreprocessing(patch)) return { patch };
  const copy = cloneJson(patch);
  try {
    preprocess(copy, resource);
  } catch (error) {
    if (error instanceof ConditionFailed || error instanceof GlobalConditionFailed) {
      return { patch: {}, skipped: error.message };
    }
    throw error;
  }
  if (isObject(copy)) deleteConditionElements(copy);
  return { patch: copy };
}

function preprocess(pattern: unknown, resource: unknown): void {
  if (isObject(pattern)) walkMap(pattern, resource);
  else if (Array.isArray(pattern) && pattern.length > 0 && isObject(pattern[0]))
    processListOfMaps(pattern, resource);
}

function walkMap(pattern: JsonMap, resource: unknown): void {
  handleAddIfNotPresent(pattern, resource);
  validateConditions(pattern, resource);
  for (const key of Object.keys(pattern)) {
    if (hasAnyAnchor(key)) continue;
    const child = isObject(resource) ? resource[key] : undefined;
    preprocess(pattern[key], child);
  }
}

/** Returns how many add-if-not-present anchors the map had. */
function handleAddIfNotPresent(pattern: unknown, resource: unknown): number {
  if (!isObject(pattern)) return 0;
  let count = 0;
  for (const key of Object.keys(pattern)) {
    const a = parseAnchor(key);
    if (a?.type !== '+') continue;
    count++;
    if (isObject(resource) && Object.hasOwn(resource, a.key)) delete pattern[key];
    else renameKey(pattern, key, a.key);
  }
  return count;
}

/** Renames a key in place, keeping its position (kyaml renames the key node). */
function renameKey(map: JsonMap, from: string, to: string): void {
  const entries = Object.entries(map);
  for (const k of Object.keys(map)) delete map[k];
  for (const [k, v] of entries) map[k === from ? to : k] = v;
}

function validateConditions(pattern: JsonMap, resource: unknown): void {
  try {
    checkAnchors(pattern, resource, '<');
  } catch (error) {
    if (!(error instanceof AnchorMismatch)) throw error;
    throw new GlobalConditionFailed(`global condition failed: ${error.message}`);
  }
  try {
    checkAnchors(pattern, resource, '');
  } catch (error) {
    if (!(error instanceof AnchorMismatch)) throw error;
    throw new ConditionFailed(`condition failed: ${error.message}`);
  }
}

function checkAnchors(pattern: JsonMap, resource: unknown, type: '' | '<'): void {
  for (const key of Object.keys(pattern)) {
    const a = parseAnchor(key);
    if (a === null || a.type !== type) continue;
    if (!isObject(resource) || !Object.hasOwn(resource, a.key)) {
      throw new AnchorMismatch(`could not found "${a.key}" key in the resource`);
    }
    const patternValue = pattern[key];
    const resourceValue = resource[a.key];
    if (handleAddIfNotPresent(patternValue, resourceValue) > 0) continue;
    const outcome = matchPattern(resourceValue, patternValue);
    if (outcome.status !== 'pass') throw new AnchorMismatch(outcome.message);
  }
}

function processListOfMaps(pattern: unknown[], resource: unknown): void {
  const resourceElements = Array.isArray(resource) ? resource : [];
  const originals = [...pattern];
  for (const patternElement of originals) {
    if (!hasAnchors(patternElement, (k) => isConditionAnchor(k) || isAddAnchor(k))) continue;
    const hasGlobal = hasAnchors(patternElement, (k) => parseAnchor(k)?.type === '<');
    let anyGlobalPassed = false;
    let lastGlobal: GlobalConditionFailed | undefined;
    // Kyverno reuses one copy of the element for every resource element, so renames persist.
    const copy = cloneJson(patternElement);
    for (const resourceElement of resourceElements) {
      try {
        preprocess(copy, resourceElement);
      } catch (error) {
        if (error instanceof ConditionFailed) continue;
        if (error instanceof GlobalConditionFailed) {
          lastGlobal = error;
          continue;
        }
        throw error;
      }
      if (hasGlobal) anyGlobalPassed = true;
      else appendNamedCopy(pattern, copy, resourceElement);
    }
    if (resource === undefined || resource === null) {
      try {
        preprocess(copy, undefined);
        if (hasGlobal) anyGlobalPassed = true;
      } catch (error) {
        if (!(error instanceof ConditionFailed)) throw error;
      }
    }
    if (!anyGlobalPassed && lastGlobal) throw lastGlobal;
  }
}

/** A matching resource element gets its own patch element, anchors removed and named like it. */
function appendNamedCopy(pattern: unknown[], element: unknown, resourceElement: unknown): void {
  if (!isObject(resourceElement)) return;
  const name = resourceElement.name;
  if (name === undefined || name === null || name === '') return;
  const copy = cloneJson(element);
  if (deleteAnchors(copy, true, false)) return;
  if (isObject(copy)) copy.name = name;
  pattern.push(copy);
}

function hasAnchors(value: unknown, test: (key: string) => boolean): boolean {
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (hasAnyAnchor(k) && test(k)) return true;
      if (v !== null && v !== undefined && hasAnchors(v, test)) return true;
    }
    return false;
  }
  if (typeof value === 'string') return isConditionAnchor(value);
  if (Array.isArray(value)) return value.some((e) => hasAnchors(e, test));
  return false;
}

function deleteConditionElements(pattern: JsonMap): void {
  for (const key of Object.keys(pattern)) {
    const deleteScalar = isConditionAnchor(key);
    if (deleteAnchors(pattern[key], deleteScalar, false)) delete pattern[key];
  }
}

/** Removes condition anchors; true when nothing but anchors was left (the node must go too). */
function deleteAnchors(node: unknown, deleteScalar: boolean, traverseMaps: boolean): boolean {
  if (isObject(node)) return deleteAnchorsInMap(node, traverseMaps);
  if (Array.isArray(node)) return deleteAnchorsInList(node, traverseMaps);
  return deleteScalar;
}

function deleteAnchorsInMap(node: JsonMap, traverseMaps: boolean): boolean {
  let anchorsExist = false;
  for (const key of Object.keys(node)) {
    if (!isConditionAnchor(key)) continue;
    if (deleteAnchors(node[key], true, traverseMaps)) delete node[key];
    else anchorsExist = true;
  }
  if (anchorsExist) {
    for (const key of Object.keys(node)) {
      const a = parseAnchor(key);
      if (a && isConditionAnchor(key)) renameKey(node, key, a.key);
    }
  }
  let needToDelete = true;
  for (const key of Object.keys(node)) {
    if (deleteAnchors(node[key], false, traverseMaps)) delete node[key];
    else needToDelete = false;
  }
  return needToDelete;
}

function deleteAnchorsInList(node: unknown[], traverseMaps: boolean): boolean {
  const wasEmpty = node.length === 0;
  const kept = node.filter((element) => {
    if (hasAnchors(element, (k) => isConditionAnchor(k) || isAddAnchor(k))) {
      return traverseMaps && isObject(element) ? !deleteAnchors(element, true, traverseMaps) : false;
    }
    return !deleteAnchors(element, false, traverseMaps);
  });
  node.length = 0;
  node.push(...kept);
  return node.length === 0 && !wasEmpty;
}
