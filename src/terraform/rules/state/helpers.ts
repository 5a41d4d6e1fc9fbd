import { literalValue, refersTo } from '../../expr.js';
import type { TfResource } from '../../model.js';

export const CATEGORY = 'terraform-state' as const;

export function bucketName(bucket: TfResource): string | undefined {
  const lit = literalValue(bucket.values.bucket);
  return lit.known && typeof lit.value === 'string' ? lit.value : undefined;
}

/** Whether a value names the bucket: a reference to the resource, its literal name, or its ARN. */
export function names(value: unknown, bucket: TfResource): boolean {
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

/** The module's managed S3 buckets, which both state rules judge. */
export function managedBuckets(resources: TfResource[]): TfResource[] {
  return resources.filter((r) => r.mode === 'managed' && r.type === 'aws_s3_bucket');
}
