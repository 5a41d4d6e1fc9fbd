import type { Result } from '../../../core/result.js';
import {
  finding,
  nestedBlocks,
  type RuleContext,
  type TfModule,
  type TfResource,
  terraformRule,
} from '../../model.js';
import type { TerraformRule } from '../rule.js';
import { bucketName, CATEGORY, managedBuckets, names } from './helpers.js';

export const STATE_BUCKET_VERSIONING = terraformRule({
  id: 'tf-state-bucket-versioning',
  title: 'Terraform state bucket without versioning',
  severity: 'high',
  pack: CATEGORY,
  fix: 'Enable versioning (aws_s3_bucket_versioning with status = "Enabled") so a corrupted or deleted state can be restored.',
});

/** Buckets named by an S3 backend anywhere in the scanned tree. */
function backendBuckets(ctx: RuleContext): Set<string> {
  const buckets = new Set<string>();
  for (const m of ctx.modules) {
    for (const file of m.files) {
      for (const block of file.blocks) {
        if (block.blockType !== 'terraform') continue;
        for (const backend of nestedBlocks(block.body.backend)) {
          for (const s3 of nestedBlocks(backend.s3))
            if (typeof s3.bucket === 'string') buckets.add(s3.bucket);
        }
      }
    }
  }
  return buckets;
}

function versioned(bucket: TfResource, module: TfModule): boolean {
  if (nestedBlocks(bucket.values.versioning).some((v) => v.enabled === true)) return true;
  return module.resources.some(
    (r) =>
      r.type === 'aws_s3_bucket_versioning' &&
      names(r.values.bucket, bucket) &&
      nestedBlocks(r.values.versioning_configuration).some((c) => c.status === 'Enabled'),
  );
}

export const stateBucketVersioning: TerraformRule = {
  meta: STATE_BUCKET_VERSIONING,
  check(module, ctx) {
    const results: Result[] = [];
    const backends = backendBuckets(ctx);
    for (const bucket of managedBuckets(module.resources)) {
      const name = bucketName(bucket);
      const isBackend = name !== undefined && backends.has(name);
      const isState = isBackend || /(tf|terraform)[-_]?state/i.test(`${bucket.name} ${name ?? ''}`);
      if (isState && !versioned(bucket, module)) {
        const why = isBackend ? 'is the S3 backend of this configuration' : 'holds Terraform state';
        results.push(
          finding(bucket, STATE_BUCKET_VERSIONING, `${bucket.address} ${why} but has no versioning enabled`),
        );
      }
    }
    return results;
  },
  cases: {
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
};
