import { hclToJson } from './hcl2json.js';

/**
 * hcl2json keeps every non-literal expression as a `${...}` template string. These helpers tell literal
 * values from such expressions and evaluate the few expression shapes Rampart resolves (jsonencode of a
 * literal, file() and templatefile() of a file in the module, policy document references).
 */

/** A `${` or `%{` that is not escaped as `$${` / `%%{`. */
const INTERPOLATION = /(?<![$%])[$%]\{/;

export function hasInterpolation(value: string): boolean {
  if (!value.includes('{')) return false;
  return INTERPOLATION.test(value.replace(/\$\$\{|%%\{/g, ''));
}

/** Turns HCL's template escapes back into the characters they stand for. */
export function unescapeTemplate(value: string): string {
  return value.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
}

/** When `value` is exactly one `${ ... }` interpolation, returns the expression inside it. */
export function interpolationOnly(value: string): string | undefined {
  if (!value.startsWith('${') || !value.endsWith('}')) return undefined;
  const end = matchingBrace(value, 1);
  return end === value.length - 1 ? value.slice(2, -1).trim() : undefined;
}

/** Index of the `}` closing the `{` at `open`, skipping quoted strings and heredocs inside. */
function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\') i++;
        else if (text[i] === '$' && text[i + 1] === '{') i = matchingBrace(text, i + 1);
      }
    } else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

export type Literal = { known: true; value: unknown } | { known: false; expression: string };

/**
 * Checks that a value from hcl2json is fully literal and returns it with template escapes removed.
 * `substitutions` replaces known expressions (e.g. `path.module`) before the check.
 */
export function literalValue(value: unknown, substitutions: Record<string, string> = {}): Literal {
  let unknown: string | undefined;
  const walk = (v: unknown): unknown => {
    if (unknown !== undefined) return undefined;
    if (typeof v === 'string') {
      let s = v;
      for (const [expr, replacement] of Object.entries(substitutions))
        s = s.split(`\${${expr}}`).join(replacement);
      if (hasInterpolation(s)) {
        unknown = v;
        return undefined;
      }
      return unescapeTemplate(s);
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        if (hasInterpolation(k)) {
          unknown = k;
          return undefined;
        }
        out[unescapeTemplate(k)] = walk(item);
      }
      return out;
    }
    return v;
  };
  const value2 = walk(value);
  return unknown === undefined ? { known: true, value: value2 } : { known: false, expression: unknown };
}

/**
 * Evaluates an HCL expression's literal structure by parsing it as an attribute: hcl2json then returns
 * objects, lists and strings, with anything non-literal left as a `${...}` string.
 */
export async function expressionStructure(expression: string): Promise<unknown> {
  try {
    const raw = await hclToJson('expression.tf', `__value = ${expression}\n`);
    return raw.__value;
  } catch {
    return `\${${expression}}`;
  }
}

/** Splits the top-level, comma-separated arguments of a call like `f(a, {b = 1})` (text inside the parens). */
export function splitArguments(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last) out.push(last);
  return out;
}

/** Matches `name( ... )` spanning the whole expression and returns the argument text. */
export function callArguments(expression: string, name: string): string | undefined {
  const prefix = `${name}(`;
  if (!expression.startsWith(prefix) || !expression.endsWith(')')) return undefined;
  let depth = 0;
  for (let i = name.length; i < expression.length; i++) {
    const c = expression[i]!;
    if (c === '"') {
      for (i++; i < expression.length && expression[i] !== '"'; i++) if (expression[i] === '\\') i++;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) {
      return i === expression.length - 1 ? expression.slice(prefix.length, -1) : undefined;
    }
  }
  return undefined;
}

/**
 * Renders a Terraform template whose interpolations are plain variable names found in `vars`.
 * Anything else (directives, function calls, unknown names) makes the result unknown.
 */
export function renderTemplate(template: string, vars: Record<string, unknown>): Literal {
  let unknown: string | undefined;
  const out = template.replace(
    /(\$\$\{|%%\{)|\$\{\s*([A-Za-z_][\w-]*)\s*\}|[$%]\{[^}]*\}?/g,
    (m, escaped, name) => {
      if (escaped) return escaped.slice(1);
      if (name !== undefined && name in vars) {
        const v = vars[name];
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
      }
      unknown ??= m;
      return m;
    },
  );
  return unknown === undefined ? { known: true, value: out } : { known: false, expression: unknown };
}

/** Every `${...}` expression text found in a (possibly nested) hcl2json value. */
export function expressionsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.includes('${')) out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) expressionsIn(v, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('${')) out.push(k);
      expressionsIn(v, out);
    }
  }
  return out;
}

/** Whether any expression in `value` refers to `type.name` (e.g. `aws_s3_bucket.logs.id`). */
export function refersTo(value: unknown, type: string, name: string): boolean {
  const pattern = new RegExp(`(?<![\\w.-])${escapeRegExp(type)}\\.${escapeRegExp(name)}(?![\\w-])`);
  return expressionsIn(value).some((e) => pattern.test(e));
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
