import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mapLimit } from '../core/concurrency.js';
import { CopyError, classifyLocalError } from './errors.js';
import { SafeWriter } from './extract.js';
import type { EntryWithData, ManifestEntry, Receiver, Side, SourceItem } from './side.js';

/** The local file system as one end of a copy. */
export class LocalSide implements Side {
  readonly label = 'local';

  async kind(path: string): Promise<'directory' | 'file' | 'missing'> {
    const info = await lstat(path).catch(() => undefined);
    if (!info) return 'missing';
    return info.isDirectory() ? 'directory' : 'file';
  }

  async expand(path: string): Promise<SourceItem[]> {
    // The local shell already expanded any glob; a trailing slash means the directory itself.
    const full = resolve(path);
    return [{ base: dirname(full), name: basename(full) }];
  }

  async list(items: SourceItem[]): Promise<ManifestEntry[]> {
    const out: ManifestEntry[] = [];
    const walk = async (base: string, name: string) => {
      const info = await lstat(join(base, name)).catch((error: unknown) => {
        throw new CopyError(`${join(base, name)}: ${(error as Error).message}`, classifyLocalError(error), {
          cause: error,
        });
      });
      const mode = info.mode & 0o7777;
      if (info.isDirectory()) {
        out.push({ name, type: 'directory', size: 0, mode });
        const children = await readdir(join(base, name)).catch((error: unknown) => {
          throw new CopyError(`${join(base, name)}: ${(error as Error).message}`, classifyLocalError(error));
        });
        for (const child of children.sort()) await walk(base, `${name}/${child}`);
      } else if (info.isSymbolicLink()) {
        out.push({ name, type: 'symlink', size: 0, mode });
      } else if (info.isFile()) {
        out.push({ name, type: 'file', size: info.size, mode });
      }
    };
    for (const item of items) await walk(item.base, item.name);
    return out;
  }

  async *entries(
    base: string,
    names: string[],
    manifest: Map<string, ManifestEntry>,
  ): AsyncIterable<EntryWithData> {
    const wanted = new Set(names);
    for (const entry of manifest.values()) {
      const top = entry.name.split('/')[0] as string;
      if (!wanted.has(entry.name) && !wanted.has(top)) continue;
      const path = join(base, entry.name);
      if (entry.type === 'directory') {
        yield { entry: { name: entry.name, type: 'directory', size: 0, mode: entry.mode } };
      } else if (entry.type === 'symlink') {
        yield {
          entry: {
            name: entry.name,
            type: 'symlink',
            size: 0,
            mode: entry.mode,
            linkname: await readlink(path),
          },
        };
      } else {
        yield {
          entry: { name: entry.name, type: 'file', size: entry.size, mode: entry.mode },
          // Exactly the listed size: a file growing meanwhile must not overrun its tar header.
          data:
            entry.size > 0
              ? createReadStream(path, { start: 0, end: entry.size - 1, highWaterMark: 256 * 1024 })
              : undefined,
        };
      }
    }
  }

  async receive(base: string): Promise<Receiver> {
    await mkdir(base, { recursive: true }).catch((error: unknown) => {
      throw new CopyError(`${base}: ${(error as Error).message}`, classifyLocalError(error));
    });
    const writer = new SafeWriter(base);
    return {
      put: async (entry, data) => {
        await writer.write(entry, entry.type === 'file' && entry.size === 0 ? undefined : data);
      },
      close: () => writer.finish(),
      abort: () => undefined,
    };
  }

  async readFrom(base: string, name: string, offset: number, size: number): Promise<Readable> {
    return createReadStream(join(base, name), {
      start: offset,
      end: Math.max(offset, size - 1),
      highWaterMark: 256 * 1024,
    });
  }

  async append(
    base: string,
    name: string,
    offset: number,
    _length: number,
    mode: number,
    data: Readable,
  ): Promise<void> {
    const writer = new SafeWriter(base);
    await writer.write({ name, type: 'file', size: offset + _length, mode }, data, { offset });
  }

  async sizes(base: string, names: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const name of names) {
      const info = await lstat(join(base, name)).catch(() => undefined);
      if (info?.isFile()) out.set(name, info.size);
    }
    return out;
  }

  async sha256(base: string, names: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    // Small files are hashed in one read: with thousands of them the round trips are the cost.
    await mapLimit(names, 4, async (name) => {
      const path = join(base, name);
      const hash = createHash('sha256');
      if (statSync(path).size <= 1024 * 1024) hash.update(readFileSync(path));
      else await pipeline(createReadStream(path), hash);
      out.set(name, hash.digest('hex'));
    });
    return out;
  }

  async chmod(base: string, modes: Map<string, number>): Promise<void> {
    for (const [name, mode] of [...modes].sort((a, b) => b[0].length - a[0].length)) {
      await chmod(join(base, name), mode & 0o777).catch(() => undefined);
    }
  }
}
