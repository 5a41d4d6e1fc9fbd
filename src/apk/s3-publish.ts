import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { UserError } from '../core/errors.js';
import { joinKey, type S3Target } from './s3-target.js';
import { cacheControl, contentType, isForbiddenName } from './serve.js';

export interface S3SyncOptions {
  client: S3Client;
  /** The local repository directory ROOT/<branch>/<repo>, already published. */
  repoDir: string;
  target: S3Target;
  /** `<branch>/<repo>`: the key path under the prefix, mirroring the local layout. */
  repoPath: string;
  dryRun?: boolean;
  /** Remove remote packages that the new indexes no longer list. */
  delete?: boolean;
  /** Multipart part size (S3 minimum 5 MiB). */
  partSize?: number;
  concurrency?: number;
  log?: (line: string) => void;
}

export interface PlannedUpload {
  file: string;
  key: string;
  size: number;
  sha256: string;
  reason: 'new' | 'changed';
}

export interface S3SyncResult {
  uploaded: PlannedUpload[];
  unchanged: string[];
  deleted: string[];
  dryRun: boolean;
}

const INDEX = 'APKINDEX.tar.gz';
const MiB = 1024 * 1024;

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

async function localFiles(repoDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const arch of await readdir(repoDir, { withFileTypes: true })) {
    if (!arch.isDirectory() || isForbiddenName(arch.name)) continue;
    for (const f of await readdir(join(repoDir, arch.name), { withFileTypes: true })) {
      if (f.isFile() && !isForbiddenName(f.name)) out.push(join(repoDir, arch.name, f.name));
    }
  }
  return out.sort();
}

export async function listRemote(
  client: S3Client,
  bucket: string,
  prefix: string,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) if (o.Key) out.set(o.Key, o.Size ?? 0);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/** The sha256 we recorded at upload (metadata), else S3's full-object checksum when it has one. */
async function remoteSha256(client: S3Client, bucket: string, key: string): Promise<string | undefined> {
  const head = await client.send(
    new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }),
  );
  if (head.Metadata?.sha256) return head.Metadata.sha256;
  if (head.ChecksumSHA256 && !head.ChecksumSHA256.includes('-'))
    return Buffer.from(head.ChecksumSHA256, 'base64').toString('hex');
  return undefined;
}

async function runLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(workers);
}

/**
 * Mirrors a local repository directory to S3 with the serving rules of `apk serve`: packages
 * (immutable, cached for 30 days) go first and the indexes (no-store) last, so a client never
 * reads an index that names a package not uploaded yet; an upload that fails half-way leaves
 * the previous index in place. Unchanged objects (same sha256) are skipped; a published package
 * is never replaced with different content.
 */
export async function syncToS3(options: S3SyncOptions): Promise<S3SyncResult> {
  const { client, target } = options;
  const log = options.log ?? (() => {});
  const base = joinKey(target.prefix, options.repoPath);
  const remote = await listRemote(client, target.bucket, `${base}/`);
  const result: S3SyncResult = { uploaded: [], unchanged: [], deleted: [], dryRun: options.dryRun === true };
  const packages: PlannedUpload[] = [];
  const indexes: PlannedUpload[] = [];
  const localKeys = new Set<string>();
  for (const file of await localFiles(options.repoDir)) {
    const key = joinKey(base, relative(options.repoDir, file).split(sep).join('/'));
    localKeys.add(key);
    const [sha256, st] = await Promise.all([sha256File(file), stat(file)]);
    const name = key.slice(key.lastIndexOf('/') + 1);
    let reason: PlannedUpload['reason'] = 'new';
    if (remote.has(key)) {
      const sameSize = remote.get(key) === st.size;
      const remoteSum = sameSize ? await remoteSha256(client, target.bucket, key) : undefined;
      if (remoteSum === sha256) {
        result.unchanged.push(key);
        continue;
      }
      if (name.endsWith('.apk')) {
        throw new UserError(
          `s3://${target.bucket}/${key} is already published with different content; bump the release (-rN) instead of replacing it`,
        );
      }
      reason = 'changed';
    }
    (name === INDEX ? indexes : packages).push({ file, key, size: st.size, sha256, reason });
  }
  // Only in arch directories whose index is published here: elsewhere a remote index may still name them.
  const archPrefixes = new Set([...localKeys].map((k) => k.slice(0, k.lastIndexOf('/') + 1)));
  const stale = options.delete
    ? [...remote.keys()]
        .filter(
          (k) =>
            k.endsWith('.apk') && !localKeys.has(k) && archPrefixes.has(k.slice(0, k.lastIndexOf('/') + 1)),
        )
        .sort()
    : [];

  const upload = async (u: PlannedUpload) => {
    log(
      `${options.dryRun ? 'would upload' : 'upload'} ${u.reason} s3://${target.bucket}/${u.key} (${u.size} bytes)`,
    );
    if (options.dryRun) return;
    const name = u.key.slice(u.key.lastIndexOf('/') + 1);
    await new Upload({
      client,
      partSize: options.partSize ?? 8 * MiB,
      queueSize: 4,
      leavePartsOnError: false,
      params: {
        Bucket: target.bucket,
        Key: u.key,
        Body: createReadStream(u.file),
        ContentType: contentType(name),
        CacheControl: cacheControl(name),
        ChecksumAlgorithm: 'SHA256',
        Metadata: { sha256: u.sha256 },
      },
    }).done();
  };
  try {
    await runLimited(packages, options.concurrency ?? 4, async (u) => {
      await upload(u);
      result.uploaded.push(u);
    });
    // Indexes only once every package is in place.
    for (const u of indexes) {
      await upload(u);
      result.uploaded.push(u);
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(
      `upload to s3://${target.bucket}/${base} failed after ${result.uploaded.length} objects: ${(error as Error).message}; the previous index is still served, run the publish again`,
      { exitCode: 1, cause: error },
    );
  }
  for (let i = 0; i < stale.length; i += 1000) {
    const batch = stale.slice(i, i + 1000);
    for (const k of batch) log(`${options.dryRun ? 'would delete' : 'delete'} s3://${target.bucket}/${k}`);
    if (!options.dryRun) {
      const r = await client.send(
        new DeleteObjectsCommand({
          Bucket: target.bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: false },
          ChecksumAlgorithm: 'SHA256',
        }),
      );
      if (r.Errors?.length)
        throw new UserError(
          `S3 refused to delete ${r.Errors.map((e) => `${e.Key} (${e.Code})`).join(', ')}`,
          { exitCode: 1 },
        );
    }
    result.deleted.push(...batch);
  }
  return result;
}

