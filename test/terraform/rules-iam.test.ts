import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { failures, type RuleCases, scanFiles } from './helpers.js';

const allow = (action: string, resource: string) =>
  `jsonencode({\n    Version   = "2012-10-17"\n    Statement = [{ Effect = "Allow", Action = "${action}", Resource = "${resource}" }]\n  })`;

const CASES: RuleCases[] = [
  {
    rule: 'tf-iam-policy-unknown',
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
  {
    rule: 'tf-iam-policy-invalid-json',
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
  {
    rule: 'tf-iam-inline-policy',
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
  {
    rule: 'tf-iam-role-permissions-boundary',
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
];

const EXTRA = {
  'broken.json': '{"Version": "2012-10-17", "Statement": [}',
  'ok.json':
    '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}',
};

function failOrSkip(rule: string) {
  return rule === 'tf-iam-policy-unknown' ? 'skip' : 'fail';
}

describe('Terraform IAM rules', () => {
  for (const c of CASES) {
    describe(c.rule, () => {
      c.fire.forEach((hcl, i) => {
        test(`fires on case ${i + 1}`, async () => {
          const out = await scanFiles({ 'main.tf': hcl, ...EXTRA }, c.config);
          const found = out.results.filter((r) => r.rule === c.rule && r.status === failOrSkip(c.rule));
          assert.ok(found.length > 0, `expected ${c.rule} on:\n${hcl}`);
          assert.equal(found[0]!.category, 'terraform-iam');
        });
      });
      c.pass.forEach((hcl, i) => {
        test(`does not fire on case ${i + 1}`, async () => {
          const out = await scanFiles({ 'main.tf': hcl, ...EXTRA }, c.config);
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
