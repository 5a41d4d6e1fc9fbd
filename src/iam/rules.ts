import type { RuleMeta } from '../core/rule.js';
import type { Severity } from '../core/severity.js';

/**
 * The IAM lint rules (docs/iam.md#iam000 ...). A finding may refine the title, severity and fix (IAM001 is
 * critical for `"*"` and high for `service:*`); the id, pack and docs link always come from here.
 */
const rule = <const Id extends string>(
  id: Id,
  title: string,
  severity: Severity,
  fix: string,
): RuleMeta & { id: Id; fix: string } => ({
  id,
  title,
  severity,
  pack: 'iam',
  fix,
  docs: `docs/iam.md#${id.toLowerCase()}`,
});

export const IAM_RULES = {
  IAM000: rule(
    'IAM000',
    'Invalid policy document',
    'high',
    'Give the policy a Version and a Statement list of objects with Effect, Action and Resource.',
  ),
  IAM001: rule(
    'IAM001',
    'Allow of every action',
    'critical',
    'Allow only the actions the workload calls; IAM Access Analyzer can generate them from CloudTrail.',
  ),
  IAM002: rule(
    'IAM002',
    'Write access on every resource',
    'high',
    'Name the resources (ARNs) the actions may change, or add conditions such as aws:ResourceTag.',
  ),
  IAM003: rule(
    'IAM003',
    'Unknown service',
    'medium',
    'Check the service prefix in the AWS Service Authorization Reference.',
  ),
  IAM004: rule(
    'IAM004',
    'Unknown action',
    'medium',
    'Check the spelling against the AWS Service Authorization Reference; unknown actions grant nothing.',
  ),
  IAM005: rule(
    'IAM005',
    'Action does not apply to the resources given',
    'medium',
    'Give each action the resource type it acts on, or "*" for actions without resource-level permissions.',
  ),
  IAM006: rule(
    'IAM006',
    'Privilege escalation',
    'high',
    'Remove the combination, or restrict it to named resources and add a permissions boundary.',
  ),
  IAM007: rule(
    'IAM007',
    'Credentials exposure',
    'medium',
    'Grant these only to the automation that needs them, on named resources.',
  ),
  IAM008: rule(
    'IAM008',
    'Bucket policy does not require TLS',
    'medium',
    'Deny every s3:* request on the bucket and its objects when aws:SecureTransport is false.',
  ),
  IAM009: rule(
    'IAM009',
    'Malformed condition operator',
    'high',
    'Use an operator from the IAM reference, e.g. StringEquals, StringLike, ArnLike, Bool, IpAddress.',
  ),
  IAM010: rule(
    'IAM010',
    'Unknown condition key',
    'medium',
    'Check the key in the AWS Service Authorization Reference; a key that is never present makes the condition fail.',
  ),
  IAM011: rule(
    'IAM011',
    'Malformed condition value',
    'medium',
    'Give each condition operator values of its type.',
  ),
  IAM012: rule(
    'IAM012',
    'Any AWS principal can assume the role',
    'critical',
    'Name the accounts or roles that may assume the role, or add aws:PrincipalOrgID / sts:ExternalId conditions.',
  ),
  IAM013: rule(
    'IAM013',
    'Resource policy open to everyone',
    'high',
    'Name the principals, or add a condition such as aws:PrincipalOrgID, aws:SourceVpce or aws:SourceArn.',
  ),
  IAM014: rule(
    'IAM014',
    'Web identity trust without a subject condition',
    'high',
    'Add a StringEquals (or StringLike) condition on "<provider>:sub".',
  ),
  IAM015: rule(
    'IAM015',
    'Policy variables need Version 2012-10-17',
    'medium',
    'Set "Version": "2012-10-17".',
  ),
} as const satisfies Record<string, RuleMeta>;

export type IamRuleId = keyof typeof IAM_RULES;
