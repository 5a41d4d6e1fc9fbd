import { createReadStream } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join, sep } from 'node:path';
import type { Writable } from 'node:stream';
import { UserError } from '../core/errors.js';
import { escapeMarkup } from '../core/markup.js';
import { createServer, listen, type RunningServer, type TlsFiles } from '../net/server.js';
import { type Credentials, checkBasicAuth } from './auth.js';

export interface ServeOptions {
  root: string;
  host?: string;
  port?: number;
  credentials?: Credentials;
  tls?: TlsFiles;
  listing?: boolean;
  accessLog?: Writable;
}

export type { RunningServer };

export const CACHE_APK = 'public, max-age=2592000, immutable';
export const CACHE_INDEX = 'no-store';
const CACHE_OTHER = 'no-cache';

/** Private keys are never served, whatever their location; dot files are temp files and locks. */
export function isForbiddenName(name: string): boolean {
  return name.startsWith('.') || /\.(rsa|key)$/i.test(name);
}

export function cacheControl(name: string): string {
  if (name.endsWith('.apk')) return CACHE_APK;
  if (name.startsWith('APKINDEX')) return CACHE_INDEX;
  return CACHE_OTHER;
}

export function contentType(name: string): string {
  if (name.endsWith('.apk')) return 'application/vnd.alpine.apk';
  if (name.endsWith('.tar.gz')) return 'application/gzip';
  if (name.endsWith('.pub') || name.endsWith('.txt')) return 'text/plain; charset=utf-8';
  if (name.endsWith('.html')) return 'text/html; charset=utf-8';
  return 'application/octet-stream';
}

/** Decoded path segments, or an HTTP status when the path is malformed or tries to escape. */
export function parseRequestPath(rawUrl: string): string[] | number {
  const path = rawUrl.split('?')[0].split('#')[0];
  if (!path.startsWith('/')) return 400;
  const segments: string[] = [];
  for (const raw of path.split('/').slice(1)) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return 400;
    }
    if (seg === '..' || seg === '.' || seg.includes('/') || seg.includes('\\') || seg.includes('\0'))
      return 400;
    segments.push(seg);
  }
  return segments;
}

interface Range {
  start: number;
  end: number;
}

/** One `bytes=` range; undefined = serve the whole file, 'unsatisfiable' = 416. */
export function parseRange(header: string, size: number): Range | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return undefined;
  }
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

