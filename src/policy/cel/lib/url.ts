/**
 * Kubernetes' URL library: url() accepts what Go's url.ParseRequestURI accepts — an absolute URL or an absolute
 * path — and the accessors return Go's spellings (getHost keeps IPv6 brackets, getHostname drops them).
 */
import type { Environment } from '@marcbachmann/cel-js';
import { evalError } from './util.js';

export class CelURL {
  constructor(
    readonly text: string,
    readonly scheme: string,
    readonly host: string,
    readonly escapedPath: string,
    readonly rawQuery: string,
  ) {}
  toString(): string {
    return this.text;
  }
}

const URL_RE = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#.*)?$/;

export function parseURL(s: string): CelURL | undefined {
  if (/[\s\x00-\x1f\x7f]/.test(s) || s.includes('#')) return undefined;
  const m = URL_RE.exec(s);
  if (!m) return undefined;
  const [, scheme = '', authority, path = '', query = ''] = m;
  if (!scheme) {
    if (!path.startsWith('/') || authority !== undefined) return undefined;
  } else if (authority === undefined && !path.startsWith('/')) {
    // opaque URL (mailto:x): Go accepts it when it has a scheme; path stays empty
    if (path === '') return undefined;
    return new CelURL(s, scheme, '', '', query);
  }
  let host = authority ?? '';
  const at = host.lastIndexOf('@');
  if (at !== -1) host = host.slice(at + 1);
  if (host.startsWith('[') && !/^\[[0-9a-fA-F:.]+\](?::\d*)?$/.test(host)) return undefined;
  if (!host.startsWith('[') && /[^A-Za-z0-9._~!$&'()*+,;=%:-]/.test(host)) return undefined;
  if (/%(?![0-9a-fA-F]{2})/.test(path)) return undefined;
  return new CelURL(s, scheme, host, path, query);
}

function hostname(u: CelURL): string {
  const h = u.host;
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

function port(u: CelURL): string {
  const h = u.host;
  const close = h.startsWith('[') ? h.indexOf(']') : -1;
  const colon = h.lastIndexOf(':');
  return colon > close ? h.slice(colon + 1) : '';
}

function query(u: CelURL): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!u.rawQuery) return out;
  for (const part of u.rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const dec = (x: string) => {
      try {
        return decodeURIComponent(x.replace(/\+/g, ' '));
      } catch {
        return x;
      }
    };
    const k = dec(eq === -1 ? part : part.slice(0, eq));
    const v = eq === -1 ? '' : dec(part.slice(eq + 1));
    let list = out[k];
    if (!list) {
      list = [];
      out[k] = list;
    }
    list.push(v);
  }
  return out;
}

export function registerURL(env: Environment): void {
  env.registerType('URL', CelURL);
  env.registerFunction('url(string): URL', (s: string) => {
    const u = parseURL(s);
    if (!u)
      throw evalError(
        `URL parse error during conversion from string: parse ${JSON.stringify(s)}: invalid URI for request`,
      );
    return u;
  });
  env.registerFunction('isURL(string): bool', (s: string) => parseURL(s) !== undefined);
  env.registerFunction('URL.getScheme(): string', (u: CelURL) => u.scheme);
  env.registerFunction('URL.getHost(): string', (u: CelURL) => u.host);
  env.registerFunction('URL.getHostname(): string', hostname);
  env.registerFunction('URL.getPort(): string', port);
  env.registerFunction('URL.getEscapedPath(): string', (u: CelURL) => u.escapedPath);
  env.registerFunction('URL.getQuery(): map<string, list<string>>', query);
  env.registerFunction('string(URL): string', (u: CelURL) => u.text);
}
