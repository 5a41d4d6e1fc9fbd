import type { Result } from '../../../core/result.js';
import { finding, nestedBlocks, terraformRule } from '../../model.js';
import type { TerraformRule } from '../rule.js';
import { CATEGORY, managedBuckets, names } from './helpers.js';

export const LOG_BUCKET_PREVENT_DESTROY = terraformRule({
  id: 'tf-log-bucket-prevent-destroy',
  title: 'Log bucket without prevent_destroy',
  severity: 'medium',
  pack: CATEGORY,
  fix: 'Add lifecycle { prevent_destroy = true } so a plan can never delete the audit trail.',
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

export const logBucketPreventDestroy: TerraformRule = {
  meta: LOG_BUCKET_PREVENT_DESTROY,
  check(module) {
    const results: Result[] = [];
    for (const bucket of managedBuckets(module.resources)) {
      const logSources = module.resources.filter(
        (r) =>
          r !== bucket &&
          r.mode === 'managed' &&
          LOG_TARGETS.some((t) => t.type === r.type && t.get(r.values).some((v) => names(v, bucket))),
      );
      if (logSources.length === 0 || bucket.fromPlan) continue;
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
    return results;
  },
  cases: {
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
};
