import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { UserError } from '../core/errors.js';
import { parseApkIndex } from './apkindex.js';
import { concatStreams, hashStream, parseIndexBuffer, readPackageHead, streamFrom } from './read.js';
import { type SignatureVerdict, verifySignatures } from './sign.js';

export interface PackageVerification {
  kind: 'package';
  file: string;
  name: string;
  version: string;
  identity: string;
  signature: SignatureVerdict;
  /** 'ok', 'mismatch' (data part tampered) or 'missing' (legacy package without datahash). */
  datahash: 'ok' | 'mismatch' | 'missing';
  files: number;
  badChecksums: string[];
  missingChecksums: string[];
  ok: boolean;
}

export interface IndexVerification {
  kind: 'index';
  file: string;
  signature: SignatureVerdict;
  packages: number;
  description?: string;
  ok: boolean;
}

export type Verification = PackageVerification | IndexVerification;

const CHECKSUM_KEY = 'APK-TOOLS.checksum.SHA1';

/** Walks the data tar checking every file and symlink against its PAX SHA-1 record. */
async function checkDataEntries(
  file: string,
  offset: number,
): Promise<{ files: number; bad: string[]; missing: string[] }> {
  const bad: string[] = [];
  const missing: string[] = [];
  let files = 0;
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    const pax = (header as { pax?: Record<string, string> | null }).pax ?? {};
    const expected = pax[CHECKSUM_KEY];
    // A corrupt gzip stream destroys the entry mid-read; the pipeline below reports it.
    stream.on('error', () => undefined);
    if (header.type === 'file' || header.type === 'contiguous-file' || header.type === 'symlink') {
      files++;
      const h = createHash('sha1');
      if (header.type === 'symlink') h.update(header.linkname ?? '');
      stream.on('data', (c) => h.update(c as Buffer));
      stream.on('end', () => {
        const actual = h.digest('hex');
        if (expected === undefined) missing.push(header.name);
        else if (expected !== actual) bad.push(header.name);
        next();
      });
    } else {
      stream.on('end', () => next());
      stream.resume();
    }
  });
  try {
    await pipeline(streamFrom(file, offset), createGunzip(), ex);
  } catch (error) {
    bad.push(`(data archive unreadable: ${(error as Error).message})`);
  }
  return { files, bad, missing };
}

export async function verifyPackage(file: string, keysDir: string): Promise<PackageVerification> {
  const head = await readPackageHead(file);
  const legacy = !head.pkginfo.datahash;
  const signature = await verifySignatures(head.signatureEntries, keysDir, () =>
    legacy ? concatStreams(head.control, streamFrom(file, head.dataOffset)) : concatStreams(head.control),
  );
  let datahash: PackageVerification['datahash'] = 'missing';
  if (!legacy) {
    const actual = (await hashStream('sha256', streamFrom(file, head.dataOffset))).toString('hex');
    datahash = actual === head.pkginfo.datahash ? 'ok' : 'mismatch';
  }
  const data = await checkDataEntries(file, head.dataOffset);
  return {
    kind: 'package',
    file,
    name: head.pkginfo.pkgname,
    version: head.pkginfo.pkgver,
    identity: head.identity,
    signature,
    datahash,
    files: data.files,
    badChecksums: data.bad,
    missingChecksums: data.missing,
    ok: signature.status === 'ok' && datahash === 'ok' && data.bad.length === 0 && data.missing.length === 0,
  };
}

export async function verifyIndex(file: string, keysDir: string): Promise<IndexVerification> {
  const buf = await readFile(file).catch((error: Error) => {
    throw new UserError(`cannot read ${file}: ${error.message}`);
  });
  const index = await parseIndexBuffer(buf, file);
  const signature = await verifySignatures(index.signatureEntries, keysDir, async function* () {
    yield buf.subarray(index.unsignedStart);
  });
  return {
    kind: 'index',
    file,
    signature,
    packages: parseApkIndex(index.apkindex).length,
    description: index.description,
    ok: signature.status === 'ok',
  };
}

export function isIndexFile(file: string): boolean {
  return basename(file).startsWith('APKINDEX');
}

export async function verifyFile(file: string, keysDir: string): Promise<Verification> {
  return isIndexFile(file) ? verifyIndex(file, keysDir) : verifyPackage(file, keysDir);
}