export function createRepoServer(options: ServeOptions): Server {
  const rootPromise = realpath(options.root);
  const handler = async (req: IncomingMessage, res: ServerResponse, user: { name?: string }) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (options.credentials) {
      user.name = checkBasicAuth(req.headers.authorization, options.credentials);
      if (!user.name) {
        res
          .writeHead(401, {
            'WWW-Authenticate': 'Basic realm="rampart apk", charset="UTF-8"',
            'Content-Type': 'text/plain',
          })
          .end('authentication required\n');
        return;
      }
    }
    const segments = parseRequestPath(req.url ?? '/');
    if (typeof segments === 'number') {
      res.writeHead(segments, { 'Content-Type': 'text/plain' }).end('bad request\n');
      return;
    }
    const notFound = () => res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    if (segments.some((s) => s !== '' && isForbiddenName(s)) || segments.slice(0, -1).includes('')) {
      notFound();
      return;
    }
    const root = await rootPromise;
    const full = join(root, ...segments);
    let real: string;
    try {
      real = await realpath(full);
    } catch {
      notFound();
      return;
    }
    // A symlink inside the tree must not lead outside it.
    if (real !== root && !real.startsWith(root + sep)) {
      notFound();
      return;
    }
    const st = await stat(real);
    const last = segments[segments.length - 1] ?? '';
    if (st.isDirectory()) {
      if (last !== '') {
        // 302, never 307/308: apk's libfetch does not follow those.
        res.writeHead(302, { Location: `${(req.url ?? '/').split('?')[0]}/` }).end();
        return;
      }
      if (!options.listing) {
        notFound();
        return;
      }
      const entries = (await readdir(real, { withFileTypes: true }))
        .filter((e) => !isForbiddenName(e.name))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
      const items = entries
        .map((e) => {
          const n = e.isDirectory() ? `${e.name}/` : e.name;
          return `<li><a href="${encodeURIComponent(e.name)}${e.isDirectory() ? '/' : ''}">${escapeMarkup(n)}</a></li>`;
        })
        .join('\n');
      const title = escapeMarkup(`/${segments.join('/')}`);
      const body = `<!doctype html>\n<html><head><meta charset="utf-8"><title>Index of ${title}</title></head>\n<body><h1>Index of ${title}</h1>\n<ul>\n${segments.length > 1 ? '<li><a href="../">../</a></li>\n' : ''}${items}\n</ul></body></html>\n`;
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-cache',
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (!st.isFile()) {
      notFound();
      return;
    }
    // One descriptor for stat and body: a concurrent rename of the index cannot mix two versions.
    const fh = await open(real, 'r');
    let handedOff = false;
    try {
      const fst = await fh.stat();
      const etag = `"${fst.size.toString(16)}-${Math.floor(fst.mtimeMs).toString(16)}-${fst.ino.toString(16)}"`;
      const lastModified = new Date(Math.floor(fst.mtimeMs / 1000) * 1000);
      const headers: Record<string, string | number> = {
        'Content-Type': contentType(last),
        'Cache-Control': cacheControl(last),
        ETag: etag,
        'Last-Modified': lastModified.toUTCString(),
        'Accept-Ranges': 'bytes',
      };
      const inm = req.headers['if-none-match'];
      const ims = req.headers['if-modified-since'];
      const notModified =
        inm !== undefined
          ? etagMatches(inm, etag)
          : ims !== undefined && !Number.isNaN(Date.parse(ims)) && lastModified.getTime() <= Date.parse(ims);
      if (notModified) {
        res.writeHead(304, headers).end();
        return;
      }
      let range: Range | 'unsatisfiable' | undefined;
      const ifRange = req.headers['if-range'] as string | undefined;
      const rangeAllowed =
        ifRange === undefined ||
        ifRange === etag ||
        (Date.parse(ifRange) >= lastModified.getTime() && !ifRange.startsWith('"'));
      if (req.headers.range && rangeAllowed) range = parseRange(req.headers.range, fst.size);
      if (range === 'unsatisfiable') {
        res.writeHead(416, { ...headers, 'Content-Range': `bytes */${fst.size}` }).end();
        return;
      }
      const start = range?.start ?? 0;
      const end = range?.end ?? fst.size - 1;
      const length = fst.size === 0 ? 0 : end - start + 1;
      if (range) headers['Content-Range'] = `bytes ${start}-${end}/${fst.size}`;
      headers['Content-Length'] = length;
      res.writeHead(range ? 206 : 200, headers);
      if (req.method === 'HEAD' || length === 0) {
        res.end();
        return;
      }
      const body = createReadStream('', { fd: fh, start, end, autoClose: true });
      handedOff = true;
      body.on('error', () => res.destroy());
      body.pipe(res);
    } finally {
      if (!handedOff) await fh.close();
    }
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const started = new Date();
    const user: { name?: string } = {};
    let bytes = 0;
    const count = (chunk: unknown) => {
      if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) bytes += Buffer.byteLength(chunk);
    };
    const write = res.write.bind(res);
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      count(chunk);
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof res.write;
    const end = res.end.bind(res);
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== 'function') count(chunk);
      return (end as (...a: unknown[]) => ServerResponse)(chunk, ...rest);
    }) as typeof res.end;
    res.on('finish', () => {
      const line = `${req.socket.remoteAddress ?? '-'} - ${user.name ?? '-'} [${started.toISOString()}] "${req.method} ${req.url} HTTP/${req.httpVersion}" ${res.statusCode} ${bytes} "${req.headers['user-agent'] ?? '-'}"\n`;
      options.accessLog?.write(line);
    });
    handler(req, res, user).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' }).end('internal error\n');
      else res.destroy();
    });
  };

  return createServer(listener, options.tls);
}

export async function startRepoServer(options: ServeOptions): Promise<RunningServer> {
  const st = await stat(options.root).catch(() => undefined);
  if (!st?.isDirectory()) throw new UserError(`${options.root} is not a directory`);
  return listen(createRepoServer(options), {
    host: options.host,
    port: options.port ?? 8080,
    tls: options.tls,
  });
}
