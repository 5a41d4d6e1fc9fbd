import { isUserError } from '../core/errors.js';
import type { Severity } from '../core/severity.js';
import { parseOperator } from './conditions.js';
import {
  actionInfo,
  arnFitsResourceType,
  conditionKeyKnown,
  serviceActions,
  serviceExists,
  serviceResourceTypes,
} from './data.js';
import { type IamPolicy, type PolicyStatement, parsePolicy } from './policy.js';
import { IAM_RULES, type IamRuleId } from './rules.js';
import { CREDENTIAL_EXPOSURE_ACTIONS, ESCALATION_PATHS } from './rules-data.js';
import { splitArn, wildcardMatch } from './wildcard.js';

/**
 * Least-privilege lint for IAM policies. Every finding has a stable id (documented in docs/iam.md),
 * a severity and a fix; `statementIndex` points at the statement when one is to blame.
 */
export type PolicyKind = 'identity' | 'resource' | 'trust' | 'bucket' | 'kms';

export interface IamFinding {
  id: IamRuleId;
  severity: Severity;
  title: string;
  message: string;
  fix: string;
  statementIndex?: number;
}

export interface LintOptions {
  kind?: PolicyKind;
}

/** IAM000: the input is not a policy document IAM would accept. */
export function invalidDocument(message: string, fix: string = IAM_RULES.IAM000.fix): IamFinding {
  const { id, severity, title } = IAM_RULES.IAM000;
  return { id, severity, title, message, fix };
}

export const POLICY_KINDS: readonly PolicyKind[] = ['identity', 'resource', 'trust', 'bucket', 'kms'];

export function lintPolicy(policy: unknown, options: LintOptions = {}): IamFinding[] {
  const kind = options.kind ?? 'identity';
  let parsed: IamPolicy;
  try {
    parsed = parsePolicy(policy, 'policy');
  } catch (error) {
    if (!isUserError(error)) throw error;
    return [invalidDocument(error.message.replace(/^policy: /, ''))];
  }
  const findings: IamFinding[] = [];
  checkDocument(parsed, findings);
  for (const stmt of parsed.statements) {
    checkEffect(stmt, findings);
    checkActionsKnown(stmt, findings);
    checkConditions(stmt, findings);
    if (kind === 'identity') {
      checkWildcardAction(stmt, findings);
      checkWildcardResourceWrite(stmt, findings);
      checkResourceTypes(stmt, findings);
    } else if (kind === 'resource' || kind === 'bucket') {
      checkWildcardAction(stmt, findings);
    }
    if (kind === 'trust') checkTrustPrincipal(stmt, findings);
    else if (kind !== 'identity') checkPublicResourcePolicy(stmt, findings);
    checkWebIdentity(stmt, findings);
  }
  if (kind === 'identity') {
    checkEscalation(parsed, findings);
    checkCredentialExposure(parsed, findings);
  }
  if (kind === 'bucket') checkSecureTransport(parsed, findings);
  return findings;
}

function list(values: string[], max = 5): string {
  const shown = values.slice(0, max).join(', ');
  return values.length > max ? `${shown} and ${values.length - max} more` : shown;
}

function usesVariables(policy: IamPolicy): boolean {
  return policy.statements.some((s) =>
    [
      ...(s.resource ?? []),
      ...(s.notResource ?? []),
      ...Object.values(s.condition ?? {}).flatMap((k) => Object.values(k).flat()),
    ].some((v) => v.includes('${')),
  );
}

function checkDocument(policy: IamPolicy, out: IamFinding[]): void {
  if (policy.version !== '2012-10-17' && usesVariables(policy)) {
    out.push({
      id: 'IAM015',
      severity: 'medium',
      title: 'Policy variables need Version 2012-10-17',
      message: `policy variables such as \${aws:username} are literal text under Version ${policy.version ?? '(none, which means 2008-10-17)'}`,
      fix: 'Set "Version": "2012-10-17".',
    });
  }
}

