import { posix } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { ExecStreamError } from '../kube/errors.js';
import { CopyError, EXIT_TRANSFER, EXIT_VERIFY, UnsafeArchiveError } from './errors.js';
import type { ManifestEntry, Side, SourceItem } from './side.js';

export interface CopyOptions {
  /** Attempts after the first when the stream breaks (default 3). */
  retries?: number;
  /** Compare sha256 of every file on both sides at the end (default true). */
  verify?: boolean;
  /** Called once the total is known, then with each chunk of file data moved. */
  onStart?: (totalBytes: number, files: number) => void;
  onBytes?: (bytes: number) => void;
  /** Notices (resuming, ...). */
  log?: (message: string) => void;
}

export interface CopyReport {
  files: number;
  bytes: number;
  /** Stream breaks that were resumed from. */
  resumed: number;
  verified: boolean;
  /** The manifest: every copied file with its sha256 (when verified). */
  manifest: { name: string; size: number; sha256?: string }[];
}

/** One source item and where it lands: `destBase/destName`. */
interface Job {
  item: SourceItem;
  destBase: string;
  destName: string;
}

/**
 * Copies from one side to the other: plans with kubectl cp's destination rules, streams the tar, resumes per
 * file after a broken stream (complete files are kept, a partial file continues from its size on the
 * destination), and verifies every file with sha256 on both sides.
 */
export async function copy(
  source: Side,
  sourcePath: string,
  dest: Side,
  destPath: string,
  options: CopyOptions = {},
): Promise<CopyReport> {
  const items = await source.expand(sourcePath);
  const destKind = await dest.kind(destPath);
  const many = items.length > 1;
  if (many && destKind !== 'directory') {
    throw new CopyError(
      `${destPath}: several sources match, so the destination must be an existing directory`,
      2,
    );
  }
  // Like cp -r: into an existing directory under the source's name, otherwise as the named path.
  const { base: destParent, name: destLeaf } = splitDest(destPath);
  const jobs: Job[] = items.map((item) =>
    destKind === 'directory'
      ? { item, destBase: destPath, destName: item.name }
      : { item, destBase: destParent, destName: destLeaf },
  );

  const report: CopyReport = { files: 0, bytes: 0, resumed: 0, verified: false, manifest: [] };
  const listed = await source.list(items);
  const totalBytes = listed.filter((e) => e.type === 'file').reduce((sum, e) => sum + e.size, 0);
  options.onStart?.(totalBytes, listed.filter((e) => e.type === 'file').length);

  for (const group of groupJobs(jobs)) {
    await copyGroup(source, dest, group, listed, options, report);
  }
  return report;
}

function splitDest(path: string): { base: string; name: string } {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  const base = posix.dirname(trimmed);
  return { base, name: posix.basename(trimmed) };
}

/** Jobs sharing a source base and destination base travel in one tar stream. */
function groupJobs(jobs: Job[]): Job[][] {
  const groups = new Map<string, Job[]>();
  for (const job of jobs) {
    const key = `${job.item.base}\0${job.destBase}`;
    groups.set(key, [...(groups.get(key) ?? []), job]);
  }
  return [...groups.values()];
}

