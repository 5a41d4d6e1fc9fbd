import type { Result } from '../../../core/result.js';
import { literalValue } from '../../expr.js';
import { finding, memberOrigin, terraformRule } from '../../model.js';
import type { TerraformRule } from '../rule.js';
import { allow } from './examples.js';
import { CATEGORY, type PolicySite, policyDocuments } from './policy-documents.js';

export const INLINE_POLICY = terraformRule({
  id: 'tf-iam-inline-policy',
  title: 'Inline policy where a managed policy would do',
  severity: 'info',
  pack: CATEGORY,
  fix: 'Create one aws_iam_policy and attach it (aws_iam_role_policy_attachment, aws_iam_user_policy_attachment, aws_iam_group_policy_attachment).',
});

/**
 * Inline policies suit a strict one-to-one relationship with one role. Users and groups should get managed
 * policies, and the same inline document on several principals is a managed policy written twice.
 */
function inlineFindings(byText: Map<string, PolicySite[]>): Result[] {
  const results: Result[] = [];
  for (const sites of byText.values()) {
    const principals = new Set(sites.map((s) => principalOf(s)));
    for (const site of sites) {
      const origin = memberOrigin(site.resource, site.member);
      if (site.resource.type === 'aws_iam_user_policy' || site.resource.type === 'aws_iam_group_policy') {
        const who = site.resource.type === 'aws_iam_user_policy' ? 'user' : 'group';
        results.push(
          finding(
            site.resource,
            INLINE_POLICY,
            `inline policy on an IAM ${who}; use a managed policy attachment`,
            { origin },
          ),
        );
      } else if (principals.size > 1) {
        results.push(
          finding(
            site.resource,
            INLINE_POLICY,
            `the same inline policy is written for ${principals.size} principals; make it one managed policy`,
            {
              origin,
            },
          ),
        );
      }
    }
  }
  return results;
}

function principalOf(site: PolicySite): string {
  if (site.attribute.startsWith('inline_policy')) return site.resource.address;
  const owner = site.resource.values.role ?? site.resource.values.user ?? site.resource.values.group;
  const lit = literalValue(owner);
  return lit.known ? String(lit.value) : String(owner);
}

export const iamInlinePolicy: TerraformRule = {
  meta: INLINE_POLICY,
  async check(module) {
    return inlineFindings((await policyDocuments(module)).inlineTexts);
  },
  cases: {
    fire: [
      `resource "aws_iam_user_policy" "p" {\n  user   = "alice"\n  policy = ${allow('s3:GetObject', 'arn:aws:s3:::b/*')}\n}\n`,
      `resource "aws_iam_group_policy" "p" {\n  group  = "devs"\n  policy = ${allow('s3:GetObject', 'arn:aws:s3:::b/*')}\n}\n`,
      `resource "aws_iam_role_policy" "a" {\n  role   = "ci"\n  policy = ${allow('s3:GetObject', 'arn:aws:s3:::b/*')}\n}\nresource "aws_iam_role_policy" "b" {\n  role   = "deploy"\n  policy = ${allow('s3:GetObject', 'arn:aws:s3:::b/*')}\n}\n`,
    ],
    pass: [
      `resource "aws_iam_role_policy" "a" {\n  role   = "ci"\n  policy = ${allow('s3:GetObject', 'arn:aws:s3:::b/*')}\n}\n`,
      `resource "aws_iam_policy" "p" {\n  policy = ${allow('s3:GetObject', 'arn:aws:s3:::b/*')}\n}\nresource "aws_iam_user_policy_attachment" "a" {\n  user       = "alice"\n  policy_arn = aws_iam_policy.p.arn\n}\n`,
      `resource "aws_iam_role_policy" "a" {\n  role   = "ci"\n  policy = ${allow('s3:GetObject', 'arn:aws:s3:::b/*')}\n}\nresource "aws_iam_role_policy" "b" {\n  role   = "deploy"\n  policy = ${allow('s3:PutObject', 'arn:aws:s3:::b/*')}\n}\n`,
    ],
  },
};