function checkEffect(stmt: PolicyStatement, out: IamFinding[]): void {
  if (stmt.effect === 'Allow' || stmt.effect === 'Deny') return;
  out.push({
    ...invalidDocument(
      `Statement[${stmt.index}] has Effect "${stmt.effect}"; IAM accepts only "Allow" or "Deny"`,
      'Set Effect to "Allow" or "Deny" (case-sensitive).',
    ),
    statementIndex: stmt.index,
  });
}

function splitAction(action: string): [string, string] | undefined {
  const colon = action.indexOf(':');
  if (colon <= 0) return undefined;
  return [action.slice(0, colon), action.slice(colon + 1)];
}

/** The known actions a pattern such as `s3:Put*` expands to (lower-case names with service prefix). */
export function expandAction(pattern: string): string[] {
  const parts = splitAction(pattern);
  if (!parts) return [];
  const [service, name] = parts;
  if (service.includes('*') || service.includes('?')) return [];
  const actions = serviceActions(service);
  if (!actions) return [];
  return Object.values(actions)
    .filter((a) => wildcardMatch(name, a.name, { ignoreCase: true }))
    .map((a) => `${service.toLowerCase()}:${a.name}`);
}

function checkActionsKnown(stmt: PolicyStatement, out: IamFinding[]): void {
  for (const action of [...(stmt.action ?? []), ...(stmt.notAction ?? [])]) {
    if (action === '*') continue;
    const parts = splitAction(action);
    if (!parts) {
      out.push({
        id: 'IAM004',
        severity: 'medium',
        title: 'Unknown action',
        message: `"${action}" is not of the form service:Action`,
        fix: 'Write actions as "service:ActionName", e.g. "s3:GetObject".',
        statementIndex: stmt.index,
      });
      continue;
    }
    const [service, name] = parts;
    if (/[*?]/.test(service)) continue;
    if (!serviceExists(service)) {
      out.push({
        id: 'IAM003',
        severity: 'medium',
        title: 'Unknown service',
        message: `"${service}" in "${action}" is not an AWS service prefix`,
        fix: 'Check the service prefix in the AWS Service Authorization Reference.',
        statementIndex: stmt.index,
      });
      continue;
    }
    const known = /[*?]/.test(name)
      ? expandAction(action).length > 0
      : actionInfo(service, name) !== undefined;
    if (!known) {
      out.push({
        id: 'IAM004',
        severity: 'medium',
        title: 'Unknown action',
        message: /[*?]/.test(name)
          ? `"${action}" matches no ${service} action`
          : `"${action}" is not an action of ${service}`,
        fix: 'Check the spelling against the AWS Service Authorization Reference; unknown actions grant nothing.',
        statementIndex: stmt.index,
      });
    }
  }
}

function checkWildcardAction(stmt: PolicyStatement, out: IamFinding[]): void {
  if (stmt.effect !== 'Allow') return;
  if (stmt.notAction) {
    out.push({
      id: 'IAM001',
      severity: 'high',
      title: 'Allow with NotAction',
      message: `Statement[${stmt.index}] allows every action except ${list(stmt.notAction)}, including actions AWS adds later`,
      fix: 'List the actions to allow in Action instead of excluding some with NotAction.',
      statementIndex: stmt.index,
    });
  }
  for (const action of stmt.action ?? []) {
    const full = action === '*' || action === '*:*';
    const service = !full && /^[^:*?]+:\*$/.test(action);
    if (!full && !service) continue;
    out.push({
      id: 'IAM001',
      severity: full ? 'critical' : 'high',
      title: full ? 'Allow of every action' : 'Allow of every action of a service',
      message: `Statement[${stmt.index}] allows "${action}"${full ? ' (administrator access)' : ''}`,
      fix: 'Allow only the actions the workload calls; IAM Access Analyzer can generate them from CloudTrail.',
      statementIndex: stmt.index,
    });
  }
}

function writeLevel(level: string): 'permissions' | 'write' | undefined {
  if (level.includes('Permissions management')) return 'permissions';
  if (level.includes('Write')) return 'write';
  return undefined;
}

