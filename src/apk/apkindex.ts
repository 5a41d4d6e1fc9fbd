import { gzipMember } from './gzip.js';
import type { PackageHead } from './read.js';
import { type SigningKey, signatureMember, signBytes } from './sign.js';
import { tarBuffer } from './tar.js';

/** One index record: ordered `letter:value` lines as apk writes them. */
export type IndexRecord = [letter: string, value: string][];

/** The order `apk index` writes fields in. */
const ORDER = 'CPVASITULomtckDpi';

export function recordFromPackage(head: PackageHead, arch: string): IndexRecord {
  const p = head.pkginfo;
  const fields: Record<string, string | number | undefined> = {
    C: head.identity,
    P: p.pkgname,
    V: p.pkgver,
    A: arch,
    S: head.fileSize,
    I: p.size,
    T: p.pkgdesc,
    U: p.url,
    L: p.license,
    o: p.origin,
    m: p.maintainer,
    t: p.builddate,
    c: p.commit,
    k: p.provider_priority,
    D: p.depend.length > 0 ? p.depend.join(' ') : undefined,
    p: p.provides.length > 0 ? p.provides.join(' ') : undefined,
    i: p.install_if,
  };
  const record: IndexRecord = [];
  for (const letter of ORDER) {
    const v = fields[letter];
    if (v !== undefined && v !== '') record.push([letter, String(v)]);
  }
  return record;
}

export const field = (record: IndexRecord, letter: string): string | undefined =>
  record.find(([l]) => l === letter)?.[1];

export function withField(record: IndexRecord, letter: string, value: string): IndexRecord {
  return record.map(([l, v]) => [l, l === letter ? value : v]);
}

/** Every record ends with a blank line: apk drops a final record that has no trailing newline. */
export function renderApkIndex(records: IndexRecord[]): string {
  return records.map((r) => `${r.map(([l, v]) => `${l}:${v}`).join('\n')}\n\n`).join('');
}

export function parseApkIndex(text: string): IndexRecord[] {
  const records: IndexRecord[] = [];
  let current: IndexRecord = [];
  for (const line of text.split('\n')) {
    if (line === '') {
      if (current.length > 0) records.push(current);
      current = [];
      continue;
    }
    if (line.length < 2 || line[1] !== ':') continue;
    current.push([line[0], line.slice(2)]);
  }
  if (current.length > 0) records.push(current);
  return records;
}

export interface IndexFileOptions {
  description?: string;
  keys?: SigningKey[];
  mtime: number;
}

/**
 * Builds `APKINDEX.tar.gz`: the unsigned index is one gzip member holding DESCRIPTION and APKINDEX
 * with a normal end-of-archive; signing prepends one member with a `.SIGN.*` entry per key, each
 * computed over the unsigned bytes (so every single-key client can verify it).
 */
export async function buildIndexFile(records: IndexRecord[], options: IndexFileOptions): Promise<Buffer> {
  const files = [];
  if (options.description !== undefined) {
    files.push({
      name: 'DESCRIPTION',
      type: 'file' as const,
      mode: 0o644,
      mtime: options.mtime,
      data: Buffer.from(options.description),
    });
  }
  files.push({
    name: 'APKINDEX',
    type: 'file' as const,
    mode: 0o644,
    mtime: options.mtime,
    data: Buffer.from(renderApkIndex(records)),
  });
  const unsigned = gzipMember(await tarBuffer(files));
  return signUnsigned(unsigned, options.keys ?? [], options.mtime);
}

export async function signUnsigned(unsigned: Buffer, keys: SigningKey[], mtime: number): Promise<Buffer> {
  if (keys.length === 0) return unsigned;
  const sig = await signatureMember(
    keys.map((k) => signBytes(unsigned, k)),
    mtime,
  );
  return Buffer.concat([sig, unsigned]);
}
