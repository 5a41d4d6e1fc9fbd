import { isObject } from '../core/document.js';
import { UserError } from '../core/errors.js';
import { compareBytes, fromJson, GoObject, type GoValue, goMarshal } from '../core/gojson.js';

/**
 * A port of terraform-provider-aws's `aws_iam_policy_document` data source
 * (internal/service/iam/policy_document_data_source.go and policy_model.go). Argument names are the data
 * source's own, so HCL blocks and JSON/YAML specs map onto it one to one.
 */
export interface PolicyPrincipalArgs {
  type: string;
  identifiers: string[];
}

export interface PolicyConditionArgs {
  test: string;
  variable: string;
  values: string[];
}

export interface PolicyStatementArgs {
  sid?: string;
  effect?: string;
  actions?: string[];
  not_actions?: string[];
  resources?: string[];
  not_resources?: string[];
  principals?: PolicyPrincipalArgs[];
  not_principals?: PolicyPrincipalArgs[];
  condition?: PolicyConditionArgs[];
}

export interface PolicyDocumentArgs {
  policy_id?: string;
  version?: string;
  source_policy_documents?: (string | null)[];
  override_policy_documents?: (string | null)[];
  statement?: PolicyStatementArgs[];
}

export interface ComposedPolicy {
  /** The data source's `json` attribute. */
  json: string;
  /** The data source's `minified_json` attribute. */
  minified: string;
}

const VERSIONS = ['2008-10-17', '2012-10-17'];
const PREFIX = 'writing IAM Policy Document';

interface Principal {
  type: string;
  identifiers: string | string[];
}

interface Condition {
  test: string;
  variable: string;
  values: string | string[];
}

interface Statement {
  sid: string;
  effect: string;
  action?: GoValue;
  notAction?: GoValue;
  resource?: GoValue;
  notResource?: GoValue;
  principals: Principal[];
  notPrincipals: Principal[];
  conditions: Condition[];
}

interface Doc {
  version: string;
  id: string;
  statements: Statement[];
}

export function composePolicyDocument(args: PolicyDocumentArgs): ComposedPolicy {
  const version = args.version ?? '2012-10-17';
  if (!VERSIONS.includes(version)) {
    throw new UserError(`expected version to be one of ["2008-10-17" "2012-10-17"], got ${version}`);
  }
  const merged: Doc = { version: '', id: '', statements: [] };

  const sources = validateJsonList(args.source_policy_documents, 'source_policy_documents');
  const seenSids = new Set<string>();
  sources.forEach((text, index) => {
    if (text === null) return;
    const doc = parseJsonDocument(text, `merging source document ${index}`);
    doc.statements.forEach((stmt, stmtIndex) => {
      if (stmt.sid === '') return;
      if (seenSids.has(stmt.sid)) {
        throw new UserError(
          `${PREFIX}: merging source document ${index}: duplicate Sid (${stmt.sid}) in source_policy_documents (statement ${stmtIndex}). Remove the Sid or ensure Sids are unique.`,
        );
      }
      seenSids.add(stmt.sid);
    });
    mergeDoc(merged, doc);
  });

  const own: Doc = { version, id: args.policy_id ?? '', statements: [] };
  const blockSids = new Set<string>();
  (args.statement ?? []).forEach((block, i) => {
    const sid = isObject(block) ? scalar(block.sid, `statement.${i}.sid`) : '';
    if (blockSids.has(sid)) {
      throw new UserError(`${PREFIX}: duplicate Sid (${sid}). Remove the Sid or ensure the Sid is unique.`);
    }
    if (sid !== '') blockSids.add(sid);
    own.statements.push(statementFromBlock(block, i, version));
  });
  mergeDoc(merged, own);

  const overrides = validateJsonList(args.override_policy_documents, 'override_policy_documents');
  overrides.forEach((text, index) => {
    if (text === null) return;
    mergeDoc(merged, parseJsonDocument(text, `merging override document ${index}`));
  });

  const value = docToGo(merged);
  return { json: goMarshal(value, '  '), minified: goMarshal(value) };
}

/** `Merge` from policy_model.go: Id and Version adopted, statements with a known Sid replaced in place. */
function mergeDoc(into: Doc, next: Doc): void {
  if (next.id.length > 0) into.id = next.id;
  if (next.version > into.version) into.version = next.version;
  for (const stmt of next.statements) {
    if (stmt.sid === '') {
      into.statements.push(stmt);
      continue;
    }
    const at = into.statements.findIndex((s) => s.sid === stmt.sid);
    if (at >= 0) into.statements[at] = stmt;
    else into.statements.push(stmt);
  }
}

