import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { extract, pack } from 'tar-stream';
import { mapLimit } from '../core/concurrency.js';
import type { KubeClient } from '../kube/client.js';
import type { ExecSession } from '../kube/exec.js';
import { CopyError, classifyRemoteFailure, EXIT_TOOLS } from './errors.js';
import { type ArchiveEntry, safeEntryName } from './extract.js';
import type { EntryWithData, ManifestEntry, Receiver, Side, SourceItem } from './side.js';
import { hasGlob, quoteGlob } from './spec.js';

/** Arguments per exec when a command takes a list of files (the command travels in the URL). */
const NAMES_PER_EXEC = 200;

export interface RemoteTarget {
  client: KubeClient;
  pod: string;
  namespace: string;
  container?: string;
  /** Use gzip when the container has it (default true). */
  compress?: boolean;
}

/** A container, reached through exec, as one end of a copy. Every command runs via `sh -c` with positional arguments. */
export class RemoteSide implements Side {
  readonly label: string;
  private tools = new Set<string>();
  private probed = false;
  private canCloseStdin = true;

  constructor(private readonly target: RemoteTarget) {
    this.label = `${target.namespace}/${target.pod}`;
  }

  get hasTar(): boolean {
    return this.tools.has('tar');
  }

  /** Finds which tools the container has; a container without `sh` cannot be used at all. */
  async probe(): Promise<Set<string>> {
    if (this.probed) return this.tools;
    const script =
      'for t in tar gzip sha256sum find stat head tail readlink; do command -v "$t" >/dev/null 2>&1 && echo "$t"; done; true';
    const r = await this.run([script]);
    if (r.commandNotFound) {
      throw new CopyError(
        `${this.label}: the container has no shell (sh); rampart cp needs sh in the container (or use --debug-image with one that has)`,
        EXIT_TOOLS,
      );
    }
    this.tools = new Set(r.stdout.split('\n').filter(Boolean));
    this.probed = true;
    for (const needed of ['find', 'stat', 'head']) {
      if (!this.tools.has(needed)) {
        throw new CopyError(
          `${this.label}: the container has no "${needed}", which rampart cp needs`,
          EXIT_TOOLS,
        );
      }
    }
    return this.tools;
  }

  private run(script: string[], args: string[] = [], input?: Buffer) {
    return this.target.client.exec(this.target.pod, ['sh', '-c', ...script, 'sh', ...args], {
      namespace: this.target.namespace,
      container: this.target.container,
      input,
    });
  }

  private open(script: string, args: string[], stdin = false): Promise<ExecSession> {
    return this.target.client.openExec({
      pod: this.target.pod,
      namespace: this.target.namespace,
      container: this.target.container,
      command: ['sh', '-c', script, 'sh', ...args],
      stdin,
    });
  }

  private fail(what: string, stderr: string, exitCode: number | undefined): never {
    const text = stderr.trim() || `exit code ${exitCode ?? 'unknown'}`;
    throw new CopyError(`${this.label}: ${what}: ${text}`, classifyRemoteFailure(text));
  }

  async kind(path: string): Promise<'directory' | 'file' | 'missing'> {
    await this.probe();
    const r = await this.run(
      [
        'if [ -d "$1" ]; then echo directory; elif [ -e "$1" ] || [ -L "$1" ]; then echo file; else echo missing; fi',
      ],
      [path],
    );
    const kind = r.stdout.trim();
    return kind === 'directory' || kind === 'file' ? kind : 'missing';
  }

  async expand(path: string): Promise<SourceItem[]> {
    await this.probe();
    const { base, name } = splitPath(path);
    if (!hasGlob(name)) return [{ base, name }];
    // Only the last component may hold wildcards; it is quoted so that nothing but the wildcards is special.
    const script = `cd "$1" || exit 2; for p in ${quoteGlob(name)}; do if [ -e "$p" ] || [ -L "$p" ]; then printf '%s\\n' "$p"; fi; done`;
    const r = await this.run([script], [base]);
    if (r.exitCode !== 0) this.fail(`cannot list ${base}`, r.stderr, r.exitCode);
    const names = r.stdout.split('\n').filter(Boolean);
    if (names.length === 0)
      throw new CopyError(`${this.label}: ${path}: no such file or directory (no match)`, 4);
    return names.map((n) => ({ base, name: n }));
  }