/**
 * Copies the remote repository (`<prefix>/<branch>/<repo>/`) into a local root, so a publish
 * without a local mirror indexes the packages already there and does not drop them.
 */
export async function pullFromS3(options: {
  client: S3Client;
  target: S3Target;
  repoPath: string;
  root: string;
}): Promise<number> {
  const base = joinKey(options.target.prefix, options.repoPath);
  const remote = await listRemote(options.client, options.target.bucket, `${base}/`);
  let count = 0;
  for (const key of remote.keys()) {
    const rel = key.slice(base.length + 1);
    const parts = rel.split('/');
    if (parts.length !== 2 || parts.some((p) => p === '' || p === '.' || p === '..' || isForbiddenName(p)))
      continue;
    const dest = join(options.root, options.repoPath, ...parts);
    await mkdir(dirname(dest), { recursive: true });
    const r = await options.client.send(new GetObjectCommand({ Bucket: options.target.bucket, Key: key }));
    await pipeline(r.Body as NodeJS.ReadableStream, createWriteStream(dest));
    count++;
  }
  return count;
}

export interface PublishToS3Options {
  client: S3Client;
  target: S3Target;
  branch: string;
  repo: string;
  /** The local mirror ROOT; without one the remote repository is pulled into a temporary root. */
  root?: string;
  /** Publishes these packages first (same rules as `apk publish`); without, only syncs. */
  publishLocal?: (root: string) => Promise<void>;
  dryRun?: boolean;
  delete?: boolean;
  partSize?: number;
  log?: (line: string) => void;
}

export async function publishToS3(
  options: PublishToS3Options,
): Promise<S3SyncResult & { root: string; pulled: number }> {
  const repoPath = `${options.branch}/${options.repo}`;
  // A dry run never changes the local mirror either: it publishes into a copy.
  const needsTemp = !options.root || (options.dryRun && options.publishLocal);
  const temp = needsTemp ? await mkdtemp(join(tmpdir(), 'rampart-s3-publish-')) : undefined;
  const root = temp ?? options.root!;
  try {
    let pulled = 0;
    if (!options.root)
      pulled = await pullFromS3({ client: options.client, target: options.target, repoPath, root });
    else if (temp) {
      const from = join(options.root, options.branch, options.repo);
      if (await stat(from).catch(() => undefined))
        await cp(from, join(temp, options.branch, options.repo), { recursive: true });
    }
    if (options.publishLocal) await options.publishLocal(root);
    const repoDir = join(root, options.branch, options.repo);
    if (!(await stat(repoDir).catch(() => undefined)))
      throw new UserError(`nothing to publish: ${repoDir} does not exist and no packages were given`);
    const r = await syncToS3({
      client: options.client,
      repoDir,
      target: options.target,
      repoPath,
      dryRun: options.dryRun,
      delete: options.delete,
      partSize: options.partSize,
      log: options.log,
    });
    return { ...r, root, pulled };
  } finally {
    if (temp) await rm(temp, { recursive: true, force: true });
  }
}
