import { isObject } from '../../core/document.js';
import type { Result } from '../../core/result.js';
import { literalValue } from '../expr.js';
import {
  finding,
  memberOrigin,
  type RuleMeta,
  type TerraformScanConfig,
  type TfModule,
  type TfResource,
  terraformRule,
} from '../model.js';

/**
 * Account Factory for Terraform (AFT) account requests: module calls with `control_tower_parameters`.
 * AFT validates them only in its pipeline, 20–45 minutes after the merge; the rules beside this module
 * (one check each) run on the PR.
 */

/** One AFT check: its metadata, the check over every request of the scanned tree, and its cases. */
export interface AftRule {
  meta: RuleMeta;
  check(requests: readonly AftRequest[], config: TerraformScanConfig): Result[];
  /** Examples beside the rule (as ESLint keeps them): requests the rule passes and requests it fails. */
  cases: AftRuleCases;
}

/** Each case is the account requests of one tree (module call values), checked together. */
export interface AftRuleCases {
  valid: AftCase[];
  invalid: AftCase[];
}

export interface AftCase {
  requests: Record<string, unknown>[];
  config?: TerraformScanConfig;
}

export const aftRule = (id: string, title: string, severity: RuleMeta['severity'], fix: string): RuleMeta =>
  terraformRule({ id, title, severity, pack: 'aft', fix });

export const REQUIRED_PARAMETERS = [
  'AccountEmail',
  'AccountName',
  'ManagedOrganizationalUnit',
  'SSOUserEmail',
  'SSOUserFirstName',
  'SSOUserLastName',
];

/** A field of a request: its literal text, or the expression that makes it unknown. */
export type Field = { known: true; value: string } | { known: false; expression: string } | undefined;

export type Fields = Record<string, Field> | { unknown: string };

export interface AftRequest {
  resource: TfResource;
  parameters: Fields;
  tags: Fields | undefined;
  change: Fields | undefined;
  vpcCidr: Field;
}

export function isAftRequest(r: TfResource): boolean {
  return r.mode === 'module' && r.values.control_tower_parameters !== undefined;
}

/** The expression of a block Terraform computes, or undefined when the block is literal (or absent). */
export function unknownBlock(fields: Fields | undefined): string | undefined {
  return fields && 'unknown' in fields && typeof fields.unknown === 'string' ? fields.unknown : undefined;
}

/** The literal fields of a block; empty when the block is absent or unknown. */
export function knownFields(fields: Fields | undefined): Record<string, Field> {
  return fields === undefined || unknownBlock(fields) !== undefined ? {} : (fields as Record<string, Field>);
}

/** Keys of `required` that are absent or blank (unknown values are not missing). */
export function missingFields(fields: Record<string, Field>, required: readonly string[]): string[] {
  return required.filter((k) => {
    const f = fields[k];
    return f === undefined || (f.known && f.value.trim() === '');
  });
}

function fieldsOf(value: unknown): Fields | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) return { unknown: String(value) };
  const out: Record<string, Field> = {};
  for (const [k, v] of Object.entries(value)) out[k] = fieldOf(v);
  return out;
}

function fieldOf(v: unknown): Field {
  if (v === undefined || v === null) return undefined;
  const lit = literalValue(v);
  if (!lit.known) return { known: false, expression: lit.expression };
  return { known: true, value: typeof lit.value === 'string' ? lit.value : JSON.stringify(lit.value) };
}

export function aftRequest(resource: TfResource): AftRequest {
  const custom = resource.values.custom_fields;
  return {
    resource,
    parameters: fieldsOf(resource.values.control_tower_parameters) ?? {},
    tags: fieldsOf(resource.values.account_tags),
    change: fieldsOf(resource.values.change_management_parameters),
    vpcCidr: isObject(custom) ? fieldOf(custom.vpc_cidr) : undefined,
  };
}

export function collectAftRequests(modules: TfModule[]): AftRequest[] {
  return modules.flatMap((m) => m.resources.filter(isAftRequest).map(aftRequest));
}

/** A finding at the request's control_tower_parameters block, where most AFT checks point. */
export function parametersFinding(request: AftRequest, meta: RuleMeta, message: string): Result {
  return finding(request.resource, meta, message, {
    origin: memberOrigin(request.resource, 'control_tower_parameters'),
  });
}

/** "module.x at file:line", to name the other requests in a uniqueness finding. */
export function where(request: AftRequest): string {
  const o = request.resource.origin;
  return `${request.resource.address} at ${o.file}:${o.line}`;
}

/**
 * A check that a control_tower_parameters field is unique across requests (case-insensitively): every
 * request of a group that shares the value gets a finding naming the others.
 */
export function uniqueParameter(
  meta: RuleMeta,
  field: string,
  message: (value: string, others: string) => string,
): AftRule['check'] {
  const value = (r: AftRequest) => {
    const f = knownFields(r.parameters)[field];
    return f?.known && f.value !== '' ? f.value : undefined;
  };
  return (requests) =>
    duplicates(requests, (r) => value(r)?.toLowerCase()).flatMap((group) =>
      group.map((request) => {
        const others = group.filter((g) => g !== request).map(where);
        return parametersFinding(request, meta, message(value(request)!, others.join(', ')));
      }),
    );
}

/** Per-request checks: the findings of each request, in request order. */
export function perRequest(
  check: (request: AftRequest, config: TerraformScanConfig) => Result[],
): AftRule['check'] {
  return (requests, config) => requests.flatMap((request) => check(request, config));
}

/** Requests grouped by a key; only groups of two or more are returned. */
export function duplicates(
  requests: readonly AftRequest[],
  key: (r: AftRequest) => string | undefined,
): AftRequest[][] {
  const groups = new Map<string, AftRequest[]>();
  for (const r of requests) {
    const k = key(r);
    if (k === undefined) continue;
    const list = groups.get(k);
    if (list) list.push(r);
    else groups.set(k, [r]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

/** A request built from module call values, as a case or a planned request is checked. */
export function requestFromValues(values: Record<string, unknown>, file: string, line: number): AftRequest {
  const name = `request_${line}`;
  return aftRequest({
    address: `module.${name}`,
    mode: 'module',
    type: 'module',
    name,
    values: values as Record<string, any>,
    origin: { file, line, column: 1, index: 0 },
    moduleKey: file,
    moduleDir: undefined,
    fromPlan: false,
  });
}

/** Account request parameters that pass every check, for the rules' cases. */
export const EXAMPLE_PARAMETERS: Readonly<Record<string, string>> = {
  AccountEmail: 'team-a@example.com',
  AccountName: 'team-a',
  ManagedOrganizationalUnit: 'Workloads',
  SSOUserEmail: 'lead@example.com',
  SSOUserFirstName: 'Ada',
  SSOUserLastName: 'Lovelace',
};

/** A complete, valid account request's module values, with some arguments replaced. */
export function exampleRequest(
  overrides: Record<string, unknown> = {},
  parameters: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    source: './modules/aft-account-request',
    control_tower_parameters: { ...EXAMPLE_PARAMETERS, ...parameters },
    account_tags: { CostCenter: 'cc-1', Environment: 'prod', Project: 'payments' },
    change_management_parameters: { change_requested_by: 'Ada Lovelace', change_reason: 'new team' },
    ...overrides,
  };
}