  async list(items: SourceItem[]): Promise<ManifestEntry[]> {
    const out: ManifestEntry[] = [];
    const byBase = groupBy(items, (i) => i.base);
    for (const [base, group] of byBase) {
      for (const chunk of chunks(
        group.map((i) => `./${i.name}`),
        NAMES_PER_EXEC,
      )) {
        const r = await this.run(
          ['cd "$1" || exit 2; shift; find "$@" -exec stat -c "%F|%s|%a|%n" {} +'],
          [base, ...chunk],
        );
        if (r.exitCode !== 0)
          this.fail(`cannot read ${base}/${chunk.map((c) => c.slice(2)).join(', ')}`, r.stderr, r.exitCode);
        for (const line of r.stdout.split('\n')) {
          const m = /^([^|]+)\|(\d+)\|([0-7]+)\|\.\/(.*)$/.exec(line);
          if (!m) continue;
          const kind = m[1] as string;
          const type = kind.startsWith('directory')
            ? 'directory'
            : kind.startsWith('symbolic')
              ? 'symlink'
              : kind.includes('regular')
                ? 'file'
                : undefined;
          if (!type) continue;
          out.push({
            name: m[4] as string,
            type,
            size: type === 'file' ? Number(m[2]) : 0,
            mode: Number.parseInt(m[3] as string, 8),
          });
        }
      }
    }
    return out;
  }

  async *entries(
    base: string,
    names: string[],
    manifest: Map<string, ManifestEntry>,
  ): AsyncIterable<EntryWithData> {
    await this.probe();
    if (!this.hasTar) {
      yield* this.entriesWithoutTar(base, names, manifest);
      return;
    }
    for (const chunk of chunks(names, NAMES_PER_EXEC)) {
      const gzip = this.target.compress !== false && this.tools.has('gzip');
      const session = await this.open(`cd "$1" || exit 2; shift; exec tar c${gzip ? 'z' : ''}f - "$@"`, [
        base,
        ...chunk.map((n) => `./${n}`),
      ]);
      const stderr: Buffer[] = [];
      session.stderr.on('data', (c: Buffer) => stderr.push(c));
      const parser = extract();
      const source = gzip ? session.stdout.pipe(createGunzip()) : session.stdout;
      session.stdout.on('error', (error) => parser.destroy(error));
      source.on('error', (error) => parser.destroy(error));
      source.pipe(parser);
      for await (const item of parser) {
        const header = item.header;
        const name = safeEntryName(header.name);
        if (name === '') {
          item.resume();
          continue;
        }
        const type =
          header.type === 'file' || header.type === 'contiguous-file'
            ? 'file'
            : header.type === 'directory'
              ? 'directory'
              : header.type === 'symlink'
                ? 'symlink'
                : header.type === 'link'
                  ? 'link'
                  : 'other';
        const entry: ArchiveEntry = {
          name,
          type,
          size: header.size ?? 0,
          mode: header.mode ?? 0o644,
          mtime: header.mtime,
          linkname: header.linkname ?? undefined,
        };
        yield { entry, data: item as unknown as Readable };
      }
      const outcome = await session.done;
      if (outcome.exitCode !== 0) {
        this.fail('tar failed', Buffer.concat(stderr).toString() || outcome.message || '', outcome.exitCode);
      }
    }
  }

  private async *entriesWithoutTar(
    base: string,
    names: string[],
    manifest: Map<string, ManifestEntry>,
  ): AsyncIterable<EntryWithData> {
    const wanted = new Set(names);
    for (const entry of manifest.values()) {
      if (!wanted.has(entry.name) && !wanted.has(entry.name.split('/')[0] as string)) continue;
      if (entry.type === 'directory') {
        yield { entry: { name: entry.name, type: 'directory', size: 0, mode: entry.mode } };
      } else if (entry.type === 'symlink') {
        const r = await this.run(['readlink "$1"'], [`${base}/${entry.name}`]);
        yield {
          entry: {
            name: entry.name,
            type: 'symlink',
            size: 0,
            mode: entry.mode,
            linkname: r.stdout.replace(/\n$/, ''),
          },
        };
      } else {
        const data = entry.size > 0 ? await this.readFrom(base, entry.name, 0, entry.size) : undefined;
        yield { entry: { name: entry.name, type: 'file', size: entry.size, mode: entry.mode }, data };
      }
    }
  }

