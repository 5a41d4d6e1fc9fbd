import { execFile } from 'node:child_process';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const exec = promisify(execFile);

export interface TestKey {
  privateKey: string;
  keyName: string;
  keysDir: string;
  publicKey: string;
}

/** A 2048-bit key made by the real openssl (fast), its public half in its own keys directory. */
export async function opensslKey(dir: string, name: string): Promise<TestKey> {
  const keysDir = join(dir, `keys-${name}`);
  await mkdir(keysDir, { recursive: true });
  const privateKey = join(dir, `${name}.rsa`);
  const keyName = `${name}.rsa.pub`;
  const publicKey = join(keysDir, keyName);
  await exec('openssl', ['genrsa', '-out', privateKey, '2048']);
  await exec('openssl', ['rsa', '-in', privateKey, '-pubout', '-out', publicKey]);
  return { privateKey, keyName, keysDir, publicKey };
}

/** A staging tree with a script (0755), a config (0640), a symlink, nested dirs and binary bytes. */
export async function stagingTree(dir: string): Promise<string> {
  const root = join(dir, 'stage');
  await mkdir(join(root, 'usr/bin'), { recursive: true });
  await mkdir(join(root, 'etc/hello'), { recursive: true });
  await mkdir(join(root, 'usr/share/hello'), { recursive: true });
  await writeFile(join(root, 'usr/bin/hello'), '#!/bin/sh\necho hello\n');
  await chmod(join(root, 'usr/bin/hello'), 0o755);
  await writeFile(join(root, 'etc/hello/hello.conf'), 'greeting=hi\n');
  await chmod(join(root, 'etc/hello/hello.conf'), 0o640);
  await writeFile(
    join(root, 'usr/share/hello/blob.bin'),
    Buffer.from(Array.from({ length: 70000 }, (_, i) => (i * 7919) % 251)),
  );
  await symlink('hello', join(root, 'usr/bin/hi'));
  return root;
}

/** PAX records per entry name, read straight from the tar bytes (512-byte headers, `x` records). */
export function paxRecordsByName(tar: Buffer): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  let off = 0;
  let pending: Record<string, string> | undefined;
  while (off + 512 <= tar.length) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const field = (start: number, len: number) =>
      h
        .subarray(start, start + len)
        .toString('latin1')
        .replace(/\0.*$/s, '');
    const size = Number.parseInt(field(124, 12).trim(), 8);
    const type = String.fromCharCode(h[156]);
    const body = tar.subarray(off + 512, off + 512 + size);
    if (type === 'x') {
      pending = {};
      let p = 0;
      while (p < body.length) {
        const space = body.indexOf(0x20, p);
        const len = Number(body.subarray(p, space).toString());
        const rec = body.subarray(space + 1, p + len - 1).toString();
        const eq = rec.indexOf('=');
        pending[rec.slice(0, eq)] = rec.slice(eq + 1);
        p += len;
      }
    } else {
      const prefix = field(345, 155);
      const name = pending?.path ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
      out.set(name, pending ?? {});
      pending = undefined;
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/**
 * Splits concatenated gzip members with Debian's gzip as the judge: the boundary is the offset
 * where both halves test as complete gzip streams.
 */
export async function gzipBoundaries(file: Buffer, tmp: string): Promise<number[]> {
  const { writeFile: wf } = await import('node:fs/promises');
  const cuts: number[] = [];
  let start = 0;
  for (let k = 1; k < file.length - 3; k++) {
    if (file[k] !== 0x1f || file[k + 1] !== 0x8b || file[k + 2] !== 0x08) continue;
    const head = join(tmp, 'head.gz');
    await wf(head, file.subarray(start, k));
    try {
      await exec('gzip', ['-t', head]);
    } catch {
      continue;
    }
    cuts.push(k);
    start = k;
  }
  return cuts;
}
