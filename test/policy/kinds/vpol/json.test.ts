import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { REPO_ROOT, runRampart } from '../../../helpers/index.js';

const example = join(REPO_ROOT, 'examples', 'cel-json');

describe('rampart apply --json (JSON-mode ValidatingPolicy)', () => {
  test('checks a Terraform plan and names the offending address', async () => {
    const r = await runRampart([
      'apply',
      join(example, 'terraform-guardrails.yaml'),
      '--json',
      join(example, 'plan.json'),
      '-o',
      'json',
    ]);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as
      | { results?: { status: string; message: string }[] }
      | { status: string; message: string }[];
    const results = Array.isArray(out) ? out : (out.results ?? []);
    assert.equal(results.length, 1);
    assert.equal(results[0]?.status, 'fail');
    assert.equal(results[0]?.message, 'S3 buckets need an owner tag: aws_s3_bucket.scratch');
  });
  test('--json without a JSON-mode policy is a usage error', async () => {
    const r = await runRampart([
      'apply',
      join(REPO_ROOT, 'test', 'policy', 'cel', 'suites', 'vap-disallow-host-path', 'disallow-host-path.yaml'),
      '--json',
      join(example, 'plan.json'),
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--json needs a ValidatingPolicy with spec.evaluation.mode: JSON/);
  });
});
