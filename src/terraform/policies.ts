import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { isObject } from '../core/document.js';
import type { PolicyDocumentArgs, PolicyStatementArgs } from '../iam/compose.js';
import { composePolicyDocument } from '../iam/compose.js';
import {
  callArguments,
  expressionStructure,
  hasInterpolation,
  interpolationOnly,
  literalValue,
  renderTemplate,
  splitArguments,
  unescapeTemplate,
} from './expr.js';
import { nestedBlocks, type TfModule, type TfResource } from './model.js';

/**
 * Resolves the JSON text of a policy argument. Values that depend on variables, other resources or
 * functions Rampart does not evaluate come back as unknown with the expression, never as a guess.
 *
 * Inside a policy, a reference that only names a resource ARN or a condition value (for example
 * `resources = [aws_s3_bucket.logs.arn]`) is kept as its `${...}` text, so the rest of the policy can
 * still be checked; unknown actions, effects or statement lists make the whole policy unknown.
 */
export type PolicyText =
  | {
      known: true;
      text: string;
      /** Data source addresses the text came from. */
      via: string[];
    }
  | {
      known: false;
      expression: string;
      reason: string;
      /** Set when Terraform itself would fail (e.g. duplicate Sids). */
      invalid?: boolean;
    };

export interface ResolveScope {
  module: TfModule;
  /** Directory `path.module` stands for. */
  moduleDir: string;
}

const DOC_REFERENCE =
  /^data\.aws_iam_policy_document\.([A-Za-z_][\w-]*)(?:\[[^\]]*\])?\.(json|minified_json)$/;

export async function resolvePolicyText(
  value: unknown,
  scope: ResolveScope,
  seen: string[] = [],
): Promise<PolicyText> {
  if (typeof value !== 'string') {
    if (value === undefined || value === null)
      return { known: false, expression: String(value), reason: 'no value' };
    return { known: false, expression: JSON.stringify(value), reason: 'not a string' };
  }
  if (!hasInterpolation(value)) return { known: true, text: unescapeTemplate(value), via: [] };
  const inner = interpolationOnly(value);
  if (inner === undefined) {
    return {
      known: false,
      expression: value,
      reason: 'the text interpolates values known only at apply time',
    };
  }
  const docRef = DOC_REFERENCE.exec(inner);
  if (docRef) return resolveDocumentReference(docRef[1]!, docRef[2] === 'minified_json', scope, seen, inner);

  const jsonArgs = callArguments(inner, 'jsonencode');
  if (jsonArgs !== undefined) {
    const structure = await expressionStructure(jsonArgs);
    const lit = policyLiteral(structure);
    if (!lit.known)
      return { known: false, expression: inner, reason: `${lit.expression} is not a literal value` };
    return { known: true, text: JSON.stringify(lit.value), via: [] };
  }

  const fileArgs = callArguments(inner, 'file');
  if (fileArgs !== undefined) {
    const path = await modulePath(fileArgs, scope);
    if (!path.known) return { known: false, expression: inner, reason: path.reason };
    const text = await readModuleFile(path.path);
    return text === undefined
      ? { known: false, expression: inner, reason: `cannot read ${path.path}` }
      : { known: true, text, via: [] };
  }

  const templateArgs = callArguments(inner, 'templatefile');
  if (templateArgs !== undefined) {
    const [pathExpr, varsExpr] = splitArguments(templateArgs);
    const path = await modulePath(pathExpr ?? '', scope);
    if (!path.known) return { known: false, expression: inner, reason: path.reason };
    const vars =
      varsExpr === undefined
        ? { known: true as const, value: {} }
        : literalValue(await expressionStructure(varsExpr));
    if (!vars.known || !isObject(vars.value)) {
      return { known: false, expression: inner, reason: 'the template variables are not literal' };
    }
    const template = await readModuleFile(path.path);
    if (template === undefined)
      return { known: false, expression: inner, reason: `cannot read ${path.path}` };
    const rendered = renderTemplate(template, vars.value);
    return rendered.known
      ? { known: true, text: String(rendered.value), via: [] }
      : { known: false, expression: inner, reason: `the template uses ${rendered.expression}` };
  }
  return { known: false, expression: inner, reason: 'the value is computed by Terraform' };
}