  async receive(base: string): Promise<Receiver> {
    await this.probe();
    if (!this.hasTar) return this.receiveWithoutTar(base);
    const probe = await this.open('mkdir -p "$1" && cd "$1" && exec cat >/dev/null', [base], true);
    this.canCloseStdin = probe.canCloseStdin;
    probe.abort();
    // gzip needs end of input, which only v5 can signal; tar itself stops at its end-of-archive blocks.
    const gzip = this.target.compress !== false && this.tools.has('gzip') && this.canCloseStdin;
    const session = await this.open(
      `mkdir -p "$1" && cd "$1" && exec tar x${gzip ? 'z' : ''}of -`,
      [base],
      true,
    );
    const stderr: Buffer[] = [];
    session.stderr.on('data', (c: Buffer) => stderr.push(c));
    const packer = pack();
    const sending = pipeline(
      gzip
        ? ([packer, createGzip({ level: 1 }), session.stdin] as never)
        : ([packer, session.stdin] as never),
    ).catch((error: unknown) => error as Error);
    return {
      put: async (entry, data) => {
        const header = {
          name: entry.name,
          type: entry.type === 'other' ? 'file' : entry.type,
          size: entry.type === 'file' ? entry.size : 0,
          mode: entry.mode & 0o777,
          mtime: entry.mtime ?? new Date(),
          linkname: entry.linkname,
        } as const;
        await new Promise<void>((resolve, reject) => {
          const sink = packer.entry(header as never, (error) => (error ? reject(error) : resolve()));
          // The pack fails as a whole when the exec breaks; its entry stream then errors too.
          sink.on('error', reject);
          if (data && entry.type === 'file') {
            data.on('error', (error) => {
              sink.destroy(error);
              reject(error);
            });
            data.pipe(sink);
          } else {
            (sink as unknown as { end(): void }).end();
          }
        });
      },
      close: async () => {
        packer.finalize();
        const sendError = await sending;
        const outcome = await session.done;
        if (outcome.exitCode !== 0)
          this.fail(
            'tar x failed',
            Buffer.concat(stderr).toString() || outcome.message || '',
            outcome.exitCode,
          );
        if (sendError instanceof Error) throw sendError;
      },
      abort: () => session.abort(),
    };
  }

  private receiveWithoutTar(base: string): Receiver {
    return {
      put: async (entry, data) => {
        const path = `${base}/${entry.name}`;
        if (entry.type === 'directory') {
          const r = await this.run(
            ['mkdir -p "$1" && chmod "$2" "$1"'],
            [path, (entry.mode & 0o777).toString(8)],
          );
          if (r.exitCode !== 0) this.fail(`mkdir ${path}`, r.stderr, r.exitCode);
        } else if (entry.type === 'symlink') {
          const r = await this.run(
            ['mkdir -p "$(dirname "$1")" && rm -f "$1" && ln -s "$2" "$1"'],
            [path, entry.linkname ?? ''],
          );
          if (r.exitCode !== 0) this.fail(`ln -s ${path}`, r.stderr, r.exitCode);
        } else if (entry.type === 'file') {
          await this.writeFile(path, 0, entry.size, entry.mode, data);
        } else {
          data?.resume();
        }
      },
      close: async () => undefined,
      abort: () => undefined,
    };
  }

