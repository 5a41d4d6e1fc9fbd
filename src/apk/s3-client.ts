import { S3Client } from '@aws-sdk/client-s3';

export interface S3ClientOptions {
  region?: string;
  /** An S3-compatible store (MinIO, Ceph, R2, ...) or a test server; path-style addressing then. */
  endpoint?: string;
  profile?: string;
}

/**
 * An S3 client on the SDK's default credential and region chains. Without a configured region it
 * falls back to us-east-1, as S3 tools do: bucket requests are redirected to the bucket's region.
 */
export function createS3Client(options: S3ClientOptions): S3Client {
  const region =
    options.region ??
    (async () => {
      const probe = new S3Client({ profile: options.profile });
      try {
        return await probe.config.region();
      } catch {
        return 'us-east-1';
      } finally {
        probe.destroy();
      }
    });
  return new S3Client({
    region,
    profile: options.profile,
    ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    followRegionRedirects: true,
  });
}
