/**
 * Kyverno `validate.pattern` matching (pkg/engine/validate): walks pattern and resource together, applying
 * anchors, wildcards and value operators, and reports the first failing path the way Kyverno does
 * ("/spec/containers/0/image/").
 */
import {
  type Anchor,
  anchorString,
  isConditional,
  isEquality,
  isExistence,
  isGlobal,
  isNegation,
  isPhaseOneAnchor,
  parseAnchor,
} from './anchor.js';
import { validateValue } from './scalar.js';
import { goTypeName, goValueString, isPlainObject } from './value.js';
import { containsWildcard, wildcardMatch } from './wildcard.js';

export type PatternOutcome =
  | { status: 'pass' }
  /**
   * The resource violates the pattern at `path`. An empty `path` is Kyverno's "execution error" case (a
   * conditional/existence/negation anchor key is absent from the resource while another check failed):
   * Kyverno reports that rule as `error`, not `fail`.
   */
  | { status: 'fail'; path: string; message: string }
  /** A conditional or global anchor did not match: the rule does not apply (Kyverno reports `skip`). */
  | { status: 'skip'; path: string; message: string };

type ErrorKind = 'plain' | 'conditional' | 'global' | 'negation' | 'arraySkip';

interface Failure {
  path: string;
  kind: ErrorKind;
  message: string;
}

const CONDITIONAL_PREFIX = 'conditional anchor mismatch: ';
const GLOBAL_PREFIX = 'global anchor mismatch: ';
const NEGATION_PREFIX = 'negation anchor matched in resource: ';

/** Errors that make an element, and possibly the rule, "not applicable" rather than failing. */
function isSkip(f: Failure): boolean {
  return f.kind === 'conditional' || f.kind === 'global' || f.kind === 'arraySkip';
}

/** Tracks whether the keys of conditional/existence/negation anchors occur in the resource at all. */
class AnchorMap {
  private readonly seen = new Map<string, boolean>();

  check(tracked: [string, Anchor][], resource: unknown): void {
    for (const [key, a] of tracked) {
      if (this.seen.get(key) === true) continue;
      this.seen.set(key, resourceHasKey(resource, a.key));
    }
  }

  keysAreMissing(): boolean {
    for (const v of this.seen.values()) if (!v) return true;
    return false;
  }
}

function resourceHasKey(resource: unknown, key: string): boolean {
  if (Array.isArray(resource)) return resource.some((r) => resourceHasKey(r, key));
  return isPlainObject(resource) && Object.hasOwn(resource, key);
}

/** Matches a resource against a validate pattern (variables already substituted). */
export function matchPattern(resource: unknown, pattern: unknown): PatternOutcome {
  const ac = new AnchorMap();
  const failure = validateElement(resource, pattern, '/', ac);
  if (failure === null) return { status: 'pass' };
  if (isSkip(failure)) return { status: 'skip', path: failure.path, message: failure.message };
  if (failure.kind === 'negation') return { status: 'fail', path: failure.path, message: failure.message };
  if (ac.keysAreMissing()) return { status: 'fail', path: '', message: failure.message };
  return { status: 'fail', path: failure.path, message: failure.message };
}

function plain(path: string, message: string): Failure {
  return { path, kind: 'plain', message };
}

function validateElement(resource: unknown, pattern: unknown, path: string, ac: AnchorMap): Failure | null {
  if (isPlainObject(pattern)) {
    if (!isPlainObject(resource)) {
      return plain(
        path,
        `pattern and resource have different structures. Path: ${path}. Expected ${goTypeName(pattern)}, found ${goTypeName(resource)}`,
      );
    }
    return validateMap(resource, pattern, path, ac);
  }
  if (Array.isArray(pattern)) {
    if (!Array.isArray(resource)) {
      return plain(
        path,
        `validation rule failed at path ${path}, resource does not satisfy the expected overlay pattern`,
      );
    }
    return validateArray(resource, pattern, path, ac);
  }
  if (
    pattern === null ||
    pattern === undefined ||
    typeof pattern === 'string' ||
    typeof pattern === 'number' ||
    typeof pattern === 'boolean'
  ) {
    const ok = Array.isArray(resource)
      ? resource.every((r) => validateValue(r, pattern))
      : validateValue(resource, pattern);
    if (ok) return null;
    return plain(
      path,
      `resource value '${goValueString(resource)}' does not match '${goValueString(pattern, true)}' at path ${path}`,
    );
  }
  return plain(path, `failed at '${path}', pattern contains unknown type`);
}

