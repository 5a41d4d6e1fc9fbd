import type { Result } from '../../../core/result.js';
import { finding, terraformRule } from '../../model.js';
import type { TerraformRule } from '../rule.js';
import { CATEGORY } from './policy-documents.js';

export const PERMISSIONS_BOUNDARY = terraformRule({
  id: 'tf-iam-role-permissions-boundary',
  title: 'Role without a permissions boundary',
  severity: 'medium',
  pack: CATEGORY,
  fix: 'Set permissions_boundary to the boundary policy ARN your organisation requires (rampart.yaml terraform.requirePermissionsBoundary).',
});

/** Only when rampart.yaml sets terraform.requirePermissionsBoundary. */
export const iamRolePermissionsBoundary: TerraformRule = {
  meta: PERMISSIONS_BOUNDARY,
  check(module, ctx) {
    const results: Result[] = [];
    if (!ctx.config.requirePermissionsBoundary) return results;
    for (const r of module.resources) {
      if (r.mode !== 'managed' || r.type !== 'aws_iam_role') continue;
      const boundary = r.values.permissions_boundary;
      if (boundary === undefined || boundary === null || boundary === '') {
        results.push(
          finding(r, PERMISSIONS_BOUNDARY, `${r.address} is created without a permissions boundary`),
        );
      }
    }
    return results;
  },
  cases: {
    config: { requirePermissionsBoundary: true },
    fire: [
      `resource "aws_iam_role" "r" {\n  name               = "r"\n  assume_role_policy = data.aws_iam_policy_document.t.json\n}\n`,
      `resource "aws_iam_role" "r" {\n  name                 = "r"\n  assume_role_policy   = "{}"\n  permissions_boundary = ""\n}\n`,
      `resource "aws_iam_role" "a" {\n  name               = "a"\n  assume_role_policy = "{}"\n  permissions_boundary = "arn:aws:iam::123456789012:policy/b"\n}\nresource "aws_iam_role" "b" {\n  name               = "b"\n  assume_role_policy = "{}"\n}\n`,
    ],
    pass: [
      `resource "aws_iam_role" "r" {\n  name                 = "r"\n  assume_role_policy   = "{}"\n  permissions_boundary = aws_iam_policy.boundary.arn\n}\n`,
      `resource "aws_iam_role" "r" {\n  name                 = "r"\n  assume_role_policy   = "{}"\n  permissions_boundary = "arn:aws:iam::123456789012:policy/b"\n}\n`,
      `resource "aws_iam_user" "u" {\n  name = "u"\n}\n`,
    ],
  },
};
