import { UserError } from '../core/errors.js';

export type Location =
  | { kind: 'local'; path: string }
  | { kind: 'pod'; namespace?: string; pod: string; path: string };

/**
 * Parses kubectl cp's operand syntax: `[namespace/]pod:path` for a pod, anything else is local.
 * A local name containing a colon can be written `./a:b` (as with kubectl).
 */
export function parseLocation(operand: string): Location {
  if (operand === '') throw new UserError('cp: empty source or destination');
  if (operand.startsWith('/') || operand.startsWith('.') || !operand.includes(':')) {
    return { kind: 'local', path: operand };
  }
  const colon = operand.indexOf(':');
  const target = operand.slice(0, colon);
  const path = operand.slice(colon + 1);
  if (path === '')
    throw new UserError(`cp: "${operand}": a path is required after the colon (e.g. ${target}:/tmp)`);
  const slash = target.split('/');
  if (slash.length > 2 || slash.some((s) => s === '')) {
    throw new UserError(`cp: "${operand}": expected [namespace/]pod:path`);
  }
  return slash.length === 2
    ? { kind: 'pod', namespace: slash[0], pod: slash[1] as string, path }
    : { kind: 'pod', pod: target, path };
}

/** Quotes a string for a POSIX shell: the result is always one literal word. */
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function hasGlob(path: string): boolean {
  return /[*?[]/.test(path);
}

/**
 * Quotes a glob pattern so the shell expands its wildcards and nothing else: `*` and `?` stay bare,
 * a bracket expression stays bare only if it holds plain characters; everything else (spaces, `$`,
 * backquotes, `;`) is inside single quotes, so `$(rm -rf /)*.log` matches files, it runs nothing.
 */
export function quoteGlob(pattern: string): string {
  let out = '';
  let literal = '';
  const flush = () => {
    if (literal) out += shQuote(literal);
    literal = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' || c === '?') {
      flush();
      out += c;
    } else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      const body = close > 0 ? pattern.slice(i + 1, close) : '';
      if (close > 0 && /^[!^]?[A-Za-z0-9._-]+$/.test(body)) {
        flush();
        out += `[${body}]`;
        i = close;
      } else {
        literal += c;
      }
    } else {
      literal += c;
    }
  }
  flush();
  return out;
}
