import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipMember } from '../src/apk/gzip.js';
import { indexDirectory } from '../src/apk/indexer.js';
import { renderPkgInfo } from '../src/apk/pkginfo.js';
import type { SigningKey } from '../src/apk/sign.js';
import { tarBuffer } from '../src/apk/tar.js';

const PACKAGES = 2000;
const DATA_VARIANTS = 40;

/**
 * Indexing 2,000 generated packages of 1–200 KiB. Packages are real v2 packages (their datahash
 * matches their data member); data members are drawn from a pool so generation stays quick.
 */
export async function bench(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'rampart-apk-bench-'));
  try {
    const dir = join(root, 'x86_64');
    await mkdir(dir);
    const pool: { member: Buffer; hash: string }[] = [];
    for (let i = 0; i < DATA_VARIANTS; i++) {
      const size = 1024 + Math.floor((i / (DATA_VARIANTS - 1)) * (200 * 1024 - 1024 - 2048));
      const content = randomBytes(size);
      const tar = await tarBuffer([
        { name: 'usr/', type: 'directory', mode: 0o755, mtime: 1 },
        {
          name: `usr/share/blob-${i}`,
          type: 'file',
          mode: 0o644,
          mtime: 1,
          data: content,
          pax: { 'APK-TOOLS.checksum.SHA1': createHash('sha1').update(content).digest('hex') },
        },
      ]);
      const member = gzipMember(tar);
      pool.push({ member, hash: createHash('sha256').update(member).digest('hex') });
    }
    const genStart = performance.now();
    let bytes = 0;
    for (let i = 0; i < PACKAGES; i++) {
      const data = pool[i % DATA_VARIANTS];
      const name = `pkg${i}`;
      const version = `1.${i % 7}.${i}-r0`;
      const pkginfo = renderPkgInfo({
        pkgname: name,
        pkgver: version,
        pkgdesc: `benchmark package ${i}`,
        builddate: 1700000000,
        size: data.member.length,
        arch: 'x86_64',
        origin: name,
        license: 'MIT',
        replaces: [],
        depend: ['musl', `pkg${(i + 1) % PACKAGES}`],
        provides: [`cmd:${name}=${version}`],
        datahash: data.hash,
      });
      const control = gzipMember(
        await tarBuffer(
          [{ name: '.PKGINFO', type: 'file', mode: 0o644, mtime: 1700000000, data: Buffer.from(pkginfo) }],
          {
            cut: true,
          },
        ),
      );
      const file = Buffer.concat([control, data.member]);
      bytes += file.length;
      await writeFile(join(dir, `${name}-${version}.apk`), file);
    }
    const genMs = performance.now() - genStart;

    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 4096 });
    const key: SigningKey = { key: privateKey, keyName: 'bench-00000000.rsa.pub', type: 'RSA256' };

    const t0 = performance.now();
    const first = await indexDirectory({ dir, keys: [key], mtime: 1 });
    const t1 = performance.now();
    const again = await indexDirectory({
      dir,
      keys: [key],
      mtime: 1,
      oldIndex: first.out,
      out: join(root, 'APKINDEX.new.tar.gz'),
    });
    const t2 = performance.now();

    console.log(
      `apk: generated ${PACKAGES} packages (${(bytes / 1024 / 1024).toFixed(1)} MiB, 1–200 KiB each) in ${(genMs / 1000).toFixed(2)} s`,
    );
    console.log(
      `apk: index ${first.records.length} packages, signed RSA-4096: ${((t1 - t0) / 1000).toFixed(2)} s wall (target < 5 s), index ${(first.bytes / 1024).toFixed(0)} KiB`,
    );
    console.log(
      `apk: incremental re-index with --old-index (${again.reused} reused): ${((t2 - t1) / 1000).toFixed(2)} s wall`,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
