import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, type Pack, pack } from 'tar-stream';

/** End-of-archive: two zero blocks (tar-stream writes no further record padding). */
export const TAR_EOA_BYTES = 1024;

export interface TarFile {
  name: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  mtime: number;
  data?: Buffer;
  /** Streams the content from a file instead of `data` (large files never sit in memory). */
  source?: { path: string; size: number };
  linkname?: string;
  /** Extra PAX records written in a per-file extended header, as GNU tar does. */
  pax?: Record<string, string>;
}

type EntryHeader = Parameters<Pack['entry']>[0];

function addEntry(p: Pack, header: EntryHeader, data?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const cb = (error?: Error | null) => (error ? reject(error) : resolve());
    if (data) p.entry(header, data, cb);
    else p.entry(header, cb);
  });
}

function addStreamedEntry(p: Pack, header: EntryHeader, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const sink = p.entry(header, (error) => (error ? reject(error) : resolve()));
    pipeline(createReadStream(path), sink as unknown as NodeJS.WritableStream).catch(reject);
  });
}

/**
 * Writes entries into a tar-stream pack, owned by root:root. An entry with PAX records gets a
 * per-file `x` header (tar-stream then carries the path in the `path` record too).
 */
export async function writeTarEntries(p: Pack, files: Iterable<TarFile>): Promise<void> {
  for (const f of files) {
    const header: Parameters<Pack['entry']>[0] = {
      name: f.name,
      type: f.type,
      mode: f.mode,
      uid: 0,
      gid: 0,
      uname: 'root',
      gname: 'root',
      mtime: new Date(f.mtime * 1000),
      linkname: f.linkname,
      size: f.type === 'file' ? (f.source?.size ?? f.data?.length ?? 0) : 0,
    };
    if (f.pax && Object.keys(f.pax).length > 0) header.pax = f.pax;
    if (f.type === 'file' && f.source && f.source.size > 0) await addStreamedEntry(p, header, f.source.path);
    else await addEntry(p, header, f.type === 'file' ? (f.data ?? Buffer.alloc(0)) : undefined);
  }
}

/** A whole tar in memory; `cut` drops the end-of-archive blocks as `abuild-tar --cut` does. */
export async function tarBuffer(files: TarFile[], options: { cut?: boolean } = {}): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    p.on('data', (c) => chunks.push(c as Buffer));
    p.on('end', resolve);
    p.on('error', reject);
  });
  await writeTarEntries(p, files);
  p.finalize();
  await done;
  const out = Buffer.concat(chunks);
  return options.cut ? out.subarray(0, out.length - TAR_EOA_BYTES) : out;
}

export interface TarEntry {
  name: string;
  type: string;
  mode: number;
  size: number;
  linkname: string | null;
  pax: Record<string, string> | null;
  data: Buffer;
}

/** Reads every entry of a small in-memory tar (signature or control part, an index). */
export async function readTarBuffer(buf: Buffer): Promise<TarEntry[]> {
  const ex = extract();
  const entries: TarEntry[] = [];
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c) => chunks.push(c as Buffer));
      stream.on('end', () => {
        entries.push({
          name: header.name,
          type: header.type ?? 'file',
          mode: header.mode ?? 0,
          size: header.size ?? 0,
          linkname: header.linkname ?? null,
          pax: (header as { pax?: Record<string, string> | null }).pax ?? null,
          data: Buffer.concat(chunks),
        });
        next();
      });
      stream.on('error', reject);
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  Readable.from([buf]).pipe(ex);
  await done;
  return entries;
}
