import { copyFile, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../core/errors.js';
import { tempPathFor } from './atomic.js';
import { packageFileName } from './build.js';
import { type IndexDirResult, indexDirectory, KNOWN_ARCHES } from './indexer.js';
import { readPackageHead } from './read.js';
import type { SigningKey } from './sign.js';

export interface PublishOptions {
  /** A directory of `.apk` files, or one `.apk` file. */
  source: string;
  root: string;
  branch: string;
  repo: string;
  keys?: SigningKey[];
  description?: string;
  /** Where noarch packages go; defaults to the arch directories that already exist. */
  arches?: string[];
  lockTimeoutMs?: number;
}

export interface PublishResult {
  repoDir: string;
  copied: string[];
  unchanged: string[];
  indexes: IndexDirResult[];
}

const SEGMENT = /^[A-Za-z0-9._-]+$/;

function checkSegment(kind: string, value: string): void {
  if (!SEGMENT.test(value) || value === '.' || value === '..') {
    throw new UserError(`invalid ${kind} "${value}": use letters, digits, dot, dash and underscore`);
  }
}

async function listPackages(source: string): Promise<string[]> {
  const st = await stat(source).catch(() => undefined);
  if (!st) throw new UserError(`${source} does not exist`);
  if (st.isFile()) return [source];
  const names = await readdir(source);
  return names
    .filter((n) => n.endsWith('.apk') && !n.startsWith('.'))
    .sort()
    .map((n) => join(source, n));
}

/**
 * A lock directory per arch directory, so two publishers never index at the same time and lose
 * each other's packages; readers are not affected (they only ever see renamed, complete files).
 */
async function withLock<T>(dir: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const lock = join(dir, '.rampart-publish.lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const st = await stat(lock).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs > 10 * 60_000) {
        await rm(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new UserError(`${dir} is locked by another publish (${lock})`);
      await sleep(25);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function copyAtomic(from: string, to: string): Promise<void> {
  const tmp = tempPathFor(to);
  try {
    await copyFile(from, tmp);
    const fh = await open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, to);
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * Places packages into `ROOT/<branch>/<repo>/<arch>/` and refreshes each touched index. Packages
 * land before the index that mentions them; a published name-version is never overwritten with
 * different content (clients holding the old index would get BAD signature).
 */
export async function publish(options: PublishOptions): Promise<PublishResult> {
  checkSegment('branch', options.branch);
  checkSegment('repository name', options.repo);
  const repoDir = join(options.root, options.branch, options.repo);
  const files = await listPackages(options.source);
  if (files.length === 0) throw new UserError(`no .apk files in ${options.source}`);
  await mkdir(repoDir, { recursive: true });
  const existingArches = (await readdir(repoDir, { withFileTypes: true }))
    .filter((d) => d.isDirectory() && (KNOWN_ARCHES as readonly string[]).includes(d.name))
    .map((d) => d.name);

  const plan = new Map<string, { from: string; name: string; identity: string; size: number }[]>();
  for (const file of files) {
    const head = await readPackageHead(file);
    const { pkgname, pkgver, arch } = head.pkginfo;
    let targets: string[];
    if (arch === 'noarch') {
      targets = options.arches && options.arches.length > 0 ? options.arches : existingArches;
      if (targets.length === 0) {
        throw new UserError(`${file} is noarch and ${repoDir} has no arch directories yet: pass --arch`);
      }
    } else {
      targets = [arch];
    }
    for (const a of targets) {
      checkSegment('arch', a);
      const list = plan.get(a) ?? [];
      list.push({
        from: file,
        name: packageFileName(pkgname, pkgver),
        identity: head.identity,
        size: head.fileSize,
      });
      plan.set(a, list);
    }
  }

  const result: PublishResult = { repoDir, copied: [], unchanged: [], indexes: [] };
  for (const [arch, packages] of [...plan].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const archDir = join(repoDir, arch);
    await mkdir(archDir, { recursive: true });
    await withLock(archDir, options.lockTimeoutMs ?? 60_000, async () => {
      for (const p of packages) {
        const dest = join(archDir, p.name);
        const existing = await stat(dest).catch(() => undefined);
        if (existing) {
          const head = await readPackageHead(dest);
          if (head.identity === p.identity && head.fileSize === p.size) {
            result.unchanged.push(dest);
            continue;
          }
          throw new UserError(
            `${dest} is already published with different content; bump the release (-rN) instead of replacing it`,
          );
        }
        await copyAtomic(p.from, dest);
        result.copied.push(dest);
      }
      const index = join(archDir, 'APKINDEX.tar.gz');
      result.indexes.push(
        await indexDirectory({
          dir: archDir,
          arch,
          keys: options.keys,
          description: options.description,
          oldIndex: index,
          lenientOldIndex: true,
          out: index,
        }),
      );
    });
  }
  return result;
}