function validateJsonList(list: unknown, name: string): (string | null)[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new UserError(`${name}: expected a list of JSON strings`);
  return list.map((item, i) => {
    if (item === null) return null;
    if (typeof item !== 'string') throw new UserError(`${name}.${i}: expected a JSON string`);
    if (item !== '') {
      try {
        JSON.parse(item);
      } catch (error) {
        throw new UserError(`"${name}.${i}" contains an invalid JSON: ${(error as Error).message}`);
      }
    }
    return item;
  });
}

// ---------------------------------------------------------------------------------------------------
// Statement blocks (the HCL side): sets are de-duplicated and sorted descending, `&{` becomes `${`.

/** `policyDecodeConfigStrings`: one element stays a string, several are sorted and reversed. */
function decodeSet(values: string[]): string | string[] {
  const unique = [...new Set(values)];
  if (unique.length === 1) return unique[0] as string;
  return unique.sort(compareBytes).reverse();
}

function replaceVars(value: string | string[], version: string): string | string[] {
  const one = (v: string): string => {
    if (version === '2008-10-17' && v.includes('&{')) {
      throw new UserError(
        `found &{ sequence in (${v}), which is not supported in document version 2008-10-17`,
      );
    }
    return v.replaceAll('&{', '${');
  };
  return typeof value === 'string' ? one(value) : value.map(one);
}

/** Terraform converts numbers and bools given for string arguments to strings. */
function scalar(value: unknown, where: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new UserError(`${where}: expected a string`);
}

function stringList(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) throw new UserError(`${where}: expected a list of strings`);
  return value.map((v, i) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new UserError(`${where}.${i}: expected a string`);
  });
}

function blockList(value: unknown, where: string): Record<string, unknown>[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v, i) => {
    if (!isObject(v)) throw new UserError(`${where}.${i}: expected an object`);
    return v;
  });
}