  /** `head -c N` stops after exactly N bytes, so it finishes on v4 too (no close frame needed). */
  private async writeFile(
    path: string,
    offset: number,
    length: number,
    mode: number,
    data?: Readable,
  ): Promise<void> {
    const redirect = offset > 0 ? '>>' : '>';
    const session = await this.open(
      `mkdir -p "$(dirname "$1")" && head -c "$2" ${redirect} "$1" && chmod "$3" "$1"`,
      [path, String(length), (mode & 0o777).toString(8)],
      true,
    );
    const stderr: Buffer[] = [];
    session.stderr.on('data', (c: Buffer) => stderr.push(c));
    session.stdout.resume();
    if (data) await pipeline(data, session.stdin).catch(() => undefined);
    else session.stdin.end();
    const outcome = await session.done;
    if (outcome.exitCode !== 0)
      this.fail(`write ${path}`, Buffer.concat(stderr).toString() || outcome.message || '', outcome.exitCode);
  }

  async readFrom(base: string, name: string, offset: number, _size: number): Promise<Readable> {
    const session = await this.open('exec tail -c +"$2" "$1"', [`${base}/${name}`, String(offset + 1)]);
    const out = new PassThrough();
    session.stderr.resume();
    session.stdout.on('error', (error) => out.destroy(error));
    session.stdout.pipe(out);
    session.done.then(
      (outcome) => {
        if (outcome.exitCode !== 0)
          out.destroy(new CopyError(`${this.label}: cannot read ${base}/${name}`, 1));
      },
      (error: Error) => out.destroy(error),
    );
    return out;
  }

  async append(
    base: string,
    name: string,
    offset: number,
    length: number,
    mode: number,
    data: Readable,
  ): Promise<void> {
    await this.writeFile(`${base}/${name}`, offset, length, mode, data);
  }

  async sizes(base: string, names: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const chunk of chunks(names, NAMES_PER_EXEC)) {
      const r = await this.run(
        [
          'cd "$1" 2>/dev/null || exit 0; shift; for f in "$@"; do [ -f "$f" ] && [ ! -L "$f" ] && stat -c "%s|%n" "$f"; done; true',
        ],
        [base, ...chunk.map((n) => `./${n}`)],
      );
      for (const line of r.stdout.split('\n')) {
        const m = /^(\d+)\|\.\/(.*)$/.exec(line);
        if (m) out.set(m[2] as string, Number(m[1]));
      }
    }
    return out;
  }

  async sha256(base: string, names: string[]): Promise<Map<string, string>> {
    await this.probe();
    const out = new Map<string, string>();
    if (!this.tools.has('sha256sum')) {
      throw new CopyError(
        `${this.label}: the container has no sha256sum, so the copy cannot be verified (use --no-verify)`,
        EXIT_TOOLS,
      );
    }
    // A few execs at once: each chunk is a round trip through the API server and a process start.
    await mapLimit(chunks(names, NAMES_PER_EXEC), 4, async (chunk) => {
      const r = await this.run(
        ['cd "$1" || exit 2; shift; sha256sum "$@"'],
        [base, ...chunk.map((n) => `./${n}`)],
      );
      for (const line of r.stdout.split('\n')) {
        const m = /^([0-9a-f]{64}) [ *]\.\/(.*)$/.exec(line);
        if (m) out.set(m[2] as string, m[1] as string);
      }
    });
    return out;
  }

  async chmod(base: string, modes: Map<string, number>): Promise<void> {
    const entries = [...modes].sort((a, b) => b[0].length - a[0].length);
    for (const chunk of chunks(entries, NAMES_PER_EXEC / 2)) {
      await this.run(
        ['cd "$1" || exit 2; shift; while [ $# -gt 1 ]; do chmod "$1" "$2"; shift 2; done'],
        [base, ...chunk.flatMap(([name, mode]) => [(mode & 0o777).toString(8), `./${name}`])],
      );
    }
  }
}

/** Splits a remote path into its directory and last component (`/var/log/` → `/var`, `log`). */
export function splitPath(path: string): { base: string; name: string } {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  const slash = trimmed.lastIndexOf('/');
  if (slash < 0) return { base: '.', name: trimmed };
  if (slash === 0) return { base: '/', name: trimmed.slice(1) || '.' };
  return { base: trimmed.slice(0, slash), name: trimmed.slice(slash + 1) };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    out.set(k, [...(out.get(k) ?? []), item]);
  }
  return out;
}
