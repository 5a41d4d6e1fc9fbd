import type { Result } from '../../../core/result.js';
import type { RuleContext, TfModule } from '../../model.js';
import type { TerraformRule } from '../rule.js';
import { iamInlinePolicy } from './iam-inline-policy.js';
import { iamPolicyInvalidJson } from './iam-policy-invalid-json.js';
import { iamPolicyUnknown } from './iam-policy-unknown.js';
import { iamRolePermissionsBoundary } from './iam-role-permissions-boundary.js';
import { policyDocuments } from './policy-documents.js';

/** The terraform-iam pack's own rules; its policies' IAM lint findings keep the IAM rule ids (src/iam/rules.ts). */
export const IAM_RULES: readonly TerraformRule[] = [
  iamInlinePolicy,
  iamRolePermissionsBoundary,
  iamPolicyInvalidJson,
  iamPolicyUnknown,
];

/**
 * Every terraform-iam finding for one module, in the order the policies are read: unknown, invalid and
 * lint findings per policy, then inline policies, then permissions boundaries.
 */
export async function iamRules(module: TfModule, ctx: RuleContext): Promise<Result[]> {
  return [
    ...(await policyDocuments(module)).results,
    ...(await iamInlinePolicy.check(module, ctx)),
    ...(await iamRolePermissionsBoundary.check(module, ctx)),
  ];
}