async function copyGroup(
  source: Side,
  dest: Side,
  jobs: Job[],
  listed: ManifestEntry[],
  options: CopyOptions,
  report: CopyReport,
): Promise<void> {
  const srcBase = (jobs[0] as Job).item.base;
  const destBase = (jobs[0] as Job).destBase;
  const tops = new Map(jobs.map((j) => [j.item.name, j.destName]));
  const rename = (name: string): string => {
    const [top, ...rest] = name.split('/');
    const to = tops.get(top as string);
    if (to === undefined) throw new UnsafeArchiveError(name, 'the entry is not one that was asked for');
    return [to, ...rest].join('/');
  };
  const manifest = new Map<string, ManifestEntry>();
  for (const entry of listed)
    if (tops.has(entry.name.split('/')[0] as string)) manifest.set(entry.name, entry);
  const files = [...manifest.values()].filter((e) => e.type === 'file');
  const log = options.log ?? (() => undefined);
  const retries = options.retries ?? 3;

  let pending: string[] = [...tops.keys()];
  let partial: { name: string; offset: number }[] = [];
  for (let attempt = 0; ; attempt++) {
    try {
      for (const p of partial) {
        const entry = manifest.get(p.name) as ManifestEntry;
        const data = await source.readFrom(srcBase, p.name, p.offset, entry.size);
        await dest.append(
          destBase,
          rename(p.name),
          p.offset,
          entry.size - p.offset,
          entry.mode,
          counted(data, options),
        );
      }
      partial = [];
      if (pending.length > 0) {
        const receiver = await dest.receive(destBase);
        try {
          for await (const { entry, data } of source.entries(srcBase, pending, manifest)) {
            const renamed = { ...entry, name: rename(entry.name) };
            if (entry.type === 'link' && entry.linkname) renamed.linkname = rename(entry.linkname);
            await receiver.put(renamed, data ? counted(data, options) : undefined);
          }
          await receiver.close();
        } catch (error) {
          receiver.abort();
          throw error;
        }
      }
      break;
    } catch (error) {
      if (!isBrokenStream(error) || attempt >= retries) {
        if (isBrokenStream(error)) {
          throw new CopyError(
            `transfer failed after ${attempt + 1} attempts: ${(error as Error).message}`,
            EXIT_TRANSFER,
            { cause: error },
          );
        }
        throw error;
      }
      report.resumed++;
      // What reached the destination decides what is left: complete files stay, a partial one continues.
      const sizes = await dest.sizes(
        destBase,
        files.map((f) => rename(f.name)),
      );
      pending = [];
      partial = [];
      let kept = 0;
      for (const f of files) {
        const have = sizes.get(rename(f.name)) ?? -1;
        if (have === f.size) kept++;
        else if (have > 0 && have < f.size) partial.push({ name: f.name, offset: have });
        else pending.push(f.name);
      }
      for (const e of manifest.values()) if (e.type === 'symlink') pending.push(e.name);
      log(
        `stream broke (${(error as Error).message}); resuming: ${kept} files complete, ${partial.length} partial, ${pending.length} to send`,
      );
    }
  }
  if (report.resumed > 0) {
    const dirModes = new Map<string, number>();
    for (const e of manifest.values()) if (e.type === 'directory') dirModes.set(rename(e.name), e.mode);
    await dest.chmod(destBase, dirModes);
  }

  const names = files.map((f) => f.name);
  let sums: Map<string, string> | undefined;
  if (options.verify !== false && names.length > 0) {
    const [want, got] = await Promise.all([
      source.sha256(srcBase, names),
      dest.sha256(destBase, names.map(rename)),
    ]);
    const bad = names.filter((n) => !want.get(n) || want.get(n) !== got.get(rename(n)));
    if (bad.length > 0) {
      throw new CopyError(
        `verification failed: sha256 differs for ${bad.length} file(s): ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', ...' : ''}`,
        EXIT_VERIFY,
      );
    }
    sums = want;
    report.verified = true;
  }
  for (const f of files) {
    report.files++;
    report.bytes += f.size;
    report.manifest.push({ name: rename(f.name), size: f.size, sha256: sums?.get(f.name) });
  }
}

function isBrokenStream(error: unknown): boolean {
  if (error instanceof ExecStreamError) return true;
  const code = (error as NodeJS.ErrnoException)?.code;
  // A truncated tar or gzip stream is what a broken exec looks like from the parser's side.
  return (
    code === 'ECONNRESET' ||
    code === 'Z_BUF_ERROR' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    /Unexpected end of data|unexpected end of file/i.test((error as Error)?.message ?? '') ||
    (error as Error)?.cause instanceof ExecStreamError
  );
}

/** Counts bytes for the progress bar; a source error fails the counted stream too (pipe would drop it). */
function counted(data: Readable, options: CopyOptions): Readable {
  const count = counter(options);
  data.on('error', (error) => count.destroy(error));
  return data.pipe(count);
}

function counter(options: CopyOptions): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      options.onBytes?.(chunk.length);
      callback(null, chunk);
    },
  });
}