function checkWildcardResourceWrite(stmt: PolicyStatement, out: IamFinding[]): void {
  if (stmt.effect !== 'Allow' || !stmt.resource?.includes('*') || !stmt.action) return;
  const permissions: string[] = [];
  const writes: string[] = [];
  for (const pattern of stmt.action) {
    if (pattern === '*') continue;
    for (const action of expandAction(pattern)) {
      const [service, name] = splitAction(action) as [string, string];
      const info = actionInfo(service, name);
      // Actions that support no resource type can only be granted on "*".
      if (!info || info.resourceTypes.length === 0) continue;
      const level = writeLevel(info.accessLevel);
      if (level === 'permissions') permissions.push(`${service}:${info.name}`);
      else if (level === 'write') writes.push(`${service}:${info.name}`);
    }
  }
  if (permissions.length + writes.length === 0) return;
  out.push({
    id: 'IAM002',
    severity: permissions.length > 0 ? 'high' : 'medium',
    title:
      permissions.length > 0 ? 'Permissions management on every resource' : 'Write access on every resource',
    message: `Statement[${stmt.index}] allows ${list([...permissions, ...writes])} on Resource "*"`,
    fix: 'Name the resources (ARNs) the actions may change, or add conditions such as aws:ResourceTag.',
    statementIndex: stmt.index,
  });
}

/**
 * "the ARN of a bucket (arn:aws:s3:::<BucketName>)", from AWS's own ARN formats, so the fix names the
 * resource the action takes (s3:ListBucket: the bucket, not bucket/*).
 */
function resourceTypeExamples(
  resourceTypes: readonly { name: string }[],
  types: Record<string, { arn: string } | undefined>,
): string {
  const examples = resourceTypes.slice(0, 2).map((rt) => {
    const arn = types[rt.name.toLowerCase()]?.arn;
    const example = arn?.replaceAll('${Partition}', 'aws').replace(/\$\{([A-Za-z]+)\}/g, '<$1>');
    const article = /^[aeiou]/i.test(rt.name) ? 'an' : 'a';
    return example ? `${article} ${rt.name} (${example})` : `${article} ${rt.name}`;
  });
  return `the ARN of ${examples.join(' or ')}`;
}

function checkResourceTypes(stmt: PolicyStatement, out: IamFinding[]): void {
  if (stmt.effect !== 'Allow' || !stmt.action || !stmt.resource || stmt.resource.includes('*')) return;
  const arns = stmt.resource.filter((r) => splitArn(r) !== null && !r.startsWith('${'));
  if (arns.length === 0) return;
  for (const action of stmt.action) {
    const parts = splitAction(action);
    if (!parts || /[*?]/.test(action)) continue;
    const info = actionInfo(parts[0], parts[1]);
    if (!info) continue;
    if (info.resourceTypes.length === 0) {
      out.push({
        id: 'IAM005',
        severity: 'medium',
        title: 'Action does not support resource-level permissions',
        message: `${action} supports only Resource "*", so Statement[${stmt.index}] does not grant it on ${list(arns, 2)}`,
        fix: `Move ${action} to a statement with Resource "*" (with conditions if it supports them).`,
        statementIndex: stmt.index,
      });
      continue;
    }
    const service = parts[0].toLowerCase();
    const types = serviceResourceTypes(service);
    const fits = arns.some((arn) => {
      const arnService = splitArn(arn)?.[2] ?? '';
      if (/[*?]/.test(arnService)) return true;
      return info.resourceTypes.some((rt) => {
        const t = types[rt.name.toLowerCase()];
        // Resource types of other services (e.g. iam:PassRole on a role) are listed under their own prefix.
        if (!t) return true;
        return arnFitsResourceType(arn, t);
      });
    });
    if (!fits) {
      out.push({
        id: 'IAM005',
        severity: 'medium',
        title: 'Action does not apply to the resources given',
        message: `${action} applies to ${list(info.resourceTypes.map((r) => r.name))}, and none of ${list(arns, 2)} is one`,
        fix: `Give ${action} ${resourceTypeExamples(info.resourceTypes, types)}, or drop it.`,
        statementIndex: stmt.index,
      });
    }
  }
}

