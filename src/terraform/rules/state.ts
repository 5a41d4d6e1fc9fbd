import type { Result } from '../../core/result.js';
import { literalValue, refersTo } from '../expr.js';
import {
  finding,
  nestedBlocks,
  type RuleContext,
  type TfModule,
  type TfResource,
  terraformRule,
} from '../model.js';

const CATEGORY = 'terraform-state' as const;

export const LOG_BUCKET_PREVENT_DESTROY = terraformRule({
  id: 'tf-log-bucket-prevent-destroy',
  title: 'Log bucket without prevent_destroy',
  severity: 'medium',
  pack: CATEGORY,
  fix: 'Add lifecycle { prevent_destroy = true } so a plan can never delete the audit trail.',
});
export const STATE_BUCKET_VERSIONING = terraformRule({
  id: 'tf-state-bucket-versioning',
  title: 'Terraform state bucket without versioning',
  severity: 'high',
  pack: CATEGORY,
  fix: 'Enable versioning (aws_s3_bucket_versioning with status = "Enabled") so a corrupted or deleted state can be restored.',
});

/** Where other resources name the bucket that receives their logs. */
const LOG_TARGETS: { type: string; get: (values: Record<string, any>) => unknown[] }[] = [
  { type: 'aws_cloudtrail', get: (v) => [v.s3_bucket_name] },
  { type: 'aws_s3_bucket_logging', get: (v) => [v.target_bucket] },
  { type: 'aws_s3_bucket', get: (v) => nestedBlocks(v.logging).map((l) => l.target_bucket) },
  { type: 'aws_lb', get: (v) => nestedBlocks(v.access_logs).map((l) => l.bucket) },
  { type: 'aws_alb', get: (v) => nestedBlocks(v.access_logs).map((l) => l.bucket) },
  { type: 'aws_elb', get: (v) => nestedBlocks(v.access_logs).map((l) => l.bucket) },
  { type: 'aws_cloudfront_distribution', get: (v) => nestedBlocks(v.logging_config).map((l) => l.bucket) },
  { type: 'aws_flow_log', get: (v) => [v.log_destination] },
];

function bucketName(bucket: TfResource): string | undefined {
  const lit = literalValue(bucket.values.bucket);
  return lit.known && typeof lit.value === 'string' ? lit.value : undefined;
}

/** Whether a value names the bucket: a reference to the resource, its literal name, or its ARN. */
function names(value: unknown, bucket: TfResource): boolean {
  if (value === undefined || value === null) return false;
  if (!bucket.fromPlan && refersTo(value, 'aws_s3_bucket', bucket.name)) return true;
  const name = bucketName(bucket);
  if (name === undefined || typeof value !== 'string') return false;
  return (
    value === name ||
    value === `arn:aws:s3:::${name}` ||
    value.startsWith(`arn:aws:s3:::${name}/`) ||
    value.startsWith(`${name}.s3.`)
  );
}

export function stateRules(module: TfModule, ctx: RuleContext): Result[] {
  const results: Result[] = [];
  const buckets = module.resources.filter((r) => r.mode === 'managed' && r.type === 'aws_s3_bucket');
  const backendBuckets = new Set<string>();
  for (const m of ctx.modules) {
    for (const file of m.files) {
      for (const block of file.blocks) {
        if (block.blockType !== 'terraform') continue;
        for (const backend of nestedBlocks(block.body.backend)) {
          for (const s3 of nestedBlocks(backend.s3))
            if (typeof s3.bucket === 'string') backendBuckets.add(s3.bucket);
        }
      }
    }
  }
  for (const bucket of buckets) {
    const logSources = module.resources.filter(
      (r) =>
        r !== bucket &&
        r.mode === 'managed' &&
        LOG_TARGETS.some((t) => t.type === r.type && t.get(r.values).some((v) => names(v, bucket))),
    );
    if (logSources.length > 0 && !bucket.fromPlan) {
      const preventDestroy = nestedBlocks(bucket.values.lifecycle).some((l) => l.prevent_destroy === true);
      if (!preventDestroy) {
        results.push(
          finding(
            bucket,
            LOG_BUCKET_PREVENT_DESTROY,
            `${bucket.address} receives logs from ${logSources.map((s) => s.address).join(', ')} but has no lifecycle { prevent_destroy = true }`,
          ),
        );
      }
    }
    const name = bucketName(bucket);
    const isState =
      (name !== undefined && backendBuckets.has(name)) ||
      /(tf|terraform)[-_]?state/i.test(`${bucket.name} ${name ?? ''}`);
    if (isState && !versioned(bucket, module)) {
      const why =
        name !== undefined && backendBuckets.has(name)
          ? 'is the S3 backend of this configuration'
          : 'holds Terraform state';
      results.push(
        finding(bucket, STATE_BUCKET_VERSIONING, `${bucket.address} ${why} but has no versioning enabled`),
      );
    }
  }
  return results;
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