async function resolveDocumentReference(
  name: string,
  minified: boolean,
  scope: ResolveScope,
  seen: string[],
  expression: string,
): Promise<PolicyText> {
  const address = `data.aws_iam_policy_document.${name}`;
  if (seen.includes(address))
    return { known: false, expression, reason: 'the policy documents refer to each other' };
  const doc = scope.module.resources.find((r) => r.address === address);
  if (!doc) return { known: false, expression, reason: `${address} is not in this module` };
  const args = await policyDocumentArgs(doc, scope, [...seen, address]);
  if (!args.known) return { known: false, expression, reason: args.reason };
  try {
    const composed = composePolicyDocument(args.args);
    return { known: true, text: minified ? composed.minified : composed.json, via: [address, ...args.via] };
  } catch (error) {
    return { known: false, expression, reason: `${address}: ${(error as Error).message}`, invalid: true };
  }
}

export type DocumentArgs =
  | { known: true; args: PolicyDocumentArgs; via: string[] }
  | { known: false; reason: string };

/** The arguments of an `aws_iam_policy_document` data block, with referenced documents resolved. */
export async function policyDocumentArgs(
  doc: TfResource,
  scope: ResolveScope,
  seen: string[] = [],
): Promise<DocumentArgs> {
  const body = doc.values;
  if (isObject(body.dynamic) && 'statement' in body.dynamic) {
    return { known: false, reason: `${doc.address} builds statements with a dynamic block` };
  }
  if ('count' in body || 'for_each' in body) {
    return { known: false, reason: `${doc.address} uses count or for_each` };
  }
  const args: PolicyDocumentArgs = {};
  const via: string[] = [];
  for (const key of ['policy_id', 'version'] as const) {
    if (body[key] === undefined) continue;
    const lit = literalValue(body[key]);
    if (!lit.known || typeof lit.value !== 'string')
      return { known: false, reason: `${doc.address}: ${key} is not literal` };
    args[key] = lit.value;
  }
  for (const key of ['source_policy_documents', 'override_policy_documents'] as const) {
    const list = body[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) return { known: false, reason: `${doc.address}: ${key} is computed` };
    const texts: string[] = [];
    for (const item of list) {
      const text = await resolvePolicyText(item, scope, seen);
      if (!text.known)
        return { known: false, reason: `${doc.address}: ${key}: ${text.reason} (${text.expression})` };
      texts.push(text.text);
      via.push(...text.via);
    }
    args[key] = texts;
  }
  if (body.statement !== undefined) {
    const statements: PolicyStatementArgs[] = [];
    for (const block of nestedBlocks(body.statement)) {
      const statement = statementArgs(block);
      if (typeof statement === 'string') return { known: false, reason: `${doc.address}: ${statement}` };
      statements.push(statement);
    }
    args.statement = statements;
  }
  return { known: true, args, via };
}

/** Fields where an unresolved reference is kept as text because it names a resource or a value, not a permission. */
const PLACEHOLDER_LISTS = new Set(['resources', 'not_resources', 'identifiers', 'values']);

