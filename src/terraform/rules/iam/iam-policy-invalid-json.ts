import type { TerraformRule } from '../rule.js';
import { allow } from './examples.js';
import { POLICY_INVALID, policyDocuments } from './policy-documents.js';

export { POLICY_INVALID };

export const iamPolicyInvalidJson: TerraformRule = {
  meta: POLICY_INVALID,
  async check(module) {
    return (await policyDocuments(module)).results.filter((r) => r.rule === POLICY_INVALID.id);
  },
  cases: {
    files: {
      'broken.json': '{"Version": "2012-10-17", "Statement": [}',
      'ok.json':
        '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}',
    },
    fire: [
      `resource "aws_iam_policy" "p" {\n  policy = <<EOT\n{"Version": "2012-10-17", "Statement": [],}\nEOT\n}\n`,
      `resource "aws_iam_policy" "p" {\n  policy = "not json"\n}\n`,
      `resource "aws_s3_bucket_policy" "p" {\n  bucket = "b"\n  policy = file("\${path.module}/broken.json")\n}\n`,
    ],
    pass: [
      `resource "aws_iam_policy" "p" {\n  policy = <<EOT\n{"Version": "2012-10-17", "Statement": []}\nEOT\n}\n`,
      `resource "aws_iam_policy" "p" {\n  policy = ${allow('s3:GetObject', 'arn:aws:s3:::b/*')}\n}\n`,
      `resource "aws_s3_bucket_policy" "p" {\n  bucket = "b"\n  policy = file("\${path.module}/ok.json")\n}\n`,
    ],
  },
};