function hasNestedAnchors(pattern: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.some(hasNestedAnchors);
  if (!isPlainObject(pattern)) return false;
  for (const [k, v] of Object.entries(pattern)) {
    const a = parseAnchor(k);
    if (isPhaseOneAnchor(a) || isGlobal(a) || hasNestedAnchors(v)) return true;
  }
  return false;
}

/** How a pattern map's keys are processed; computed once per pattern object. */
interface CompiledMap {
  /** conditional / existence / equality / negation anchors, sorted by key as upstream does */
  anchors: [string, Anchor][];
  /** the other keys: global anchors and keys holding nested anchors first (reverse-sorted), then the rest sorted */
  rest: [string, Anchor | null][];
  /** anchors whose key presence the AnchorMap tracks */
  tracked: [string, Anchor][];
  /** the key of a `metadata` entry whose labels/annotations use wildcard keys */
  wildcardMetadataKey: string | undefined;
}

const compiledMaps = new WeakMap<object, CompiledMap>();

function compileMap(pattern: Record<string, unknown>): CompiledMap {
  let c = compiledMaps.get(pattern);
  if (c !== undefined) return c;
  const anchors: [string, Anchor][] = [];
  const front: [string, Anchor | null][] = [];
  const back: [string, Anchor | null][] = [];
  const tracked: [string, Anchor][] = [];
  // Kyverno's getSortedNestedAnchorResource: keys sorted, then global-anchor and nested-anchor keys
  // pushed to the front (so they run in reverse order) and plain keys to the back.
  const keys = Object.keys(pattern).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  for (const key of keys) {
    const a = parseAnchor(key);
    if (isConditional(a) || isExistence(a) || isNegation(a)) tracked.push([key, a!]);
    if (isPhaseOneAnchor(a)) anchors.push([key, a!]);
    else if (isGlobal(a) || hasNestedAnchors(pattern[key])) front.unshift([key, a]);
    else back.push([key, null]);
  }
  c = { anchors, rest: [...front, ...back], tracked, wildcardMetadataKey: wildcardMetadataKey(pattern) };
  compiledMaps.set(pattern, c);
  return c;
}

/**
 * Phase one evaluates anchors (sorted by key, as upstream does), phase two the remaining keys with global
 * anchors and keys holding nested anchors first. A sub-array in which every element was skipped does not end
 * the walk: the map is reported as skipped only when none of its other keys applied (so a policy checking
 * `=(initContainers)` and `=(containers)` passes when only the containers apply, yet a pattern whose only
 * check is skipped is skipped).
 */
function validateMap(
  resource: Record<string, unknown>,
  rawPattern: Record<string, unknown>,
  path: string,
  ac: AnchorMap,
): Failure | null {
  let compiled = compileMap(rawPattern);
  let pattern = rawPattern;
  if (compiled.wildcardMetadataKey !== undefined) {
    pattern = expandInMetadata(rawPattern, compiled.wildcardMetadataKey, resource);
    if (pattern !== rawPattern) compiled = compileMap(pattern);
  }
  ac.check(compiled.tracked, resource);

  let skipped: Failure[] | undefined;
  let applied = 0;
  for (const [key, a] of compiled.anchors) {
    const f = handleAnchor(a, pattern[key], resource, path, ac);
    if (f === null) applied++;
    else if (f.kind === 'arraySkip') (skipped ??= []).push(f);
    else return f;
  }
  for (const [key, a] of compiled.rest) {
    const f =
      a !== null
        ? handleGlobal(a, pattern[key], resource, path, ac)
        : handleDefault(key, pattern[key], resource, path, ac);
    if (f === null) applied++;
    else if (f.kind === 'arraySkip') (skipped ??= []).push(f);
    else return f;
  }
  if (skipped !== undefined && applied === 0) {
    return { path: skipped[0]!.path, kind: 'arraySkip', message: skipped.map((s) => s.message).join('; ') };
  }
  return null;
}

