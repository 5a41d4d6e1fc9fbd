import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseHcl } from '../../src/terraform/hcl.js';
import type { TfModule } from '../../src/terraform/model.js';
import { type PolicyText, resolvePolicyText } from '../../src/terraform/policies.js';
import { blockResource } from '../../src/terraform/scan.js';
import { tempDir } from '../helpers/index.js';

/** Parses `hcl` as one module in `dir` and resolves the `policy` attribute of resource `address`. */
async function resolveIn(
  dir: string,
  hcl: string,
  address: string,
  attribute = 'policy',
): Promise<PolicyText> {
  const file = await parseHcl(hcl, join(dir, 'main.tf'));
  const module: TfModule = { key: dir, dir, files: [file], resources: [] };
  for (const b of file.blocks) {
    const r = blockResource(b, dir);
    if (r) module.resources.push(r);
  }
  const target = module.resources.find((r) => r.address === address)!;
  return resolvePolicyText(target.values[attribute], { module, moduleDir: dir });
}

function known(t: PolicyText): unknown {
  assert.ok(t.known, `expected a known policy, got ${JSON.stringify(t)}`);
  return JSON.parse(t.text);
}

describe('policy values in Terraform', () => {
  test('jsonencode of a literal object', async () => {
    const t = await resolveIn(
      '/x',
      `resource "aws_iam_policy" "p" {\n  policy = jsonencode({\n    Version = "2012-10-17"\n    Statement = [{\n      Effect   = "Allow"\n      Action   = ["s3:GetObject"]\n      Resource = "arn:aws:s3:::b/$\${aws:username}/*"\n    }]\n  })\n}\n`,
      'aws_iam_policy.p',
    );
    assert.deepEqual(known(t), {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:GetObject'], Resource: `arn:aws:s3:::b/\${aws:username}/*` },
      ],
    });
  });

  test('heredoc JSON', async () => {
    const t = await resolveIn(
      '/x',
      `resource "aws_iam_role_policy" "p" {\n  role   = "r"\n  policy = <<-EOF\n    {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}\n  EOF\n}\n`,
      'aws_iam_role_policy.p',
    );
    assert.deepEqual(known(t), {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }],
    });
  });

  test('data.aws_iam_policy_document references are composed, following source_policy_documents', async () => {
    const t = await resolveIn(
      '/x',
      `data "aws_iam_policy_document" "base" {\n  statement {\n    sid       = "Read"\n    actions   = ["s3:GetObject"]\n    resources = ["arn:aws:s3:::a/*"]\n  }\n}\ndata "aws_iam_policy_document" "p" {\n  source_policy_documents = [data.aws_iam_policy_document.base.json]\n  statement {\n    sid       = "List"\n    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]\n    resources = ["arn:aws:s3:::a"]\n  }\n}\nresource "aws_iam_policy" "p" {\n  policy = data.aws_iam_policy_document.p.json\n}\n`,
      'aws_iam_policy.p',
    );
    assert.ok(t.known);
    assert.deepEqual(t.via, ['data.aws_iam_policy_document.p', 'data.aws_iam_policy_document.base']);
    assert.deepEqual(known(t), {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::a/*' },
        {
          Sid: 'List',
          Effect: 'Allow',
          Action: ['s3:ListBucket', 's3:GetBucketLocation'],
          Resource: 'arn:aws:s3:::a',
        },
      ],
    });
  });

  test('file() and templatefile() of files in the module', async () => {
    const tmp = await tempDir();
    try {
      await mkdir(join(tmp.path, 'policies'));
      await writeFile(join(tmp.path, 'policies/read.json'), '{"Version":"2012-10-17","Statement":[]}');
      await writeFile(
        join(tmp.path, 'policies/bucket.json.tpl'),
        `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::\${bucket}/*"}]}`,
      );
      const hcl = `resource "aws_iam_policy" "f" {\n  policy = file("\${path.module}/policies/read.json")\n}\nresource "aws_iam_policy" "t" {\n  policy = templatefile("\${path.module}/policies/bucket.json.tpl", { bucket = "logs" })\n}\nresource "aws_iam_policy" "v" {\n  policy = templatefile("\${path.module}/policies/bucket.json.tpl", { bucket = var.bucket })\n}\nresource "aws_iam_policy" "o" {\n  policy = file("/etc/passwd")\n}\n`;
      assert.deepEqual(known(await resolveIn(tmp.path, hcl, 'aws_iam_policy.f')), {
        Version: '2012-10-17',
        Statement: [],
      });
      assert.deepEqual(known(await resolveIn(tmp.path, hcl, 'aws_iam_policy.t')), {
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::logs/*' }],
      });
      const v = await resolveIn(tmp.path, hcl, 'aws_iam_policy.v');
      assert.equal(v.known, false);
      const o = await resolveIn(tmp.path, hcl, 'aws_iam_policy.o');
      assert.ok(!o.known && /outside the module/.test(o.reason));
    } finally {
      await tmp.cleanup();
    }
  });

  test('non-literal values are reported as unknown with their expression', async () => {
    const hcl = `resource "aws_iam_policy" "a" {\n  policy = var.policy\n}\nresource "aws_iam_policy" "b" {\n  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = var.actions, Resource = "*" }] })\n}\nresource "aws_iam_policy" "c" {\n  policy = data.aws_iam_policy_document.missing.json\n}\n`;
    const a = await resolveIn('/x', hcl, 'aws_iam_policy.a');
    assert.deepEqual(a, {
      known: false,
      expression: 'var.policy',
      reason: 'the value is computed by Terraform',
    });
    const b = await resolveIn('/x', hcl, 'aws_iam_policy.b');
    assert.ok(!b.known && b.reason.includes(`\${var.actions}`));
    const c = await resolveIn('/x', hcl, 'aws_iam_policy.c');
    assert.ok(!c.known && /not in this module/.test(c.reason));
  });

  test('resource ARNs that reference other resources stay as text so the rest is still checked', async () => {
    const t = await resolveIn(
      '/x',
      `resource "aws_iam_policy" "p" {\n  policy = jsonencode({\n    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "\${aws_s3_bucket.b.arn}/*" }]\n  })\n}\n`,
      'aws_iam_policy.p',
    );
    assert.deepEqual(known(t), {
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `\${aws_s3_bucket.b.arn}/*` }],
    });
  });

  test('dynamic statement blocks make a policy document unknown', async () => {
    const t = await resolveIn(
      '/x',
      `data "aws_iam_policy_document" "d" {\n  dynamic "statement" {\n    for_each = var.buckets\n    content {\n      actions   = ["s3:GetObject"]\n      resources = [statement.value]\n    }\n  }\n}\nresource "aws_iam_policy" "p" {\n  policy = data.aws_iam_policy_document.d.json\n}\n`,
      'aws_iam_policy.p',
    );
    assert.ok(!t.known && /dynamic block/.test(t.reason));
  });
});
