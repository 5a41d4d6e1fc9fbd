/**
 * Kyverno's variable substitution (pkg/engine/variables/vars.go): first `$(path)` references to other
 * values of the same document, then `{{ expression }}` variables in every string value and object
 * key. A string that is exactly one variable takes the variable's typed value; inside longer text,
 * non-string values are written as Go's JSON. `\{{ }}` and `\$( )` escape substitution.
 */

import { goJsonMarshal } from '../../core/gojson.js';
import { rememberedByText } from '../../core/memo.js';
import type { EvalContext } from './context.js';
import { VariableError } from './errors.js';

const REGEX_VARIABLES = /(^|[^\\])(\{\{(?:\{[^{}]*\}|[^{}])*\}\})/g;
const REGEX_ESCAPED_VARIABLES = /\\\{\{(\{[^{}]*\}|[^{}])*\}\}/g;
const REGEX_REFERENCES = /^\$\(.[^ ]*\)|[^\\]\$\(.[^ ]*\)/g;
const REGEX_ESCAPED_REFERENCES = /\\\$\(.[^ ]*\)/g;
const ANCHOR_SEGMENT = /^(?:[+=X^<]?)\((.+)\)$/;
const MAX_PASSES = 64;

type Leaf = (value: string, path: string) => unknown;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Whether anything in an object's subtree (a string or a key) holds `{{` or `$(`, remembered per
 * object. Policy fragments are read-only and substituted again for every resource; most (condition
 * values like `[void, none]`, patterns) hold no variable, and need not be walked at all.
 */
const substitutable = new WeakMap<object, boolean>();

function mayNeedSubstitution(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('{{') || value.includes('$(');
  if (typeof value !== 'object' || value === null) return false;
  let found = substitutable.get(value);
  if (found === undefined) {
    found = false;
    if (Array.isArray(value)) {
      for (const item of value) if ((found = mayNeedSubstitution(item))) break;
    } else {
      for (const key of Object.keys(value))
        if (
          (found = mayNeedSubstitution(key) || mayNeedSubstitution((value as Record<string, unknown>)[key]))
        )
          break;
    }
    substitutable.set(value, found);
  }
  return found;
}

/** Visits every string leaf and object key; returns the input itself when nothing changed. */
function traverse(value: unknown, path: string, leaf: Leaf, needs: (s: string) => boolean): unknown {
  if (typeof value === 'string') return needs(value) ? leaf(value, path) : value;
  if (!mayNeedSubstitution(value)) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const next = traverse(item, `${path}/${i}`, leaf, needs);
      if (next !== item && !out) out = value.slice(0, i);
      if (out) out.push(next);
    }
    return out ?? value;
  }
  if (isRecord(value)) {
    let out: Record<string, unknown> | undefined;
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const item = value[key];
      let newKey = key;
      if (needs(key)) {
        const k = leaf(key, `${path}/${key}`);
        newKey = typeof k === 'string' ? k : goJsonMarshal(k);
      }
      const next = traverse(item, `${path}/${key}`, leaf, needs);
      if ((next !== item || newKey !== key) && !out) {
        out = {};
        for (const earlier of keys.slice(0, i)) out[earlier] = value[earlier];
      }
      if (out) out[newKey] = next;
    }
    return out ?? value;
  }
  return value;
}

/** path.Join / path.Clean for absolute JSON-pointer-like paths. */
function joinPath(base: string, rel: string): string {
  const parts: string[] = [];
  for (const part of `${base}/${rel}`.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

function removeAnchorsFromPath(path: string): string {
  return path
    .split('/')
    .map((seg) => ANCHOR_SEGMENT.exec(seg)?.[1] ?? seg)
    .join('/');
}

/** Finds the value at `target` (anchors ignored) among the document's leaves and key paths. */
function valueAtPath(document: unknown, base: string, target: string): unknown {
  let found: unknown;
  const visit = (value: unknown, path: string): void => {
    if (removeAnchorsFromPath(path) === target) found = value;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) visit(value[i], `${path}/${i}`);
    } else if (isRecord(value)) for (const [k, v] of Object.entries(value)) visit(v, `${path}/${k}`);
  };
  visit(document, base);
  return found;
}