function handleAnchor(
  a: Anchor,
  pattern: unknown,
  resource: Record<string, unknown>,
  path: string,
  ac: AnchorMap,
): Failure | null {
  const currentPath = `${path}${a.key}/`;
  const present = Object.hasOwn(resource, a.key);
  const value = resource[a.key];
  if (isConditional(a)) {
    if (!present) {
      return {
        path: currentPath,
        kind: 'conditional',
        message: `${CONDITIONAL_PREFIX}conditional anchor key doesn't exist in the resource`,
      };
    }
    const f = validateElement(value, pattern, currentPath, ac);
    return f && { path: f.path, kind: 'conditional', message: CONDITIONAL_PREFIX + f.message };
  }
  if (isNegation(a)) {
    if (!present) return null;
    return {
      path: currentPath,
      kind: 'negation',
      message: `${NEGATION_PREFIX}${currentPath} is not allowed`,
    };
  }
  if (isEquality(a)) {
    if (!present) return null;
    return validateElement(value, pattern, currentPath, ac);
  }
  // existence anchor
  if (!present) return null;
  if (!Array.isArray(value)) {
    return plain(
      currentPath,
      `invalid resource type ${goTypeName(value)}: Existence ^ () anchor can be used only on list/array type resource`,
    );
  }
  if (!Array.isArray(pattern)) {
    return plain(
      currentPath,
      `invalid pattern type ${goTypeName(pattern)}: Pattern has to be of list to compare against resource`,
    );
  }
  for (const patternItem of pattern) {
    if (!isPlainObject(patternItem)) {
      return plain(
        currentPath,
        `invalid pattern type ${goTypeName(pattern)}: Pattern has to be of type map to compare against items in resource`,
      );
    }
    const found = value.some(
      (item, i) => validateElement(item, patternItem, `${currentPath}${i}/`, ac) === null,
    );
    if (!found) return plain(currentPath, `existence anchor validation failed at path ${currentPath}`);
  }
  return null;
}

function handleGlobal(
  a: Anchor,
  pattern: unknown,
  resource: Record<string, unknown>,
  path: string,
  ac: AnchorMap,
): Failure | null {
  if (!Object.hasOwn(resource, a.key)) return null;
  const f = validateElement(resource[a.key], pattern, `${path}${a.key}/`, ac);
  return f && { path: f.path, kind: 'global', message: GLOBAL_PREFIX + f.message };
}

function handleDefault(
  key: string,
  pattern: unknown,
  resource: Record<string, unknown>,
  path: string,
  ac: AnchorMap,
): Failure | null {
  const value = resource[key];
  if (pattern === '*') {
    if (value !== null && value !== undefined) return null;
    return plain(path, `${path}/${key} not found`);
  }
  return validateElement(value, pattern, `${path}${key}/`, ac);
}

function validateArray(resource: unknown[], pattern: unknown[], path: string, ac: AnchorMap): Failure | null {
  if (pattern.length === 0) return plain(path, 'pattern Array empty');
  const first = pattern[0];
  if (isPlainObject(first)) return validateArrayOfMaps(resource, first, path, ac);
  if (!Array.isArray(first)) return validateElement(resource, first, path, ac);
  if (resource.length < pattern.length) {
    return plain(
      '',
      `validate Array failed, array length mismatch, resource Array len is ${resource.length} and pattern Array len is ${pattern.length}`,
    );
  }
  const skipped: Failure[] = [];
  let applied = 0;
  for (let i = 0; i < pattern.length; i++) {
    const f = validateElement(resource[i], pattern[i], `${path}${i}/`, ac);
    if (f === null) applied++;
    else if (isSkip(f)) skipped.push(f);
    else return f;
  }
  return arraySkip(path, applied, skipped);
}

