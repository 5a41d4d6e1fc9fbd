import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allow } from '../../src/terraform/rules/iam/examples.js';
import { IAM_RULES } from '../../src/terraform/rules/iam/index.js';
import { failures, type RuleCases, scanFiles } from './helpers.js';

/** The cases each rule keeps beside it (src/terraform/rules/). */
const CASES: RuleCases[] = [
  'tf-iam-policy-unknown',
  'tf-iam-policy-invalid-json',
  'tf-iam-inline-policy',
  'tf-iam-role-permissions-boundary',
]
  .map((id) => IAM_RULES.find((r) => r.meta.id === id)!)
  .map((r) => ({ rule: r.meta.id, ...r.cases }));

function failOrSkip(rule: string) {
  return rule === 'tf-iam-policy-unknown' ? 'skip' : 'fail';
}

describe('Terraform IAM rules', () => {
  for (const c of CASES) {
    describe(c.rule, () => {
      c.fire.forEach((hcl, i) => {
        test(`fires on case ${i + 1}`, async () => {
          const out = await scanFiles({ 'main.tf': hcl, ...c.files }, c.config);
          const found = out.results.filter((r) => r.rule === c.rule && r.status === failOrSkip(c.rule));
          assert.ok(found.length > 0, `expected ${c.rule} on:\n${hcl}`);
          assert.equal(found[0]!.category, 'terraform-iam');
        });
      });
      c.pass.forEach((hcl, i) => {
        test(`does not fire on case ${i + 1}`, async () => {
          const out = await scanFiles({ 'main.tf': hcl, ...c.files }, c.config);
          assert.deepEqual(
            out.results.filter((r) => r.rule === c.rule),
            [],
          );
        });
      });
    });
  }

  test('roles without a boundary are not reported unless rampart.yaml requires one', async () => {
    assert.deepEqual(await failures(CASES[3]!.fire[0]!, 'tf-iam-role-permissions-boundary'), []);
  });

  test('the unknown-policy finding names the expression', async () => {
    const out = await scanFiles({ 'main.tf': CASES[0]!.fire[0]! });
    const [r] = out.results.filter((x) => x.rule === 'tf-iam-policy-unknown');
    assert.match(r!.message, /policy: value unknown: .*\(var\.policy\)/);
    assert.equal(r!.origin!.line, 2);
  });
});

describe('IAM lint findings on Terraform policies', () => {
  const fire: [string, string][] = [
    [
      'administrator access written with jsonencode',
      `resource "aws_iam_policy" "admin" {\n  name   = "admin"\n  policy = ${allow('*', '*')}\n}\n`,
    ],
    [
      'trust policy for any AWS principal from a policy document',
      `data "aws_iam_policy_document" "trust" {\n  statement {\n    actions = ["sts:AssumeRole"]\n    principals {\n      type        = "AWS"\n      identifiers = ["*"]\n    }\n  }\n}\nresource "aws_iam_role" "r" {\n  name               = "r"\n  assume_role_policy = data.aws_iam_policy_document.trust.json\n}\n`,
    ],
    [
      'public bucket policy in a heredoc',
      `resource "aws_s3_bucket_policy" "b" {\n  bucket = "b"\n  policy = <<-EOT\n    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}\n  EOT\n}\n`,
    ],
    [
      'privilege escalation in an inline role policy block',
      `resource "aws_iam_role" "r" {\n  name               = "r"\n  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })\n  inline_policy {\n    name   = "boot"\n    policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["iam:PassRole", "ec2:RunInstances"], Resource = "*" }] })\n  }\n}\n`,
    ],
  ];
  for (const [name, hcl] of fire) {
    test(`reports ${name}`, async () => {
      const out = await scanFiles({ 'main.tf': hcl });
      const lint = out.results.filter(
        (r) => r.status === 'fail' && r.category === 'terraform-iam' && !r.rule.startsWith('tf-'),
      );
      assert.ok(lint.length > 0, `no IAM finding for ${name}`);
      for (const r of lint) {
        assert.equal(r.policy, 'terraform-iam');
        assert.ok(r.fix && r.fix.length > 0);
        assert.ok(r.origin!.line > 1, 'points at the policy attribute, not the file start');
      }
    });
  }

  const pass: [string, string][] = [
    [
      'a least-privilege policy',
      `resource "aws_iam_policy" "p" {\n  policy = ${allow('s3:GetObject', 'arn:aws:s3:::b/*')}\n}\n`,
    ],
    [
      'a service trust policy',
      `data "aws_iam_policy_document" "trust" {\n  statement {\n    actions = ["sts:AssumeRole"]\n    principals {\n      type        = "Service"\n      identifiers = ["lambda.amazonaws.com"]\n    }\n  }\n}\nresource "aws_iam_role" "r" {\n  name               = "r"\n  assume_role_policy = data.aws_iam_policy_document.trust.json\n}\n`,
    ],
    [
      'a policy whose resources reference other resources',
      `resource "aws_iam_policy" "p" {\n  policy = jsonencode({\n    Version   = "2012-10-17"\n    Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = ["\${aws_s3_bucket.b.arn}/*"] }]\n  })\n}\n`,
    ],
  ];
  for (const [name, hcl] of pass) {
    test(`is quiet on ${name}`, async () => {
      const out = await scanFiles({ 'main.tf': hcl });
      assert.deepEqual(
        out.results.filter((r) => r.status === 'fail'),
        [],
      );
    });
  }

  test('the policy kind follows the attribute: trust policies are linted as trust policies', async () => {
    const out = await scanFiles({ 'main.tf': fire[1]![1] });
    const lint = out.results.filter((r) => r.status === 'fail' && !r.rule.startsWith('tf-'));
    assert.ok(lint.every((r) => r.properties?.policyKind === 'trust'));
    assert.ok(lint.every((r) => r.resource.name === 'aws_iam_role.r' && r.origin!.line === 12));
  });
});

describe('policy documents Terraform would reject or that are SCPs', () => {
  test('duplicate Sids in a referenced policy document are invalid, with the provider message', async () => {
    const out = await scanFiles({
      'main.tf': `data "aws_iam_policy_document" "d" {\n  statement {\n    sid     = "A"\n    actions = ["s3:GetObject"]\n    resources = ["arn:aws:s3:::b/*"]\n  }\n  statement {\n    sid     = "A"\n    actions = ["s3:PutObject"]\n    resources = ["arn:aws:s3:::b/*"]\n  }\n}\nresource "aws_iam_policy" "p" {\n  policy = data.aws_iam_policy_document.d.json\n}\n`,
    });
    const invalid = out.results.filter((r) => r.rule === 'tf-iam-policy-invalid-json');
    assert.equal(invalid.length, 1);
    assert.match(invalid[0]!.message, /duplicate Sid \(A\)/);
  });

  test('a document used as a service control policy is not linted as an identity policy', async () => {
    const out = await scanFiles({
      'main.tf': `data "aws_iam_policy_document" "scp" {\n  statement {\n    effect    = "Allow"\n    actions   = ["*"]\n    resources = ["*"]\n  }\n}\nresource "aws_organizations_policy" "full" {\n  name    = "full"\n  content = data.aws_iam_policy_document.scp.json\n}\n`,
    });
    assert.deepEqual(
      out.results.filter((r) => r.status === 'fail'),
      [],
    );
  });
});
