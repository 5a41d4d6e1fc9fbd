import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, open, readdir, readlink, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import { UserError } from '../core/errors.js';
import { gzipMember } from './gzip.js';
import {
  type PkgInfo,
  renderPkgInfo,
  validateArch,
  validateAtoms,
  validateName,
  validateVersion,
} from './pkginfo.js';
import { hashStream, q1 } from './read.js';
import { type SigningKey, signatureMember, signBytes } from './sign.js';
import { type TarFile, tarBuffer, writeTarEntries } from './tar.js';

export interface BuildOptions {
  dir: string;
  out: string;
  name: string;
  version: string;
  arch: string;
  description?: string;
  url?: string;
  license?: string;
  depends?: string[];
  provides?: string[];
  replaces?: string[];
  origin?: string;
  maintainer?: string;
  packager?: string;
  commit?: string;
  providerPriority?: number;
  installIf?: string[];
  /** Seconds since the epoch for builddate and every mtime; defaults to SOURCE_DATE_EPOCH. */
  epoch?: number;
  keys?: SigningKey[];
}

export interface BuildResult {
  file: string;
  identity: string;
  size: number;
  installedSize: number;
  files: number;
  pkginfo: PkgInfo;
}

interface Staged {
  rel: string;
  abs: string;
  kind: 'file' | 'directory' | 'symlink';
  mode: number;
  size: number;
  mtime: number;
}

/** Byte-order comparison, like `sort` in the C locale that abuild's `find | sort -z` relies on. */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

async function walk(root: string): Promise<Staged[]> {
  const out: Staged[] = [];
  async function visit(relDir: string): Promise<void> {
    const names = await readdir(join(root, relDir));
    for (const name of names) {
      if (!relDir && name.startsWith('.')) {
        // apk takes a top-level dot entry for part of the control section (.PKGINFO, scripts).
        throw new UserError(`${join(root, name)}: top-level names starting with "." cannot be packaged`);
      }
      const rel = relDir ? `${relDir}/${name}` : name;
      const abs = join(root, rel);
      const st = await lstat(abs);
      const mtime = Math.floor(st.mtimeMs / 1000);
      const mode = st.mode & 0o7777;
      if (st.isDirectory()) {
        out.push({ rel, abs, kind: 'directory', mode, size: 0, mtime });
        await visit(rel);
      } else if (st.isFile()) {
        out.push({ rel, abs, kind: 'file', mode, size: st.size, mtime });
      } else if (st.isSymbolicLink()) {
        out.push({ rel, abs, kind: 'symlink', mode: 0o777, size: 0, mtime });
      } else {
        throw new UserError(`${abs}: only regular files, directories and symlinks can be packaged`);
      }
    }
  }
  await visit('');
  return out.sort((a, b) => byteOrder(a.rel, b.rel));
}

/** SOURCE_DATE_EPOCH when set, else the newest mtime in the tree: the same tree gives the same bytes. */
export function defaultEpoch(staged: { mtime: number }[]): number {
  const env = process.env.SOURCE_DATE_EPOCH;
  if (env !== undefined && env !== '') {
    if (!/^\d+$/.test(env)) throw new UserError(`SOURCE_DATE_EPOCH must be an integer, got "${env}"`);
    return Number(env);
  }
  return staged.reduce((m, s) => Math.max(m, s.mtime), 0);
}

async function* dataEntries(staged: Staged[], epoch: number): AsyncIterable<TarFile> {
  for (const s of staged) {
    if (s.kind === 'directory') {
      yield { name: `${s.rel}/`, type: 'directory', mode: s.mode, mtime: epoch };
    } else if (s.kind === 'symlink') {
      const target = await readlink(s.abs);
      const sum = createHash('sha1').update(target).digest('hex');
      yield {
        name: s.rel,
        type: 'symlink',
        mode: 0o777,
        mtime: epoch,
        linkname: target,
        pax: { 'APK-TOOLS.checksum.SHA1': sum },
      };
    } else {
      // The checksum goes in the header before the content, so each file is read twice.
      const sum = (await hashStream('sha1', createReadStream(s.abs))).toString('hex');
      yield {
        name: s.rel,
        type: 'file',
        mode: s.mode,
        mtime: epoch,
        source: { path: s.abs, size: s.size },
        pax: { 'APK-TOOLS.checksum.SHA1': sum },
      };
    }
  }
}

