import { UserError } from '../core/errors.js';

export interface S3Target {
  bucket: string;
  /** Key prefix without leading or trailing slash; '' for the bucket root. */
  prefix: string;
}

/** `s3://BUCKET/PREFIX` → bucket and prefix, with the bucket naming rules S3 enforces. */
export function parseS3Url(url: string): S3Target {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(url);
  if (!m) throw new UserError(`--to must look like s3://BUCKET/PREFIX; got "${url}"`);
  const bucket = m[1];
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || bucket.includes('..'))
    throw new UserError(
      `invalid S3 bucket name "${bucket}": 3-63 lowercase letters, digits, dots and dashes`,
    );
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((s) => s === '.' || s === '..'))
    throw new UserError(`invalid S3 prefix "${prefix}": no "." or ".." segments`);
  return { bucket, prefix };
}

export function joinKey(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/');
}
