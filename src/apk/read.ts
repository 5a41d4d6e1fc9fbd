import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../core/errors.js';
import { type Member, readMember } from './gzip.js';
import { type PkgInfo, parsePkgInfo } from './pkginfo.js';
import { readTarBuffer, type TarEntry } from './tar.js';

const FIRST_READ = 16 * 1024;
const MAX_HEAD = 32 * 1024 * 1024;

/** `Q1` + base64(SHA-1): apk's text form of a package identity (`C:` in the index). */
export function q1(digest: Buffer): string {
  return `Q1${digest.toString('base64')}`;
}

export interface PackageHead {
  file: string;
  fileSize: number;
  signatureEntries: TarEntry[];
  /** Compressed bytes of the control member: what the signature, datahash scheme and `C:` cover. */
  control: Buffer;
  controlEntries: TarEntry[];
  /** Byte offset where the data member starts (end of the control member). */
  dataOffset: number;
  pkginfo: PkgInfo;
  /** `C:` identity: SHA-1 of the control member (or of control+data for legacy packages). */
  identity: string;
}

/** Bytes of a file from `start` to its end, streamed. */
export function streamFrom(file: string, start: number): AsyncIterable<Buffer> {
  return createReadStream(file, { start, highWaterMark: 256 * 1024 });
}

export async function* concatStreams(...parts: (Buffer | AsyncIterable<Buffer>)[]): AsyncIterable<Buffer> {
  for (const p of parts) {
    if (Buffer.isBuffer(p)) yield p;
    else yield* p;
  }
}

export async function hashStream(algorithm: string, chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const h = createHash(algorithm);
  for await (const c of chunks) h.update(c);
  return h.digest();
}

const isSignatureMember = (entries: TarEntry[]) =>
  entries.length > 0 && entries.every((e) => e.name.startsWith('.SIGN.'));

/**
 * Reads the signature and control members of a v2 package without touching the data member
 * (except for legacy packages without `datahash`, whose identity covers the data too).
 */
export async function readPackageHead(file: string): Promise<PackageHead> {
  const fh = await open(file, 'r').catch((error: Error) => {
    throw new UserError(`cannot open ${file}: ${error.message}`);
  });
  let buf: Buffer;
  let fileSize: number;
  const signatureEntries: TarEntry[] = [];
  let control: Member | undefined;
  let controlEntries: TarEntry[] = [];
  try {
    fileSize = (await fh.stat()).size;
    let want = Math.min(FIRST_READ, fileSize);
    buf = Buffer.alloc(0);
    let offset = 0;
    for (;;) {
      if (buf.length < want) {
        const more = Buffer.alloc(want - buf.length);
        const { bytesRead } = await fh.read(more, 0, more.length, buf.length);
        buf = Buffer.concat([buf, more.subarray(0, bytesRead)]);
      }
      let member: Member | undefined;
      try {
        member = readMember(buf, offset);
      } catch (error) {
        throw new UserError(`${file}: BAD archive: ${(error as Error).message}`);
      }
      if (!member) {
        if (buf.length >= fileSize) throw new UserError(`${file}: BAD archive: truncated package`);
        if (want >= MAX_HEAD) throw new UserError(`${file}: control part larger than ${MAX_HEAD} bytes`);
        want = Math.min(fileSize, want * 4, MAX_HEAD);
        continue;
      }
      let entries: TarEntry[];
      try {
        entries = await readTarBuffer(member.content);
      } catch (error) {
        throw new UserError(`${file}: BAD archive: ${(error as Error).message}`);
      }
      if (isSignatureMember(entries)) {
        signatureEntries.push(...entries);
        offset = member.end;
        continue;
      }
      control = member;
      controlEntries = entries;
      break;
    }
  } finally {
    await fh.close();
  }
  const nonControl = controlEntries.find((e) => !e.name.startsWith('.'));
  if (nonControl) {
    throw new UserError(
      `${file}: control and data share one gzip member (entry ${nonControl.name}); not an abuild-style v2 package`,
    );
  }
  const pkginfoEntry = controlEntries.find((e) => e.name === '.PKGINFO');
  if (!pkginfoEntry) throw new UserError(`${file}: no .PKGINFO in the control part`);
  const pkginfo = parsePkgInfo(pkginfoEntry.data.toString('utf8'), file);
  const controlBytes = buf.subarray(control.start, control.end);
  const identity = pkginfo.datahash
    ? q1(createHash('sha1').update(controlBytes).digest())
    : q1(await hashStream('sha1', concatStreams(controlBytes, streamFrom(file, control.end))));
  return {
    file,
    fileSize,
    signatureEntries,
    control: Buffer.from(controlBytes),
    controlEntries,
    dataOffset: control.end,
    pkginfo,
    identity,
  };
}

export interface IndexFile {
  signatureEntries: TarEntry[];
  /** Offset of the unsigned index (what the signature covers). */
  unsignedStart: number;
  description?: string;
  apkindex: string;
}

/** Reads an `APKINDEX.tar.gz` (signed or not). Indexes are small enough to read whole. */
export async function parseIndexBuffer(buf: Buffer, file: string): Promise<IndexFile> {
  const signatureEntries: TarEntry[] = [];
  let offset = 0;
  try {
    for (;;) {
      const member = readMember(buf, offset);
      if (!member) throw new Error('truncated index');
      const entries = await readTarBuffer(member.content);
      if (!isSignatureMember(entries)) break;
      signatureEntries.push(...entries);
      offset = member.end;
    }
    const entries = await readTarBuffer(gunzipSync(buf.subarray(offset)));
    const apkindex = entries.find((e) => e.name === 'APKINDEX');
    if (!apkindex) throw new Error('no APKINDEX entry');
    const description = entries.find((e) => e.name === 'DESCRIPTION')?.data.toString('utf8');
    return { signatureEntries, unsignedStart: offset, description, apkindex: apkindex.data.toString('utf8') };
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`${file}: BAD archive: ${(error as Error).message}`);
  }
}