function operatorPrefix(path: string): string {
  if (path.length < 2) return '';
  for (const op of ['>=', '<=', '>', '<', '!']) if (path.startsWith(op)) return op;
  return '';
}

function trimChars(s: string, chars: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && chars.includes(s[start]!)) start++;
  while (end > start && chars.includes(s[end - 1]!)) end--;
  return s.slice(start, end);
}

function resolveReference(document: unknown, base: string, reference: string, path: string): unknown {
  let refPath = trimChars(reference, '$()');
  const op = operatorPrefix(refPath);
  refPath = refPath.slice(op.length);
  if (refPath === '') {
    throw new VariableError(
      `failed to resolve ${reference} at path ${path}: expected path, found empty reference`,
    );
  }
  let absolute = refPath.startsWith('/') ? joinPath('', refPath) : joinPath(path, refPath);
  if (base !== '' && !absolute.startsWith(`${base}/`) && absolute !== base)
    absolute = joinPath(base, absolute);
  const value = valueAtPath(document, base, absolute);
  if (op === '') return value;
  if (typeof value === 'string') return op + value;
  if (typeof value === 'number') return op + value.toFixed(6);
  throw new VariableError(
    `failed to resolve ${reference} at path ${path}: incorrect expression: operator ${op} does not match with value ${value === undefined ? '<nil>' : goJsonMarshal(value)}`,
  );
}

function substituteReferences(document: unknown, base: string): unknown {
  return traverse(
    document,
    base,
    (value, path) => {
      let out = value;
      for (const match of value.match(REGEX_REFERENCES) ?? []) {
        const initial = match.startsWith('$(');
        const ref = initial ? match : match.slice(1);
        const resolved = resolveReference(document, base, ref, path);
        if (resolved === undefined || resolved === null) {
          throw new VariableError(`got nil resolved variable ${ref} at path ${path}: <nil>`);
        }
        if (typeof resolved !== 'string') {
          throw new VariableError(`NotResolvedReferenceErr,reference ${ref} not resolved at path ${path}`);
        }
        out = out.replace(match, () => (initial ? '' : match[0]!) + resolved);
      }
      return out.replace(REGEX_ESCAPED_REFERENCES, (m) => m.slice(1));
    },
    (s) => s.includes('$('),
  );
}

/**
 * Kyverno's `{{@}}`: the path of the current value under request.object (or target). Kyverno's
 * paths start at the rule, so it drops "foreach" and the two elements after it (or "validate/pattern");
 * a fragment substituted without a rule path is taken to be the pattern itself.
 */
