import { isObject } from '../core/document.js';
import type { Result } from '../core/result.js';
import { type Cidr, overlaps, parseCidr } from './cidr.js';
import { literalValue } from './expr.js';
import {
  DEFAULT_AFT_TAGS,
  finding,
  memberOrigin,
  type RuleMeta,
  type TerraformScanConfig,
  type TfModule,
  type TfResource,
  terraformRule,
} from './model.js';

/**
 * Account Factory for Terraform (AFT) account requests: module calls with `control_tower_parameters`.
 * AFT validates them only in its pipeline, 20–45 minutes after the merge; these checks run on the PR.
 */

const CATEGORY = 'aft' as const;
const meta = (id: string, title: string, severity: RuleMeta['severity'], fix: string): RuleMeta =>
  terraformRule({ id, title, severity, pack: CATEGORY, fix });

export const AFT_REQUIRED = meta(
  'aft-required-fields',
  'Account request misses required control_tower_parameters',
  'high',
  'Set AccountEmail, AccountName, ManagedOrganizationalUnit, SSOUserEmail, SSOUserFirstName and SSOUserLastName.',
);
export const AFT_EMAIL = meta(
  'aft-account-email',
  'Invalid account email',
  'high',
  'Use a valid address of at most 64 characters for AccountEmail and SSOUserEmail.',
);
export const AFT_EMAIL_UNIQUE = meta(
  'aft-account-email-unique',
  'Account email used by another request',
  'high',
  'Every AWS account needs its own root email; use a distinct address or sub-address (name+account@example.com).',
);
export const AFT_NAME_UNIQUE = meta(
  'aft-account-name-unique',
  'Account name used by another request',
  'high',
  'Give each account request a distinct AccountName.',
);
export const AFT_OU = meta(
  'aft-organizational-unit',
  'Organizational unit not allowed',
  'high',
  'Use one of the organizational units listed in rampart.yaml (terraform.aft.organizationalUnits).',
);
export const AFT_TAGS = meta(
  'aft-account-tags',
  'Required account tags missing',
  'medium',
  'Add the missing keys to account_tags.',
);
export const AFT_CHANGE = meta(
  'aft-change-management',
  'change_management_parameters missing',
  'medium',
  'Add change_management_parameters = { change_requested_by = "...", change_reason = "..." }.',
);
export const AFT_CIDR = meta(
  'aft-vpc-cidr',
  'Invalid custom_fields.vpc_cidr',
  'high',
  'Use an IPv4 network in CIDR notation, e.g. 10.20.0.0/16.',
);
export const AFT_CIDR_OVERLAP = meta(
  'aft-vpc-cidr-overlap',
  'VPC CIDR overlaps another account request',
  'high',
  'Pick a CIDR block no other account request uses, so the VPCs can be peered or attached to a transit gateway.',
);
export const AFT_UNKNOWN = meta(
  'aft-value-unknown',
  'Account request value unknown',
  'info',
  'Write account request values as literals so they can be checked before the pipeline runs.',
);

/** Which checks an unknown field leaves undecided. */
const UNKNOWN_SKIPS: Record<string, string[]> = {
  control_tower_parameters: [
    'aft-required-fields',
    'aft-account-email',
    'aft-account-email-unique',
    'aft-account-name-unique',
    'aft-organizational-unit',
  ],
  AccountEmail: ['aft-account-email', 'aft-account-email-unique'],
  SSOUserEmail: ['aft-account-email'],
  AccountName: ['aft-account-name-unique'],
  ManagedOrganizationalUnit: ['aft-organizational-unit'],
  account_tags: ['aft-account-tags'],
  change_management_parameters: ['aft-change-management'],
  'custom_fields.vpc_cidr': ['aft-vpc-cidr', 'aft-vpc-cidr-overlap'],
};

export const AFT_RULES = [
  AFT_REQUIRED,
  AFT_EMAIL,
  AFT_EMAIL_UNIQUE,
  AFT_NAME_UNIQUE,
  AFT_OU,
  AFT_TAGS,
  AFT_CHANGE,
  AFT_CIDR,
  AFT_CIDR_OVERLAP,
];

export const REQUIRED_PARAMETERS = [
  'AccountEmail',
  'AccountName',
  'ManagedOrganizationalUnit',
  'SSOUserEmail',
  'SSOUserFirstName',
  'SSOUserLastName',
];