function validateArrayOfMaps(
  resource: unknown[],
  pattern: Record<string, unknown>,
  path: string,
  ac: AnchorMap,
): Failure | null {
  const skipped: Failure[] = [];
  let applied = 0;
  for (let i = 0; i < resource.length; i++) {
    const f = validateElement(resource[i], pattern, `${path}${i}/`, ac);
    if (f === null) applied++;
    else if (isSkip(f)) skipped.push(f);
    else return f;
  }
  return arraySkip(path, applied, skipped);
}

function arraySkip(path: string, applied: number, skipped: Failure[]): Failure | null {
  if (applied > 0 || skipped.length === 0) return null;
  return { path, kind: 'arraySkip', message: skipped.map((s) => s.message).join('; ') };
}

/**
 * wildcards.ExpandInMetadata: wildcard keys under metadata.labels / metadata.annotations in the pattern are
 * replaced by the first matching key of the resource (anchors on them are kept), so `app.kubernetes.io/*: "?*"`
 * checks the value of whichever label matches.
 */
function expandInMetadata(
  pattern: Record<string, unknown>,
  metaKey: string,
  resource: Record<string, unknown>,
): Record<string, unknown> {
  const patternMeta = pattern[metaKey];
  const resourceMeta = resource.metadata;
  if (!isPlainObject(patternMeta) || !isPlainObject(resourceMeta)) return pattern;
  let newMeta: Record<string, unknown> | undefined;
  for (const tag of ['labels', 'annotations']) {
    const tagKey = findTagKey(tag, patternMeta);
    if (tagKey === undefined) continue;
    const patternData = patternMeta[tagKey];
    const resourceTagKey = findTagKey(tag, resourceMeta);
    const resourceData = resourceTagKey === undefined ? undefined : resourceMeta[resourceTagKey];
    if (!isPlainObject(patternData) || !isPlainObject(resourceData)) continue;
    if (!Object.keys(patternData).some(containsWildcard)) continue;
    const expanded: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(patternData)) {
      if (!containsWildcard(k)) {
        expanded[k] = v;
        continue;
      }
      const a = parseAnchor(k);
      const bare = a ? a.key : k;
      const match = Object.keys(resourceData).find((rk) => wildcardMatch(bare, rk));
      const newKey = match === undefined ? bare : match;
      expanded[a ? anchorString(a.type, newKey) : newKey] = v;
    }
    newMeta ??= { ...patternMeta };
    newMeta[tagKey] = expanded;
  }
  return newMeta ? { ...pattern, [metaKey]: newMeta } : pattern;
}

/** The metadata key of a pattern map when its labels or annotations have wildcard keys (else no expansion). */
function wildcardMetadataKey(pattern: Record<string, unknown>): string | undefined {
  const metaKey = findTagKey('metadata', pattern);
  if (metaKey === undefined) return undefined;
  const meta = pattern[metaKey];
  if (!isPlainObject(meta)) return undefined;
  for (const tag of ['labels', 'annotations']) {
    const tagKey = findTagKey(tag, meta);
    const data = tagKey === undefined ? undefined : meta[tagKey];
    if (isPlainObject(data) && Object.keys(data).some(containsWildcard)) return metaKey;
  }
  return undefined;
}

function findTagKey(tag: string, data: Record<string, unknown>): string | undefined {
  if (Object.hasOwn(data, tag)) return tag;
  return Object.keys(data).find((k) => parseAnchor(k)?.key === tag);
}