/** Streams the data tar (with per-file checksums) through gzip into `path`; returns its SHA-256. */
async function writeDataMember(staged: Staged[], epoch: number, path: string): Promise<Buffer> {
  const p = pack();
  const hash = createHash('sha256');
  const gzip = createGzip({ level: 9 });
  gzip.on('data', (c: Buffer) => hash.update(c));
  const writing = pipeline(p, gzip, createWriteStream(path, { mode: 0o644 }));
  const feeding = (async () => {
    try {
      for await (const entry of dataEntries(staged, epoch)) await writeTarEntries(p, [entry]);
      p.finalize();
    } catch (error) {
      p.destroy(error as Error);
      throw error;
    }
  })();
  await Promise.all([writing, feeding]);
  return hash.digest();
}

export function packageFileName(name: string, version: string): string {
  return `${name}-${version}.apk`;
}

/** Builds a v2 `.apk` from a staging directory the way abuild does (see shared/apk-format.md §1). */
export async function buildPackage(options: BuildOptions): Promise<BuildResult> {
  validateName(options.name);
  validateVersion(options.version);
  validateArch(options.arch);
  validateAtoms('depends', options.depends ?? []);
  validateAtoms('provides', options.provides ?? []);
  validateAtoms('replaces', options.replaces ?? []);
  const dirStat = await stat(options.dir).catch(() => undefined);
  if (!dirStat?.isDirectory()) throw new UserError(`${options.dir} is not a directory`);

  const staged = await walk(options.dir);
  const epoch = options.epoch ?? defaultEpoch(staged);
  const filesBytes = staged.reduce((n, s) => n + s.size, 0);
  // apk 2 treats size 0 as a virtual package and extracts nothing; abuild bumps it to 1.
  const installedSize = staged.length > 0 ? Math.max(filesBytes, 1) : 0;

  const dataTmp = join(dirname(options.out), `.${Date.now()}-${process.pid}.data.tmp`);
  const outTmp = `${options.out}.${process.pid}.tmp`;
  try {
    const datahash = await writeDataMember(staged, epoch, dataTmp);
    const pkginfo: PkgInfo = {
      pkgname: options.name,
      pkgver: options.version,
      pkgdesc: options.description,
      url: options.url,
      builddate: epoch,
      packager: options.packager ?? options.maintainer,
      size: installedSize,
      arch: options.arch,
      origin: options.origin ?? options.name,
      commit: options.commit,
      maintainer: options.maintainer,
      provider_priority: options.providerPriority,
      license: options.license,
      replaces: options.replaces ?? [],
      depend: options.depends ?? [],
      provides: options.provides ?? [],
      install_if: options.installIf && options.installIf.length > 0 ? options.installIf.join(' ') : undefined,
      datahash: datahash.toString('hex'),
    };
    const controlTar = await tarBuffer(
      [
        {
          name: '.PKGINFO',
          type: 'file',
          mode: 0o644,
          mtime: epoch,
          data: Buffer.from(renderPkgInfo(pkginfo)),
        },
      ],
      { cut: true },
    );
    const control = gzipMember(controlTar);
    const keys = options.keys ?? [];
    const sig =
      keys.length > 0
        ? await signatureMember(
            keys.map((k) => signBytes(control, k)),
            epoch,
          )
        : Buffer.alloc(0);

    const fh = await open(outTmp, 'w', 0o644);
    try {
      await fh.write(sig);
      await fh.write(control);
    } finally {
      await fh.close();
    }
    await pipeline(createReadStream(dataTmp), createWriteStream(outTmp, { flags: 'a' }));
    await rename(outTmp, options.out);
    const size = (await stat(options.out)).size;
    return {
      file: options.out,
      identity: q1(createHash('sha1').update(control).digest()),
      size,
      installedSize,
      files: staged.filter((s) => s.kind !== 'directory').length,
      pkginfo,
    };
  } finally {
    await rm(dataTmp, { force: true });
    await rm(outTmp, { force: true });
  }
}