/** A field of a request: its literal text, or the expression that makes it unknown. */
type Field = { known: true; value: string } | { known: false; expression: string } | undefined;

export interface AftRequest {
  resource: TfResource;
  parameters: Record<string, Field> | { unknown: string };
  tags: Record<string, Field> | { unknown: string } | undefined;
  change: Record<string, Field> | { unknown: string } | undefined;
  vpcCidr: Field;
}

export function isAftRequest(r: TfResource): boolean {
  return r.mode === 'module' && r.values.control_tower_parameters !== undefined;
}

function fieldsOf(value: unknown): Record<string, Field> | { unknown: string } | undefined {
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

const EMAIL =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

export function emailProblem(email: string): string | undefined {
  if (email.length > 64) return `"${email}" is longer than the 64 characters AWS allows`;
  if (email.length < 6) return `"${email}" is shorter than the 6 characters AWS requires`;
  if (!EMAIL.test(email)) return `"${email}" is not a valid email address`;
  return undefined;
}

function allowedOu(value: string, allowed: string[]): boolean {
  // AFT accepts "Name" or "Name (ou-xxxx-yyyyyyyy)" for nested OUs; a list entry may be either form or the id.
  const m = /^(.*?)\s*\((ou-[a-z0-9]+-[a-z0-9]+)\)$/.exec(value);
  const name = m ? m[1]! : value;
  const id = m?.[2];
  return allowed.some((entry) => entry === value || entry === name || (id !== undefined && entry === id));
}

/** Every AFT check over all requests of the scanned tree. */
export function checkAftRequests(requests: AftRequest[], config: TerraformScanConfig = {}): Result[] {
  const results: Result[] = [];
  const requiredTags = config.aft?.requiredTags ?? DEFAULT_AFT_TAGS;
  const ous = config.aft?.organizationalUnits ?? [];
  const emails = new Map<string, AftRequest[]>();
  const names = new Map<string, AftRequest[]>();
  const cidrs: { request: AftRequest; cidr: Cidr }[] = [];

  for (const request of requests) {
    const r = request.resource;
    const ctpOrigin = memberOrigin(r, 'control_tower_parameters');
    const unknown = (what: string, expression: string, origin = ctpOrigin) =>
      results.push(
        finding(r, AFT_UNKNOWN, `${what} is unknown (${expression}); not checked`, {
          origin,
          status: 'skip',
          properties: { rules: UNKNOWN_SKIPS[what] ?? [] },
        }),
      );
    const params = request.parameters;
    if ('unknown' in params && typeof params.unknown === 'string') {
      unknown('control_tower_parameters', params.unknown);
    } else {
      const p = params as Record<string, Field>;
      const missing = REQUIRED_PARAMETERS.filter((k) => {
        const f = p[k];
        return f === undefined || (f.known && f.value.trim() === '');
      });
      if (missing.length > 0) {
        results.push(
          finding(r, AFT_REQUIRED, `control_tower_parameters misses ${missing.join(', ')}`, {
            origin: ctpOrigin,
          }),
        );
      }
      for (const key of ['AccountEmail', 'SSOUserEmail']) {
        const f = p[key];
        if (f && !f.known) unknown(key, f.expression);
        else if (f && f.value !== '') {
          const problem = emailProblem(f.value);
          if (problem) results.push(finding(r, AFT_EMAIL, `${key}: ${problem}`, { origin: ctpOrigin }));
        }
      }
      const email = p.AccountEmail;
      if (email?.known && email.value !== '') push(emails, email.value.toLowerCase(), request);
      const name = p.AccountName;
      if (name && !name.known) unknown('AccountName', name.expression);
      else if (name && name.value !== '') push(names, name.value.toLowerCase(), request);
      const ou = p.ManagedOrganizationalUnit;
      if (ou && !ou.known) unknown('ManagedOrganizationalUnit', ou.expression);
      else if (ou && ou.value !== '' && ous.length > 0 && !allowedOu(ou.value, ous)) {
        results.push(
          finding(
            r,
            AFT_OU,
            `ManagedOrganizationalUnit "${ou.value}" is not one of ${ous.map((o) => `"${o}"`).join(', ')}`,
            {
              origin: ctpOrigin,
            },
          ),
        );
      }
    }

    const tagsOrigin = memberOrigin(r, 'account_tags');
    if (request.tags && 'unknown' in request.tags && typeof request.tags.unknown === 'string') {
      unknown('account_tags', request.tags.unknown, tagsOrigin);
    } else if (requiredTags.length > 0) {
      const tags = (request.tags ?? {}) as Record<string, Field>;
      const missing = requiredTags.filter((k) => {
        const f = tags[k];
        return f === undefined || (f.known && f.value.trim() === '');
      });
      if (missing.length > 0) {
        results.push(
          finding(
            r,
            AFT_TAGS,
            `account_tags ${request.tags ? 'misses' : 'is absent; required tags:'} ${missing.join(', ')}`,
            {
              origin: tagsOrigin,
            },
          ),
        );
      }
    }

    const change = request.change;
    if (change === undefined) {
      results.push(finding(r, AFT_CHANGE, `${r.address} has no change_management_parameters`));
    } else if ('unknown' in change && typeof change.unknown === 'string') {
      unknown(
        'change_management_parameters',
        change.unknown,
        memberOrigin(r, 'change_management_parameters'),
      );
    } else {
      const c = change as Record<string, Field>;
      const missing = ['change_requested_by', 'change_reason'].filter(
        (k) => c[k] === undefined || (c[k]!.known && c[k]!.value.trim() === ''),
      );
      if (missing.length > 0) {
        results.push(
          finding(r, AFT_CHANGE, `change_management_parameters misses ${missing.join(', ')}`, {
            origin: memberOrigin(r, 'change_management_parameters'),
          }),
        );
      }
    }

    const cidr = request.vpcCidr;
    const cidrOrigin = memberOrigin(r, 'custom_fields');
    if (cidr && !cidr.known) unknown('custom_fields.vpc_cidr', cidr.expression, cidrOrigin);
    else if (cidr) {
      const parsed = parseCidr(cidr.value);
      if (!parsed.ok)
        results.push(
          finding(r, AFT_CIDR, `custom_fields.vpc_cidr: ${parsed.reason}`, { origin: cidrOrigin }),
        );
      else cidrs.push({ request, cidr: parsed.cidr });
    }
  }

  for (const [email, group] of emails) {
    if (group.length < 2) continue;
    for (const request of group) {
      const others = group.filter((g) => g !== request).map(where);
      results.push(
        finding(
          request.resource,
          AFT_EMAIL_UNIQUE,
          `AccountEmail ${email} is also requested by ${others.join(', ')}`,
          {
            origin: memberOrigin(request.resource, 'control_tower_parameters'),
          },
        ),
      );
    }
  }
  for (const [, group] of names) {
    if (group.length < 2) continue;
    for (const request of group) {
      const name = (request.parameters as Record<string, Field>).AccountName;
      const others = group.filter((g) => g !== request).map(where);
      results.push(
        finding(
          request.resource,
          AFT_NAME_UNIQUE,
          `AccountName "${name?.known ? name.value : ''}" is also requested by ${others.join(', ')}`,
          {
            origin: memberOrigin(request.resource, 'control_tower_parameters'),
          },
        ),
      );
    }
  }
  for (const a of cidrs) {
    const clashes = cidrs.filter((b) => b !== a && overlaps(a.cidr, b.cidr));
    if (clashes.length === 0) continue;
    results.push(
      finding(
        a.request.resource,
        AFT_CIDR_OVERLAP,
        `custom_fields.vpc_cidr ${a.cidr.text} overlaps ${clashes.map((c) => `${c.cidr.text} (${where(c.request)})`).join(', ')}`,
        { origin: memberOrigin(a.request.resource, 'custom_fields') },
      ),
    );
  }
  // A pass per request and rule, as Kyverno reports matched resources, so reports show what was checked.
  for (const request of requests) {
    const decided = new Set<string>(
      results
        .filter(
          (x) =>
            x.resource.name === request.resource.address && x.origin?.file === request.resource.origin.file,
        )
        .flatMap((x) => [x.rule, ...((x.properties?.rules as string[] | undefined) ?? [])]),
    );
    for (const rule of AFT_RULES) {
      if (!decided.has(rule.id)) {
        results.push(
          finding(request.resource, rule, `${request.resource.address} passes ${rule.id}`, {
            status: 'pass',
          }),
        );
      }
    }
  }
  return results;
}

function where(request: AftRequest): string {
  const o = request.resource.origin;
  return `${request.resource.address} at ${o.file}:${o.line}`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
