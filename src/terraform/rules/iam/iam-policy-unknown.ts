import type { TerraformRule } from '../rule.js';
import { allow } from './examples.js';
import { POLICY_UNKNOWN, policyDocuments } from './policy-documents.js';

export { POLICY_UNKNOWN };

/** Reported as a skip: a policy whose value Terraform computes cannot be checked before apply. */
export const iamPolicyUnknown: TerraformRule = {
  meta: POLICY_UNKNOWN,
  async check(module) {
    return (await policyDocuments(module)).results.filter((r) => r.rule === POLICY_UNKNOWN.id);
  },
  cases: {
    fire: [
      `resource "aws_iam_policy" "p" {\n  policy = var.policy\n}\n`,
      `resource "aws_iam_role_policy" "p" {\n  role   = "r"\n  policy = templatefile("\${path.module}/p.tpl", { actions = var.actions })\n}\n`,
      `data "aws_iam_policy_document" "d" {\n  dynamic "statement" {\n    for_each = var.s\n    content {\n      actions = statement.value\n    }\n  }\n}\nresource "aws_iam_policy" "p" {\n  policy = data.aws_iam_policy_document.d.json\n}\n`,
    ],
    pass: [
      `resource "aws_iam_policy" "p" {\n  policy = ${allow('s3:GetObject', 'arn:aws:s3:::b/*')}\n}\n`,
      `resource "aws_iam_policy" "p" {\n  policy = <<EOT\n{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}\nEOT\n}\n`,
      `data "aws_iam_policy_document" "d" {\n  statement {\n    actions   = ["s3:GetObject"]\n    resources = ["\${aws_s3_bucket.b.arn}/*"]\n  }\n}\nresource "aws_iam_policy" "p" {\n  policy = data.aws_iam_policy_document.d.json\n}\n`,
    ],
  },
};
