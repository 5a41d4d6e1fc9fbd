/**
 * The two ways a MutatingAdmissionPolicy changes an object: an apply configuration merged into it (maps merge
 * recursively; lists of named items merge by `name`, the list-map key of containers, volumes, env and ports;
 * other lists are replaced, as for atomic lists), or RFC 6902 JSON Patch operations.
 */

type Json = unknown;

function isMap(v: Json): v is Record<string, Json> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function namedList(v: Json): v is Record<string, Json>[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => isMap(x) && typeof x.name === 'string');
}

export function applyConfiguration(target: Json, config: Json): Json {
  if (isMap(config)) {
    const base = isMap(target) ? { ...target } : {};
    for (const [k, v] of Object.entries(config)) {
      if (v === null) delete base[k];
      else base[k] = applyConfiguration(base[k], v);
    }
    return base;
  }
  if (Array.isArray(config) && namedList(config) && namedList(target)) {
    const out = target.map((x) => ({ ...x }));
    for (const item of config) {
      const i = out.findIndex((x) => x.name === item.name);
      if (i === -1) out.push(item);
      else out[i] = applyConfiguration(out[i], item) as Record<string, Json>;
    }
    return out;
  }
  return structuredClone(config);
}

export class JsonPatchError extends Error {}

function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new JsonPatchError(`invalid JSON pointer ${JSON.stringify(path)}`);
  return path.slice(1).split('/').map(unescapeToken);
}

function parentOf(doc: Json, tokens: string[], path: string): Json {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isMap(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw new JsonPatchError(`path ${path}: parent does not exist`);
  }
  return cur;
}

function get(doc: Json, path: string): Json {
  let cur = doc;
  for (const t of parsePointer(path)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isMap(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw new JsonPatchError(`path ${path} does not exist`);
  }
  return cur;
}

function add(doc: Json, path: string, value: Json): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return structuredClone(value);
  const parent = parentOf(doc, tokens, path);
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(i) || i < 0 || i > parent.length)
      throw new JsonPatchError(`path ${path}: index out of range`);
    parent.splice(i, 0, structuredClone(value));
  } else if (isMap(parent)) parent[last] = structuredClone(value);
  else throw new JsonPatchError(`path ${path}: parent is not a container`);
  return doc;
}

function remove(doc: Json, path: string): Json {
  const tokens = parsePointer(path);
  const parent = parentOf(doc, tokens, path);
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!Number.isInteger(i) || i < 0 || i >= parent.length)
      throw new JsonPatchError(`path ${path}: index out of range`);
    parent.splice(i, 1);
  } else if (isMap(parent) && last in parent) delete parent[last];
  else throw new JsonPatchError(`path ${path} does not exist`);
  return doc;
}

export interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

export function applyJsonPatch(target: Json, ops: readonly JsonPatchOp[]): Json {
  let doc = structuredClone(target);
  for (const o of ops) {
    switch (o.op) {
      case 'add':
        doc = add(doc, o.path, o.value);
        break;
      case 'remove':
        doc = remove(doc, o.path);
        break;
      case 'replace':
        get(doc, o.path);
        doc = add(remove(doc, o.path), o.path, o.value);
        break;
      case 'copy':
        doc = add(doc, o.path, get(doc, o.from ?? ''));
        break;
      case 'move': {
        const v = get(doc, o.from ?? '');
        doc = add(remove(doc, o.from ?? ''), o.path, v);
        break;
      }
      case 'test':
        if (JSON.stringify(get(doc, o.path)) !== JSON.stringify(o.value))
          throw new JsonPatchError(`test operation at ${o.path} failed`);
        break;
      default:
        throw new JsonPatchError(`unknown JSON Patch operation ${JSON.stringify(o.op)}`);
    }
  }
  return doc;
}
