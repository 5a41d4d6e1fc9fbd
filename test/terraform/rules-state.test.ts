import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { STATE_RULES } from '../../src/terraform/rules/state/index.js';
import { failures, type RuleCases, scanFiles } from './helpers.js';

/** The cases each rule keeps beside it (src/terraform/rules/). */
const CASES: RuleCases[] = STATE_RULES.map((r) => ({ rule: r.meta.id, ...r.cases }));

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
