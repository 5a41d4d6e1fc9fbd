import { readFile } from 'node:fs/promises';
import { isObject } from '../core/document.js';
import { UserError } from '../core/errors.js';

/** A principal element: `"*"` or a map from principal type (AWS, Service, Federated, CanonicalUser) to ids. */
export type PrincipalSpec = '*' | Record<string, string[]>;

/** Condition block: operator → context key → values (always strings, as IAM compares them). */
export type ConditionSpec = Record<string, Record<string, string[]>>;

export interface PolicyStatement {
  index: number;
  sid?: string;
  effect: string;
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  principal?: PrincipalSpec;
  notPrincipal?: PrincipalSpec;
  condition?: ConditionSpec;
}

export interface IamPolicy {
  name: string;
  version?: string;
  id?: string;
  statements: PolicyStatement[];
}

function strings(value: unknown, where: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw new UserError(`${where}: expected a string or a list of strings`);
}

function conditionValues(value: unknown, where: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new UserError(`${where}: condition values must be strings, numbers or booleans`);
  });
}

function principal(value: unknown, where: string): PrincipalSpec {
  if (value === '*') return '*';
  if (!isObject(value)) throw new UserError(`${where}: expected "*" or an object of principal types`);
  const out: Record<string, string[]> = {};
  for (const [type, ids] of Object.entries(value)) out[type] = strings(ids, `${where}.${type}`);
  return out;
}

/** Reads the structure of an IAM policy (identity, resource, trust, SCP or boundary). */
export function parsePolicy(policy: unknown, name = 'policy'): IamPolicy {
  if (typeof policy === 'string') {
    try {
      policy = JSON.parse(policy);
    } catch (error) {
      throw new UserError(`${name}: invalid JSON: ${(error as Error).message}`);
    }
  }
  if (!isObject(policy)) throw new UserError(`${name}: a policy must be a JSON object`);
  const raw = policy.Statement;
  if (raw === undefined) throw new UserError(`${name}: the policy has no Statement`);
  const list = Array.isArray(raw) ? raw : [raw];
  const statements = list.map((s, index): PolicyStatement => {
    const where = `${name}: Statement[${index}]`;
    if (!isObject(s)) throw new UserError(`${where}: expected an object`);
    const stmt: PolicyStatement = { index, effect: typeof s.Effect === 'string' ? s.Effect : '' };
    if (typeof s.Sid === 'string' && s.Sid !== '') stmt.sid = s.Sid;
    if (s.Action !== undefined) stmt.action = strings(s.Action, `${where}.Action`);
    if (s.NotAction !== undefined) stmt.notAction = strings(s.NotAction, `${where}.NotAction`);
    if (s.Resource !== undefined) stmt.resource = strings(s.Resource, `${where}.Resource`);
    if (s.NotResource !== undefined) stmt.notResource = strings(s.NotResource, `${where}.NotResource`);
    if (s.Principal !== undefined) stmt.principal = principal(s.Principal, `${where}.Principal`);
    if (s.NotPrincipal !== undefined) stmt.notPrincipal = principal(s.NotPrincipal, `${where}.NotPrincipal`);
    if (s.Condition !== undefined) {
      if (!isObject(s.Condition)) throw new UserError(`${where}.Condition: expected an object`);
      const cond: ConditionSpec = {};
      for (const [op, keys] of Object.entries(s.Condition)) {
        if (!isObject(keys))
          throw new UserError(`${where}.Condition.${op}: expected an object of condition keys`);
        cond[op] = {};
        for (const [key, values] of Object.entries(keys)) {
          (cond[op] as Record<string, string[]>)[key] = conditionValues(
            values,
            `${where}.Condition.${op}.${key}`,
          );
        }
      }
      stmt.condition = cond;
    }
    return stmt;
  });
  return {
    name,
    version: typeof policy.Version === 'string' ? policy.Version : undefined,
    id: typeof policy.Id === 'string' ? policy.Id : undefined,
    statements,
  };
}

/** Reads a policy from a JSON file (`-` is stdin). */
export async function readPolicyFile(file: string): Promise<IamPolicy> {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (error) {
    throw new UserError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return parsePolicy(text.replace(/^\uFEFF/, ''), file);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