/** Whether the policy allows an action on some resource, unless an unconditional Deny on "*" removes it. */
function allows(policy: IamPolicy, action: string): boolean {
  const matches = (patterns: string[]): boolean =>
    patterns.some((p) => wildcardMatch(p, action, { ignoreCase: true }));
  const covered = (s: PolicyStatement): boolean =>
    (s.action !== undefined && matches(s.action)) || (s.notAction !== undefined && !matches(s.notAction));
  const denied = policy.statements.some(
    (s) => s.effect === 'Deny' && !s.condition && s.resource?.includes('*') && covered(s),
  );
  return !denied && policy.statements.some((s) => s.effect === 'Allow' && covered(s));
}

function isAdmin(policy: IamPolicy): boolean {
  return policy.statements.some(
    (s) =>
      s.effect === 'Allow' &&
      !s.condition &&
      s.action?.some((a) => a === '*' || a === '*:*') &&
      s.resource?.includes('*'),
  );
}

function checkEscalation(policy: IamPolicy, out: IamFinding[]): void {
  // An administrator policy is already reported (IAM001); listing every escalation path adds only noise.
  if (isAdmin(policy)) return;
  for (const path of ESCALATION_PATHS) {
    if (!path.actions.every((a) => allows(policy, a))) continue;
    out.push({
      id: 'IAM006',
      severity: path.severity,
      title: 'Privilege escalation',
      message: `allows ${path.actions.join(' + ')}: ${path.how}`,
      fix: 'Remove the combination, or restrict it to named resources and add a permissions boundary.',
    });
  }
}

function checkCredentialExposure(policy: IamPolicy, out: IamFinding[]): void {
  if (isAdmin(policy)) return;
  const exposed = CREDENTIAL_EXPOSURE_ACTIONS.filter((a) => allows(policy, a));
  if (exposed.length === 0) return;
  out.push({
    id: 'IAM007',
    severity: 'medium',
    title: 'Credentials exposure',
    message: `allows ${list(exposed)}, which return credentials, passwords or tokens`,
    fix: 'Grant these only to the automation that needs them, on named resources.',
  });
}

function checkConditions(stmt: PolicyStatement, out: IamFinding[]): void {
  for (const [operator, keys] of Object.entries(stmt.condition ?? {})) {
    const op = parseOperator(operator);
    if (!op) {
      out.push({
        id: 'IAM009',
        severity: 'high',
        title: 'Malformed condition operator',
        message: `Statement[${stmt.index}] uses condition operator "${operator}", which IAM rejects`,
        fix: 'Use an operator from the IAM reference, e.g. StringEquals, StringLike, ArnLike, Bool, IpAddress (case-sensitive).',
        statementIndex: stmt.index,
      });
      continue;
    }
    for (const [key, values] of Object.entries(keys)) {
      if (!conditionKeyKnown(key)) {
        out.push({
          id: 'IAM010',
          severity: 'medium',
          title: 'Unknown condition key',
          message: `Statement[${stmt.index}] tests "${key}", which is not a global or service condition key`,
          fix: 'Check the key in the AWS Service Authorization Reference; a key that is never present makes the condition fail.',
          statementIndex: stmt.index,
        });
      }
      const bad = badValues(op.base, values);
      if (bad.length > 0) {
        out.push({
          id: 'IAM011',
          severity: 'medium',
          title: 'Malformed condition value',
          message: `Statement[${stmt.index}]: ${operator} "${key}" cannot match ${list(bad.map((v) => `"${v}"`))}`,
          fix: `Give ${op.base} values of its type (${VALUE_HINT[op.base] ?? 'strings'}).`,
          statementIndex: stmt.index,
        });
      }
    }
  }
}

const VALUE_HINT: Record<string, string> = {
  Bool: '"true" or "false"',
  Null: '"true" or "false"',
  IpAddress: 'IP addresses or CIDR blocks',
  NotIpAddress: 'IP addresses or CIDR blocks',
};

function badValues(base: string, values: string[]): string[] {
  if (base === 'Bool' || base === 'Null') return values.filter((v) => !/^(true|false)$/i.test(v));
  if (base.startsWith('Numeric')) return values.filter((v) => !/^-?\d+(\.\d+)?$/.test(v));
  if (base.startsWith('Date')) return values.filter((v) => !/^\d+$/.test(v) && Number.isNaN(Date.parse(v)));
  if (base.endsWith('IpAddress')) {
    return values.filter((v) => !/^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]+)(\/\d{1,3})?$/.test(v));
  }
  return [];
}