function statementArgs(block: Record<string, any>): PolicyStatementArgs | string {
  if (isObject(block.dynamic)) return 'a statement uses dynamic blocks';
  const out: Record<string, unknown> = {};
  for (const key of ['sid', 'effect'] as const) {
    if (block[key] === undefined) continue;
    const lit = literalValue(block[key]);
    if (!lit.known || typeof lit.value !== 'string') return `statement ${key} is not literal`;
    out[key] = lit.value;
  }
  for (const key of ['actions', 'not_actions', 'resources', 'not_resources'] as const) {
    if (block[key] === undefined) continue;
    const list = stringList(block[key], PLACEHOLDER_LISTS.has(key));
    if (list === undefined) return `statement ${key} is not literal`;
    out[key] = list;
  }
  for (const key of ['principals', 'not_principals'] as const) {
    if (block[key] === undefined) continue;
    const principals = [];
    for (const p of nestedBlocks(block[key])) {
      const type = literalValue(p.type);
      const identifiers = stringList(p.identifiers, true);
      if (!type.known || typeof type.value !== 'string' || identifiers === undefined)
        return `${key} are not literal`;
      principals.push({ type: type.value, identifiers });
    }
    out[key] = principals;
  }
  if (block.condition !== undefined) {
    const conditions = [];
    for (const c of nestedBlocks(block.condition)) {
      const test = literalValue(c.test);
      const variable = literalValue(c.variable);
      const values = stringList(c.values, true);
      if (!test.known || !variable.known || values === undefined) return 'a condition is not literal';
      conditions.push({ test: String(test.value), variable: String(variable.value), values });
    }
    out.condition = conditions;
  }
  return out as PolicyStatementArgs;
}

function stringList(value: unknown, placeholders: boolean): string[] | undefined {
  if (typeof value === 'string' && hasInterpolation(value)) return placeholders ? [value] : undefined;
  if (!Array.isArray(value)) return undefined;
  const out: string[] = [];
  for (const item of value) {
    if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') return undefined;
    const s = String(item);
    if (hasInterpolation(s)) {
      if (!placeholders) return undefined;
      out.push(s);
    } else out.push(unescapeTemplate(s));
  }
  return out;
}

/** Statement keys of a policy written with jsonencode where a reference may stand as text (see above). */
const PLACEHOLDER_KEYS = new Set(['Resource', 'NotResource', 'Condition', 'Principal', 'NotPrincipal']);

/** Literal structure of a jsonencode() argument, keeping references only where PLACEHOLDER_KEYS allows. */
function policyLiteral(
  structure: unknown,
): { known: true; value: unknown } | { known: false; expression: string } {
  if (!isObject(structure)) return literalValue(structure);
  const statements = structure.Statement;
  const top = literalValue({ ...structure, Statement: undefined });
  if (!top.known) return top;
  const value = top.value as Record<string, unknown>;
  if (statements === undefined) return { known: true, value };
  const list = Array.isArray(statements) ? statements : [statements];
  const out: unknown[] = [];
  for (const s of list) {
    if (!isObject(s)) {
      const lit = literalValue(s);
      if (!lit.known) return lit;
      out.push(lit.value);
      continue;
    }
    const statement: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s)) {
      if (PLACEHOLDER_KEYS.has(k)) {
        statement[k] = keepReferences(v);
        continue;
      }
      const lit = literalValue(v);
      if (!lit.known) return lit;
      statement[k] = lit.value;
    }
    out.push(statement);
  }
  value.Statement = Array.isArray(statements) ? out : out[0];
  return { known: true, value };
}

function keepReferences(value: unknown): unknown {
  if (typeof value === 'string') return hasInterpolation(value) ? value : unescapeTemplate(value);
  if (Array.isArray(value)) return value.map(keepReferences);
  if (isObject(value))
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [unescapeTemplate(k), keepReferences(v)]),
    );
  return value;
}

async function modulePath(
  expression: string,
  scope: ResolveScope,
): Promise<{ known: true; path: string } | { known: false; reason: string }> {
  const structure = await expressionStructure(expression);
  const lit = literalValue(structure, { 'path.module': '.', 'path.root': '.' });
  if (!lit.known || typeof lit.value !== 'string')
    return { known: false, reason: 'the file path is not literal' };
  const path = resolve(scope.moduleDir, lit.value);
  const rel = relative(resolve(scope.moduleDir), path);
  if (rel.startsWith('..') || isAbsolute(rel))
    return { known: false, reason: `${lit.value} is outside the module` };
  return { known: true, path };
}

async function readModuleFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Whether a resolved policy still holds unresolved references kept as text. */
export function hasPlaceholders(text: string): boolean {
  return hasInterpolation(text);
}
