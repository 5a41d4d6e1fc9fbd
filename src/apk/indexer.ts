import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { mapLimit } from '../core/concurrency.js';
import { UserError } from '../core/errors.js';
import {
  buildIndexFile,
  field,
  type IndexRecord,
  parseApkIndex,
  recordFromPackage,
  withField,
} from './apkindex.js';
import { writeFileAtomic } from './atomic.js';
import { defaultEpoch, packageFileName } from './build.js';
import { concatStreams, parseIndexBuffer, readPackageHead, streamFrom } from './read.js';
import { type SigningKey, verifySignatures } from './sign.js';
import { compareVersions } from './version.js';

/** Alpine's architecture names; a directory named after one fixes the arch of its packages. */
export const KNOWN_ARCHES = [
  'aarch64',
  'armhf',
  'armv7',
  'loongarch64',
  'mips64',
  'mips64el',
  'ppc64le',
  'riscv64',
  's390x',
  'x86',
  'x86_64',
] as const;

export interface IndexDirOptions {
  dir: string;
  /** Architecture of the directory; defaults to its name when that is a known arch. */
  arch?: string;
  description?: string;
  keys?: SigningKey[];
  /** An earlier APKINDEX.tar.gz whose records are reused when size and checksum match. */
  oldIndex?: string;
  /** Ignore an unreadable old index instead of failing (publish rewrites it anyway). */
  lenientOldIndex?: boolean;
  /** Like `apk index` without --allow-untrusted: every package must be signed by a key in this directory. */
  trustedKeysDir?: string;
  out?: string;
  mtime?: number;
  concurrency?: number;
}

export interface IndexDirResult {
  out: string;
  records: IndexRecord[];
  reused: number;
  /** Newest version of each package name, by apk's version order. */
  newest: Map<string, string>;
  bytes: number;
}

async function loadOldRecords(path: string | undefined, lenient: boolean): Promise<Map<string, IndexRecord>> {
  const map = new Map<string, IndexRecord>();
  if (!path) return map;
  const buf = await readFile(path).catch(() => undefined);
  if (!buf) return map;
  let index: Awaited<ReturnType<typeof parseIndexBuffer>>;
  try {
    index = await parseIndexBuffer(buf, path);
  } catch (error) {
    // A damaged previous index must not block publishing: everything is simply re-read.
    if (lenient) return map;
    throw error;
  }
  for (const r of parseApkIndex(index.apkindex)) map.set(`${field(r, 'C')} ${field(r, 'S')}`, r);
  return map;
}

/** Sorts by name, newest version first. */
export function sortRecords(records: IndexRecord[]): IndexRecord[] {
  return records.sort((a, b) => {
    const pa = field(a, 'P') ?? '';
    const pb = field(b, 'P') ?? '';
    if (pa !== pb) return pa < pb ? -1 : 1;
    return compareVersions(field(b, 'V') ?? '', field(a, 'V') ?? '');
  });
}

/** Indexes every `.apk` of a directory into `APKINDEX.tar.gz` (written atomically). */
export async function indexDirectory(options: IndexDirOptions): Promise<IndexDirResult> {
  const dir = options.dir;
  const names = await readdir(dir).catch((error: Error) => {
    throw new UserError(`cannot read ${dir}: ${error.message}`);
  });
  const files = names.filter((n) => n.endsWith('.apk') && !n.startsWith('.')).sort();
  const dirName = basename(dir);
  let dirArch = options.arch ?? ((KNOWN_ARCHES as readonly string[]).includes(dirName) ? dirName : undefined);
  const old = await loadOldRecords(options.oldIndex, options.lenientOldIndex === true);
  let reused = 0;

  const heads = await mapLimit(files, options.concurrency ?? 16, (f) => readPackageHead(join(dir, f)));
  if (options.trustedKeysDir) {
    const keysDir = options.trustedKeysDir;
    const verdicts = await mapLimit(heads, options.concurrency ?? 16, (h) =>
      verifySignatures(h.signatureEntries, keysDir, () =>
        h.pkginfo.datahash
          ? concatStreams(h.control)
          : concatStreams(h.control, streamFrom(h.file, h.dataOffset)),
      ),
    );
    verdicts.forEach((v, i) => {
      if (v.status !== 'ok') throw new UserError(`${heads[i].file}: ${v.message}`);
    });
  }
  const records: IndexRecord[] = [];
  for (const head of heads) {
    const { pkgname, pkgver, arch } = head.pkginfo;
    const fileName = basename(head.file);
    if (fileName !== packageFileName(pkgname, pkgver)) {
      throw new UserError(
        `${head.file}: clients download ${packageFileName(pkgname, pkgver)}; rename the file to match its .PKGINFO`,
      );
    }
    if (arch !== 'noarch') {
      if (dirArch === undefined) dirArch = arch;
      else if (arch !== dirArch) {
        throw new UserError(
          `${head.file}: package arch ${arch} does not match the directory's arch ${dirArch}`,
        );
      }
    }
  }
  for (const head of heads) {
    const a = head.pkginfo.arch === 'noarch' ? (dirArch ?? 'noarch') : head.pkginfo.arch;
    const previous = old.get(`${head.identity} ${head.fileSize}`);
    if (previous && field(previous, 'P') === head.pkginfo.pkgname) {
      records.push(withField(previous, 'A', a));
      reused++;
    } else {
      records.push(recordFromPackage(head, a));
    }
  }
  sortRecords(records);
  const newest = new Map<string, string>();
  for (const r of records) {
    const p = field(r, 'P') ?? '';
    const v = field(r, 'V') ?? '';
    const cur = newest.get(p);
    if (cur === undefined || compareVersions(v, cur) > 0) newest.set(p, v);
  }
  const mtime =
    options.mtime ?? (process.env.SOURCE_DATE_EPOCH ? defaultEpoch([]) : Math.floor(Date.now() / 1000));
  const out = options.out ?? join(dir, 'APKINDEX.tar.gz');
  const buf = await buildIndexFile(records, { description: options.description, keys: options.keys, mtime });
  await writeFileAtomic(out, buf);
  return { out, records, reused, newest, bytes: buf.length };
}