function anyPrincipal(stmt: PolicyStatement): boolean {
  const p = stmt.principal;
  if (p === undefined) return false;
  if (p === '*') return true;
  return (p.AWS ?? []).includes('*') || (p['*'] ?? []).includes('*');
}

function checkTrustPrincipal(stmt: PolicyStatement, out: IamFinding[]): void {
  if (stmt.effect !== 'Allow' || stmt.condition) return;
  if (!anyPrincipal(stmt) && !stmt.notPrincipal) return;
  out.push({
    id: 'IAM012',
    severity: 'critical',
    title: 'Any AWS principal can assume the role',
    message: `Statement[${stmt.index}] trusts ${stmt.notPrincipal ? 'every principal but a few (NotPrincipal)' : 'Principal "*"'} without conditions`,
    fix: 'Name the accounts or roles that may assume the role, or add aws:PrincipalOrgID / sts:ExternalId conditions.',
    statementIndex: stmt.index,
  });
}

function checkPublicResourcePolicy(stmt: PolicyStatement, out: IamFinding[]): void {
  if (stmt.effect !== 'Allow' || stmt.condition || !anyPrincipal(stmt)) return;
  out.push({
    id: 'IAM013',
    severity: 'high',
    title: 'Resource policy open to everyone',
    message: `Statement[${stmt.index}] allows ${list(stmt.action ?? ['(NotAction)'])} to Principal "*" without conditions`,
    fix: 'Name the principals, or add a condition such as aws:PrincipalOrgID, aws:SourceVpce or aws:SourceArn.',
    statementIndex: stmt.index,
  });
}

function checkWebIdentity(stmt: PolicyStatement, out: IamFinding[]): void {
  if (stmt.effect !== 'Allow') return;
  const action = 'sts:AssumeRoleWithWebIdentity';
  const grants = stmt.action?.some((a) => wildcardMatch(a, action, { ignoreCase: true }));
  if (!grants || stmt.principal === undefined || stmt.principal === '*' || !stmt.principal.Federated) return;
  const subValues = Object.entries(stmt.condition ?? {}).flatMap(([op, keys]) =>
    parseOperator(op)?.ifExists || op.startsWith('ForAllValues:')
      ? []
      : Object.entries(keys)
          .filter(([k]) => /:sub$/i.test(k))
          .flatMap(([, v]) => v),
  );
  if (subValues.length > 0 && !subValues.every((v) => v === '*')) return;
  out.push({
    id: 'IAM014',
    severity: 'high',
    title: 'Web identity trust without a subject condition',
    message: `Statement[${stmt.index}] lets any identity of ${list(stmt.principal.Federated)} assume the role: no ":sub" condition limits which workload`,
    fix: 'Add a StringEquals (or StringLike) condition on "<provider>:sub", e.g. system:serviceaccount:NS:SA or repo:ORG/REPO:ref:refs/heads/main.',
    statementIndex: stmt.index,
  });
}

function checkSecureTransport(policy: IamPolicy, out: IamFinding[]): void {
  const enforced = policy.statements.some((s) => {
    if (s.effect !== 'Deny') return false;
    for (const [op, keys] of Object.entries(s.condition ?? {})) {
      const base = parseOperator(op)?.base;
      for (const [key, values] of Object.entries(keys)) {
        if (
          base === 'Bool' &&
          key.toLowerCase() === 'aws:securetransport' &&
          values.some((v) => v.toLowerCase() === 'false')
        ) {
          return true;
        }
        if (base?.startsWith('NumericLessThan') && key.toLowerCase() === 's3:tlsversion') return true;
      }
    }
    return false;
  });
  if (enforced) return;
  out.push({
    id: 'IAM008',
    severity: 'medium',
    title: 'Bucket policy does not require TLS',
    message: 'no statement denies requests with aws:SecureTransport = false',
    fix: 'Add {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":[bucket ARN, bucket ARN/*],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}.',
  });
}