function currentValuePath(ctx: EvalContext, path: string, ruleRelative: boolean): string {
  let parts = path.split('/').filter((p) => p !== '');
  if (ruleRelative) {
    const foreach = parts.lastIndexOf('foreach');
    if (foreach >= 0) parts = parts.slice(foreach + 1);
    parts = parts.slice(2);
  }
  const prefix = Object.hasOwn(ctx.root, 'target') ? ['target'] : ['request', 'object'];
  let out = prefix.join('.');
  for (const p of parts) {
    if (/^\d+$/.test(p)) out += `[${p}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(p)) out += `.${p}`;
    else out += `.${JSON.stringify(p)}`;
  }
  return out;
}

interface Scope {
  ctx: EvalContext;
  isDelete: boolean;
  ruleRelative: boolean;
}

/** `{{ expr }}` → `expr`, remembered: the same policy strings are resolved for every document. */
const variableText = rememberedByText(4096, (raw) => raw.replaceAll('{{', '').replaceAll('}}', '').trim());

function resolveVariable(raw: string, path: string, scope: Scope): unknown {
  const { ctx, isDelete } = scope;
  let variable = variableText(raw);
  if (variable === '@') variable = currentValuePath(ctx, path, scope.ruleRelative);
  if (isDelete) variable = variable.replaceAll('request.object', 'request.oldObject');
  try {
    return ctx.query(variable);
  } catch (error) {
    throw new VariableError(`failed to resolve ${variable} at path ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Whether a string is exactly one plain variable, `/^\{\{[^{}]*\}\}$/`, without running a regular
 * expression: this is asked of every condition key and value for every resource.
 */
export function isWholeSimple(value: string): boolean {
  return (
    value.length >= 4 &&
    value.startsWith('{{') &&
    value.indexOf('{', 2) === -1 &&
    value.indexOf('}', 2) === value.length - 2 &&
    value.endsWith('}}')
  );
}

/** A variable REGEX_VARIABLES found: the text matched (prefix and variable), the prefix, the variable. */
type VariableMatch = readonly [matched: string, prefix: string, variable: string];

function variableMatches(text: string): VariableMatch[] {
  return Array.from(text.matchAll(REGEX_VARIABLES), (m) => [m[0], m[1] ?? '', m[2]!] as const);
}

/**
 * The variables of a policy's own string, found once: the same strings are substituted for every
 * resource (scanning them again made ~4 % of a scan's allocation). Later passes see substituted text,
 * different for each resource, and are scanned as they come.
 */
const variablesOfPolicyText = rememberedByText(4096, variableMatches);

function substituteString(value: string, leafPath: string, scope: Scope): unknown {
  const path = leafPath || '/';
  // The common case, a string that is one plain variable, skips the general scan.
  if (isWholeSimple(value)) return resolveVariable(value, path, scope);
  let current = value;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const matches = pass === 0 ? variablesOfPolicyText(current) : variableMatches(current);
    if (matches.length === 0) return current.replace(REGEX_ESCAPED_VARIABLES, (m) => m.slice(1));
    const original = current;
    for (const m of matches) {
      const prefix = m[1];
      const v = m[2];
      const resolved = resolveVariable(v, path, scope);
      if (original === v) return resolved;
      const text = typeof resolved === 'string' ? resolved : goJsonMarshal(resolved);
      current = current.replace(m[0], () => prefix + text);
    }
    // Nothing left to substitute or unescape: the next pass would find no match and change nothing.
    if (!current.includes('{{')) return current;
  }
  throw new VariableError(`failed to resolve variables at path ${path}: too many nested substitutions`);
}

/**
 * Substitutes `$()` references and `{{ }}` variables in a policy fragment; `path` is the fragment's
 * JSON pointer within the rule (e.g. "/validate/pattern"), used for messages and `{{@}}`.
 * Throws VariableError with Kyverno's messages for anything unresolvable.
 */
export function substituteVariables<T>(value: T, ctx: EvalContext, path = ''): T {
  // Conditions substitute their key and value one by one, mostly scalars and single-variable strings:
  // those are answered without the two traversals below (same results: a scalar or a string without
  // "{{" or "$(" is returned as it is, and a lone "{{ expr }}" resolves to the variable's value).
  if (typeof value !== 'object' || value === null) {
    if (typeof value !== 'string') return value;
    if (!value.includes('$(')) {
      if (!value.includes('{{')) return value;
      if (path === '' && isWholeSimple(value)) {
        const scope: Scope = { ctx, isDelete: ctx.operation() === 'DELETE', ruleRelative: false };
        return resolveVariable(value, '/', scope) as T;
      }
    }
  } else if (!mayNeedSubstitution(value)) return value;
  const base = path.replace(/\/+$/, '');
  const withRefs = substituteReferences(value, base);
  const scope: Scope = { ctx, isDelete: ctx.operation() === 'DELETE', ruleRelative: base !== '' };
  return traverse(
    withRefs,
    base,
    (s, p) => substituteString(s, p, scope),
    (s) => s.includes('{{'),
  ) as T;
}