/** Terraform sets of blocks drop duplicates (blocks equal as values, nested sets compared as sets). */
function uniqueBlocks<T>(blocks: T[], keyOf: (block: T) => string = (b) => JSON.stringify(b)): T[] {
  const seen = new Set<string>();
  return blocks.filter((b) => {
    const key = keyOf(b);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function statementFromBlock(block: PolicyStatementArgs, index: number, version: string): Statement {
  const where = `statement.${index}`;
  if (!isObject(block)) throw new UserError(`${where}: expected an object`);
  const effect = block.effect === undefined ? 'Allow' : scalar(block.effect, `${where}.effect`);
  if (effect !== 'Allow' && effect !== 'Deny') {
    throw new UserError(`expected ${where}.effect to be one of ["Allow" "Deny"], got ${String(effect)}`);
  }
  const stmt: Statement = {
    sid: scalar(block.sid, `${where}.sid`),
    effect,
    principals: [],
    notPrincipals: [],
    conditions: [],
  };
  const actions = stringList(block.actions, `${where}.actions`);
  if (actions.length > 0) stmt.action = decodeSet(actions);
  const notActions = stringList(block.not_actions, `${where}.not_actions`);
  if (notActions.length > 0) stmt.notAction = decodeSet(notActions);
  const resources = stringList(block.resources, `${where}.resources`);
  if (resources.length > 0) stmt.resource = replaceVars(decodeSet(resources), version);
  const notResources = stringList(block.not_resources, `${where}.not_resources`);
  if (notResources.length > 0) stmt.notResource = replaceVars(decodeSet(notResources), version);
  stmt.principals = principalsFromBlocks(block.principals, `${where}.principals`, version);
  stmt.notPrincipals = principalsFromBlocks(block.not_principals, `${where}.not_principals`, version);
  const conditions = uniqueBlocks(
    blockList(block.condition, `${where}.condition`).map((c, i) => {
      const at = `${where}.condition.${i}`;
      if (typeof c.test !== 'string') throw new UserError(`${at}: "test" is required`);
      if (typeof c.variable !== 'string') throw new UserError(`${at}: "variable" is required`);
      if (c.values === undefined) throw new UserError(`${at}: "values" is required`);
      return { test: c.test, variable: c.variable, values: stringList(c.values, `${at}.values`) };
    }),
  );
  stmt.conditions = conditions.map((c) => {
    const values = replaceVars(c.values, version) as string[];
    return {
      test: c.test,
      variable: c.variable,
      values: values.length === 1 ? (values[0] as string) : values,
    };
  });
  return stmt;
}

function principalsFromBlocks(value: unknown, where: string, version: string): Principal[] {
  const blocks = uniqueBlocks(
    blockList(value, where).map((p, i) => {
      if (typeof p.type !== 'string') throw new UserError(`${where}.${i}: "type" is required`);
      if (p.identifiers === undefined) throw new UserError(`${where}.${i}: "identifiers" is required`);
      return {
        type: p.type,
        identifiers: [...new Set(stringList(p.identifiers, `${where}.${i}.identifiers`))],
      };
    }),
    (p) => JSON.stringify([p.type, [...p.identifiers].sort(compareBytes)]),
  );
  return blocks.map((p) => ({
    type: p.type,
    identifiers: replaceVars(
      p.identifiers.length === 1
        ? (p.identifiers[0] as string)
        : [...p.identifiers].sort(compareBytes).reverse(),
      version,
    ),
  }));
}

// ---------------------------------------------------------------------------------------------------
// JSON documents (source and override): decoded as Go's encoding/json decodes into the provider's
// structs, which is lenient (case-insensitive keys, unknown keys dropped) and keeps values as written.

const DOC_FIELDS = ['version', 'id', 'statement'] as const;
const STATEMENT_FIELDS = [
  'sid',
  'effect',
  'action',
  'notaction',
  'resource',
  'notresource',
  'principal',
  'notprincipal',
  'condition',
] as const;

/** Go matches JSON keys to struct fields case-insensitively; a later key overwrites an earlier one. */
function goFields<K extends string>(
  obj: Record<string, unknown>,
  fields: readonly K[],
): Partial<Record<K, unknown>> {
  const out: Partial<Record<K, unknown>> = {};
  for (const [key, value] of Object.entries(obj)) {
    const field = fields.find((f) => f === key.toLowerCase());
    if (field) out[field] = value;
  }
  return out;
}

function goTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

function parseJsonDocument(text: string, context: string): Doc {
  const fail = (message: string): never => {
    throw new UserError(`${PREFIX}: ${context}: ${message}`);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return fail(text.trim() === '' ? 'unexpected end of JSON input' : (error as Error).message);
  }
  const doc: Doc = { version: '', id: '', statements: [] };
  if (parsed === null) return doc;
  if (!isObject(parsed)) {
    return fail(`json: cannot unmarshal ${goTypeName(parsed)} into Go value of type iam.iamPolicyDoc`);
  }
  const f = goFields(parsed, DOC_FIELDS);
  for (const key of ['version', 'id'] as const) {
    const v = f[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') {
      return fail(
        `json: cannot unmarshal ${goTypeName(v)} into Go struct field iamPolicyDoc.${key === 'id' ? 'Id' : 'Version'} of type string`,
      );
    }
    doc[key] = v;
  }
  const statements = f.statement;
  if (statements !== undefined && statements !== null) {
    if (!Array.isArray(statements)) {
      return fail(
        `json: cannot unmarshal ${goTypeName(statements)} into Go struct field iamPolicyDoc.Statement of type []*iam.iamPolicyStatement`,
      );
    }
    for (const [i, s] of statements.entries()) {
      if (!isObject(s)) fail(`statement ${i}: expected an object, got ${goTypeName(s)}`);
      doc.statements.push(statementFromJson(s as Record<string, unknown>, fail));
    }
  }
  return doc;
}

function statementFromJson(obj: Record<string, unknown>, fail: (message: string) => never): Statement {
  const f = goFields(obj, STATEMENT_FIELDS);
  const str = (key: 'sid' | 'effect', field: string): string => {
    const v = f[key];
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') {
      return fail(
        `json: cannot unmarshal ${goTypeName(v)} into Go struct field iamPolicyStatement.Statement.${field} of type string`,
      );
    }
    return v;
  };
  const any = (key: 'action' | 'notaction' | 'resource' | 'notresource'): GoValue | undefined => {
    const v = f[key];
    return v === undefined || v === null ? undefined : fromJson(v);
  };
  return {
    sid: str('sid', 'Sid'),
    effect: str('effect', 'Effect'),
    action: any('action'),
    notAction: any('notaction'),
    resource: any('resource'),
    notResource: any('notresource'),
    principals: principalsFromJson(f.principal, fail),
    notPrincipals: principalsFromJson(f.notprincipal, fail),
    conditions: conditionsFromJson(f.condition, fail),
  };
}

function principalsFromJson(value: unknown, fail: (message: string) => never): Principal[] {
  if (value === undefined || value === null) return [];
  // Any string principal is read as the anonymous principal, as the provider's unmarshaller does.
  if (typeof value === 'string') return [{ type: '*', identifiers: ['*'] }];
  if (!isObject(value))
    return fail(`Unsupported data type ${goTypeName(value)} for IAMPolicyStatementPrincipalSet`);
  const out: Principal[] = [];
  for (const [type, ids] of Object.entries(value)) {
    if (typeof ids === 'string') {
      out.push({ type, identifiers: ids });
    } else if (Array.isArray(ids)) {
      ids.forEach((id, i) => {
        if (typeof id !== 'string') {
          fail(
            `Unsupported element type ${goTypeName(id)} for IAMPolicyStatementPrincipalSet.Identifiers[${i}] (principal type "${type}"): must be string`,
          );
        }
      });
      out.push({ type, identifiers: [...(ids as string[])].sort(compareBytes) });
    } else {
      fail(`Unsupported data type ${goTypeName(ids)} for IAMPolicyStatementPrincipalSet.Identifiers`);
    }
  }
  return out;
}

function conditionsFromJson(value: unknown, fail: (message: string) => never): Condition[] {
  if (value === undefined || value === null) return [];
  if (!isObject(value))
    return fail(
      `json: cannot unmarshal ${goTypeName(value)} into Go value of type map[string]map[string]interface {}`,
    );
  const out: Condition[] = [];
  for (const [test, vars] of Object.entries(value)) {
    if (vars === null) continue;
    if (!isObject(vars)) {
      return fail(`json: cannot unmarshal ${goTypeName(vars)} into Go value of type map[string]interface {}`);
    }
    for (const [variable, values] of Object.entries(vars)) {
      if (typeof values === 'string') out.push({ test, variable, values: [values] });
      else if (typeof values === 'boolean') out.push({ test, variable, values: String(values) });
      else if (Array.isArray(values)) {
        if (values.some((v) => typeof v !== 'string')) {
          // The provider does an unchecked type assertion here and crashes.
          return fail(
            `condition ${test} ${variable}: non-string value in a list (the AWS provider crashes on this; quote the values)`,
          );
        }
        out.push({ test, variable, values: [...(values as string[])] });
      }
      // Numbers and nulls are dropped silently by the provider (hashicorp/terraform-provider-aws#27020).
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Serialisation: the struct field order of iamPolicyDoc/iamPolicyStatement, maps sorted by key.

function docToGo(doc: Doc): GoObject {
  const out = new GoObject();
  if (doc.version) out.set('Version', doc.version);
  if (doc.id) out.set('Id', doc.id);
  if (doc.statements.length > 0) out.set('Statement', doc.statements.map(statementToGo));
  return out;
}

function statementToGo(s: Statement): GoObject {
  const out = new GoObject();
  if (s.sid) out.set('Sid', s.sid);
  if (s.effect) out.set('Effect', s.effect);
  if (s.action !== undefined) out.set('Action', s.action);
  if (s.notAction !== undefined) out.set('NotAction', s.notAction);
  if (s.resource !== undefined) out.set('Resource', s.resource);
  if (s.notResource !== undefined) out.set('NotResource', s.notResource);
  if (s.principals.length > 0) out.set('Principal', principalsToGo(s.principals));
  if (s.notPrincipals.length > 0) out.set('NotPrincipal', principalsToGo(s.notPrincipals));
  if (s.conditions.length > 0) out.set('Condition', conditionsToGo(s.conditions));
  return out;
}

function principalsToGo(set: Principal[]): GoValue {
  if (set.length === 1) {
    const p = set[0] as Principal;
    const ids = p.identifiers;
    if (p.type === '*' && (ids === '*' || (Array.isArray(ids) && ids.length === 1 && ids[0] === '*')))
      return '*';
  }
  const raw = new Map<string, string | string[]>();
  for (const p of set) {
    const existing = raw.get(p.type);
    if (Array.isArray(p.identifiers)) {
      let list: string[];
      if (existing === undefined) list = [];
      else if (typeof existing === 'string') list = [existing];
      else list = existing;
      list.push(...[...p.identifiers].sort(compareBytes).reverse());
      raw.set(p.type, list);
    } else if (existing === undefined) {
      raw.set(p.type, p.identifiers);
    } else if (typeof existing === 'string') {
      raw.set(p.type, [existing, p.identifiers]);
    } else {
      existing.push(p.identifiers);
    }
  }
  const out = new GoObject();
  for (const key of [...raw.keys()].sort(compareBytes)) out.set(key, raw.get(key) as GoValue);
  return out;
}

function conditionsToGo(set: Condition[]): GoValue {
  const raw = new Map<string, Map<string, string[]>>();
  for (const c of set) {
    let vars = raw.get(c.test);
    if (!vars) raw.set(c.test, (vars = new Map()));
    const values = vars.get(c.variable) ?? [];
    if (typeof c.values === 'string') values.push(c.values);
    else values.push(...c.values);
    vars.set(c.variable, values);
  }
  const out = new GoObject();
  for (const test of [...raw.keys()].sort(compareBytes)) {
    const vars = raw.get(test) as Map<string, string[]>;
    const inner = new GoObject();
    for (const variable of [...vars.keys()].sort(compareBytes)) {
      const values = vars.get(variable) as string[];
      inner.set(variable, values.length === 1 ? (values[0] as string) : values);
    }
    out.set(test, inner);
  }
  return out;
}
