import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { failures, type RuleCases, scanFiles } from './helpers.js';

const CASES: RuleCases[] = [
  {
    rule: 'tf-log-bucket-prevent-destroy',
    fire: [
      `resource "aws_s3_bucket" "trail" {\n  bucket = "acme-trail"\n}\nresource "aws_cloudtrail" "org" {\n  name           = "org"\n  s3_bucket_name = aws_s3_bucket.trail.id\n}\n`,
      `resource "aws_s3_bucket" "logs" {\n  bucket = "acme-access-logs"\n}\nresource "aws_s3_bucket_logging" "site" {\n  bucket        = aws_s3_bucket.site.id\n  target_bucket = aws_s3_bucket.logs.id\n  target_prefix = "site/"\n}\n`,
      `resource "aws_s3_bucket" "lb_logs" {\n  bucket = "acme-lb-logs"\n  lifecycle {\n    prevent_destroy = false\n  }\n}\nresource "aws_lb" "web" {\n  name = "web"\n  access_logs {\n    bucket  = "acme-lb-logs"\n    enabled = true\n  }\n}\n`,
    ],
    pass: [
      `resource "aws_s3_bucket" "trail" {\n  bucket = "acme-trail"\n  lifecycle {\n    prevent_destroy = true\n  }\n}\nresource "aws_cloudtrail" "org" {\n  name           = "org"\n  s3_bucket_name = aws_s3_bucket.trail.id\n}\n`,
      `resource "aws_s3_bucket" "assets" {\n  bucket = "acme-assets"\n}\n`,
      `resource "aws_s3_bucket" "site" {\n  bucket = "acme-site"\n}\nresource "aws_s3_bucket_logging" "site" {\n  bucket        = aws_s3_bucket.site.id\n  target_bucket = "central-logging-bucket"\n  target_prefix = "site/"\n}\n`,
    ],
  },
  {
    rule: 'tf-state-bucket-versioning',
    fire: [
      `resource "aws_s3_bucket" "tfstate" {\n  bucket = "acme-tfstate"\n}\n`,
      `terraform {\n  backend "s3" {\n    bucket = "acme-platform-state"\n    key    = "x.tfstate"\n  }\n}\nresource "aws_s3_bucket" "state" {\n  bucket = "acme-platform-state"\n}\n`,
      `resource "aws_s3_bucket" "terraform_state" {\n  bucket = "acme-terraform-state"\n}\nresource "aws_s3_bucket_versioning" "state" {\n  bucket = aws_s3_bucket.terraform_state.id\n  versioning_configuration {\n    status = "Suspended"\n  }\n}\n`,
    ],
    pass: [
      `resource "aws_s3_bucket" "tfstate" {\n  bucket = "acme-tfstate"\n}\nresource "aws_s3_bucket_versioning" "tfstate" {\n  bucket = aws_s3_bucket.tfstate.id\n  versioning_configuration {\n    status = "Enabled"\n  }\n}\n`,
      `resource "aws_s3_bucket" "state" {\n  bucket = "acme-terraform-state"\n  versioning {\n    enabled = true\n  }\n}\n`,
      `terraform {\n  backend "s3" {\n    bucket = "acme-platform-state"\n    key    = "x.tfstate"\n  }\n}\nresource "aws_s3_bucket" "artifacts" {\n  bucket = "acme-artifacts"\n}\n`,
    ],
  },
];

describe('logging and state rules', () => {
  for (const c of CASES) {
    describe(c.rule, () => {
      c.fire.forEach((hcl, i) => {
        test(`fires on case ${i + 1}`, async () => {
          const found = await failures(hcl, c.rule, c.config);
          assert.equal(found.length, 1, `expected ${c.rule} once on:\n${hcl}`);
          assert.equal(found[0]!.category, 'terraform-state');
          assert.equal(found[0]!.resource.kind, 'aws_s3_bucket');
        });
      });
      c.pass.forEach((hcl, i) => {
        test(`does not fire on case ${i + 1}`, async () => {
          assert.deepEqual(await failures(hcl, c.rule, c.config), []);
        });
      });
    });
  }

  test('a backend declared in another directory of the tree marks the bucket as state', async () => {
    const out = await scanFiles({
      'backend/backend.tf': `terraform {\n  backend "s3" {\n    bucket = "acme-shared"\n  }\n}\n`,
      'bootstrap/main.tf': `resource "aws_s3_bucket" "b" {\n  bucket = "acme-shared"\n}\n`,
    });
    const found = out.results.filter((r) => r.rule === 'tf-state-bucket-versioning');
    assert.equal(found.length, 1);
    assert.match(found[0]!.message, /S3 backend/);
    assert.match(found[0]!.origin!.file, /bootstrap\/main\.tf$/);
  });
});
