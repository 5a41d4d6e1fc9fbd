/**
 * RFC 6902 JSON Patch for `mutate.patchesJson6902`, applied with fast-json-patch. Kyverno applies its
 * patches with evanphx/json-patch and three options (pkg/engine/mutate/patch/patchJSON6902.go):
 * negative array indices, `remove` of a missing path is a no-op, and `add` creates missing parent
 * objects. `strict: true` turns those off and follows RFC 6902 to the letter.
 */
import jsonpatch from 'fast-json-patch';
import { CORE_SCHEMA, load as loadYaml } from 'js-yaml';
import { isObject } from '../../core/document.js';
import { cloneJson } from './clone.js';

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

export interface JsonPatchOptions {
  /** RFC 6902 only: no negative indices, `remove` of a missing path fails, `add` needs its parent. */
  strict?: boolean;
}

export class JsonPatchError extends Error {}

const INDEX = /^\d+$/;
const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/**
 * Reads `patchesJson6902` in either form Kyverno accepts: a string holding a YAML or JSON list of
 * operations (the documented form), or the list itself.
 */
const parsedStrings = new Map<string, JsonPatchOperation[]>();

export function parseJsonPatch(source: unknown): JsonPatchOperation[] {
  if (typeof source !== 'string') return decodeOperations(source);
  // The same patch text recurs for every resource (and every foreach index): parse it once.
  const cached = parsedStrings.get(source);
  if (cached) return cached;
  let list: unknown;
  try {
    list = source.trimStart().startsWith('[')
      ? JSON.parse(source)
      : loadYaml(source, { schema: CORE_SCHEMA });
  } catch (error) {
    throw new JsonPatchError(`failed to decode patches: ${(error as Error).message.split('\n')[0]}`);
  }
  const ops = decodeOperations(list);
  if (parsedStrings.size > 5_000) parsedStrings.clear();
  parsedStrings.set(source, ops);
  return ops;
}

function decodeOperations(list: unknown): JsonPatchOperation[] {
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list))
    throw new JsonPatchError('failed to decode patches: expected a list of operations');
  return list.map((entry, i) => {
    if (!isObject(entry))
      throw new JsonPatchError(`failed to decode patches: operation ${i} is not an object`);
    const op = entry.op;
    if (typeof op !== 'string' || !OPS.has(op)) {
      throw new JsonPatchError(
        `failed to decode patches: operation ${i} has unknown op ${JSON.stringify(op)}`,
      );
    }
    if (typeof entry.path !== 'string') {
      throw new JsonPatchError(`failed to decode patches: operation ${i} (${op}) has no path`);
    }
    if ((op === 'move' || op === 'copy') && typeof entry.from !== 'string') {
      throw new JsonPatchError(`failed to decode patches: operation ${i} (${op}) has no from`);
    }
    if ((op === 'add' || op === 'replace' || op === 'test') && !('value' in entry)) {
      throw new JsonPatchError(`failed to decode patches: operation ${i} (${op}) has no value`);
    }
    return entry as unknown as JsonPatchOperation;
  });
}

const parsedPointers = new Map<string, readonly string[]>();

/** The pointer's unescaped steps; the same paths recur for every resource, so they are parsed once. */
function parsePointer(path: string): readonly string[] {
  const cached = parsedPointers.get(path);
  if (cached) return cached;
  if (path === '') return [];
  if (!path.startsWith('/')) throw new JsonPatchError(`invalid JSON pointer ${JSON.stringify(path)}`);
  const parts = path
    .slice(1)
    .split('/')
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (parsedPointers.size > 5_000) parsedPointers.clear();
  parsedPointers.set(path, parts);
  return parts;
}

function formatPointer(parts: readonly string[]): string {
  return parts.length === 0
    ? ''
    : `/${parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
}

/** The value at a pointer, or undefined when any step is missing. */
function lookup(doc: unknown, parts: readonly string[]): unknown {
  let node = doc;
  for (const part of parts) {
    if (Array.isArray(node)) {
      if (!/^\d+$/.test(part)) return undefined;
      node = node[Number(part)];
    } else if (isObject(node)) {
      if (!Object.hasOwn(node, part)) return undefined;
      node = node[part];
    } else return undefined;
  }
  return node;
}

/** Rewrites negative indices (-1 is the last element) against the document, as evanphx does. */
function resolveNegative(doc: unknown, path: string, forAdd: boolean): string {
  if (!path.includes('/-')) return path;
  const parts = [...parsePointer(path)];
  let node = doc;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (Array.isArray(node) && /^-\d+$/.test(part)) {
      const n = node.length + Number(part) + (forAdd && i === parts.length - 1 ? 1 : 0);
      if (n < 0) throw new JsonPatchError(`index ${part} out of bounds at ${path}`);
      parts[i] = String(n);
    }
    node = Array.isArray(node) ? node[Number(parts[i])] : isObject(node) ? node[parts[i]!] : undefined;
  }
  return formatPointer(parts);
}

/** Creates the missing parents of an `add` path: arrays where the next step is an index, else objects. */
function ensureParents(doc: unknown, parts: readonly string[]): void {
  let node = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i]!;
    const next = parts[i + 1]!;
    const nextIsIndex = next === '-' || INDEX.test(next);
    if (Array.isArray(node)) {
      const idx = part === '-' ? node.length : Number(part);
      if (!Number.isInteger(idx)) return;
      if (node[idx] === undefined || node[idx] === null) node[idx] = nextIsIndex ? [] : {};
      node = node[idx];
    } else if (isObject(node)) {
      if (node[part] === undefined || node[part] === null) node[part] = nextIsIndex ? [] : {};
      node = node[part];
    } else return;
  }
}

function describe(error: unknown, op: JsonPatchOperation): string {
  const name = (error as { name?: string }).name;
  switch (name) {
    case 'OPERATION_PATH_UNRESOLVABLE':
      return `${op.op} operation does not apply: doc is missing path: ${op.path}`;
    case 'OPERATION_FROM_UNRESOLVABLE':
      return `${op.op} operation does not apply: doc is missing from path: ${op.from}`;
    case 'OPERATION_PATH_CANNOT_ADD':
      return `add operation does not apply: doc is missing path: ${op.path}`;
    case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
    case 'OPERATION_VALUE_OUT_OF_BOUNDS':
      return `${op.op} operation does not apply: invalid array index in ${op.path}`;
    case 'TEST_OPERATION_FAILED':
      return `testing value ${op.path} failed: test failed`;
    default:
      return `${op.op} ${op.path}: ${((error as Error).message ?? String(error)).split('\n')[0]}`;
  }
}

/**
 * Applies operations to a copy of `doc` and returns it; throws JsonPatchError naming the failing
 * operation and path. The input is never modified.
 */
/**
 * Copies the containers along a pointer (not their contents), so an operation may modify the copy in
 * place while every untouched subtree stays shared with the input.
 */
function copyAlong(root: any, path: string): any {
  const parts = path === '' ? [] : parsePointer(path);
  const top = Array.isArray(root) ? [...root] : isObject(root) ? { ...root } : root;
  let node = top;
  for (let i = 0; i < parts.length - 1; i++) {
    const key: any = Array.isArray(node) ? Number(parts[i]) : parts[i];
    const child = node?.[key];
    if (Array.isArray(child)) node[key] = [...child];
    else if (isObject(child)) node[key] = { ...child };
    else break;
    node = node[key];
  }
  return top;
}

function containsUndefined(value: unknown): boolean {
  if (value === undefined) return true;
  if (Array.isArray(value)) return value.some(containsUndefined);
  if (isObject(value)) return Object.values(value).some(containsUndefined);
  return false;
}

/**
 * The common operations done directly: `add`, `replace` or `remove` of a key of an object whose
 * parents all exist (after copyAlong, every container on the path is already a private copy). Returns
 * false for anything else (arrays at the last step, missing parents, root or prototype paths, values
 * with undefined), which fast-json-patch then applies and validates with its own errors.
 */
function applyToObjectKey(doc: unknown, op: JsonPatchOperation, parts: readonly string[]): boolean {
  if (op.op !== 'add' && op.op !== 'replace' && op.op !== 'remove') return false;
  if (parts.length === 0) return false;
  let node = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i]!;
    if (part === '__proto__' || part === 'prototype') return false;
    if (Array.isArray(node)) {
      if (!INDEX.test(part)) return false;
      node = node[Number(part)];
    } else if (isObject(node)) {
      if (!Object.hasOwn(node, part)) return false;
      node = node[part];
    } else return false;
  }
  const last = parts[parts.length - 1]!;
  if (!isObject(node) || last === '__proto__' || last === 'prototype') return false;
  if (op.op === 'remove') {
    if (!Object.hasOwn(node, last)) return false;
    delete node[last];
    return true;
  }
  if (op.op === 'replace' && !Object.hasOwn(node, last)) return false;
  if (containsUndefined(op.value)) return false;
  node[last] = typeof op.value === 'object' && op.value !== null ? cloneJson(op.value) : op.value;
  return true;
}

export function applyJsonPatch<T>(
  doc: T,
  operations: readonly JsonPatchOperation[],
  options: JsonPatchOptions = {},
): T {
  let out: any = doc;
  for (const original of operations) {
    let op: JsonPatchOperation = original;
    try {
      if (!options.strict) {
        const path = resolveNegative(out, op.path, op.op === 'add');
        const from = op.from === undefined ? undefined : resolveNegative(out, op.from, false);
        if (path !== op.path || from !== op.from)
          op = { ...op, path, ...(from === undefined ? {} : { from }) };
        if (op.op === 'remove' && lookup(out, parsePointer(op.path)) === undefined) continue;
      }
      // The value is cloned so that later operations never alias the policy's own objects.
      out = copyAlong(out, op.path);
      // Parents created here are new objects, so they need no copying of their own.
      if (!options.strict && op.op === 'add') ensureParents(out, parsePointer(op.path));
      if (op.path !== '' && applyToObjectKey(out, op, parsePointer(op.path))) continue;
      if (op.op === 'move' && op.from !== undefined) out = copyAlong(out, op.from);
      const applied =
        'value' in op && typeof op.value === 'object' && op.value !== null
          ? { ...op, value: cloneJson(op.value) }
          : op;
      out = jsonpatch.applyOperation(out, applied as jsonpatch.Operation, true, true, true).newDocument;
    } catch (error) {
      if (error instanceof JsonPatchError) throw error;
      throw new JsonPatchError(describe(error, op));
    }
  }
  return out as T;
}
