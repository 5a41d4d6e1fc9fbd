/** String helpers with Go's semantics (strings, strconv, path, encoding/base64). */
import { RE2JS } from 're2js';

/** strconv.FormatFloat(f, 'f', -1, 32): the shortest decimal that round-trips as a float32. */
export function formatFloat32(n: number): string {
  const f = Math.fround(n);
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : f < 0 ? '-Inf' : 'NaN';
  let text = String(f);
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(f.toPrecision(p));
    if (Math.fround(candidate) === f) {
      text = String(candidate);
      break;
    }
  }
  if (/e/.test(text)) {
    const [mant, exp] = text.split('e') as [string, string];
    const e = Number(exp);
    const [i, frac = ''] = mant.replace('-', '').split('.') as [string, string?];
    const digits = i + frac;
    const point = i.length + e;
    const sign = mant.startsWith('-') ? '-' : '';
    if (point <= 0) text = `${sign}0.${'0'.repeat(-point)}${digits}`;
    else if (point >= digits.length) text = `${sign}${digits}${'0'.repeat(point - digits.length)}`;
    else text = `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  return text;
}

/** Kyverno's ifaceToString: numbers via float32 formatting, booleans as true/false. */
export function ifaceToString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatFloat32(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

/** strings.Trim: removes leading and trailing code points contained in cutset. */
export function goTrim(s: string, cutset: string): string {
  const set = new Set(Array.from(cutset));
  const chars = Array.from(s);
  let start = 0;
  let end = chars.length;
  while (start < end && set.has(chars[start]!)) start++;
  while (end > start && set.has(chars[end - 1]!)) end--;
  return chars.slice(start, end).join('');
}

/** strings.Split: an empty separator splits into code points. */
export function goSplit(s: string, sep: string): string[] {
  if (sep === '') return Array.from(s);
  return s.split(sep);
}

/** strings.Replace with n < 0 meaning all. */
export function goReplace(s: string, old: string, replacement: string, n: number): string {
  if (n === 0 || old === replacement) return s;
  if (old === '') {
    const chars = Array.from(s);
    const out: string[] = [];
    let done = 0;
    for (let i = 0; i <= chars.length; i++) {
      if (n < 0 || done < n) {
        out.push(replacement);
        done++;
      }
      if (i < chars.length) out.push(chars[i]!);
    }
    return out.join('');
  }
  let out = '';
  let rest = s;
  let done = 0;
  while (n < 0 || done < n) {
    const i = rest.indexOf(old);
    if (i < 0) break;
    out += rest.slice(0, i) + replacement;
    rest = rest.slice(i + old.length);
    done++;
  }
  return out + rest;
}

/** path.Clean, which filepath.Join applies on Linux; an empty path stays empty as Join leaves it. */
export function goCleanPath(p: string): string {
  if (p === '') return '';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

export class Base64Error extends Error {}

/** base64.StdEncoding.DecodeString: padding required; CR and LF are ignored. */
export function goBase64Decode(s: string): string {
  const clean = s.replace(/[\r\n]/g, '');
  const bad = /[^A-Za-z0-9+/=]/.exec(clean);
  if (bad) throw new Base64Error(`illegal base64 data at input byte ${bad.index}`);
  const pad = clean.indexOf('=');
  if (pad >= 0 && !/^=={0,1}$/.test(clean.slice(pad))) {
    throw new Base64Error(`illegal base64 data at input byte ${pad}`);
  }
  if (clean.length % 4 !== 0) {
    throw new Base64Error(`illegal base64 data at input byte ${clean.length - (clean.length % 4)}`);
  }
  return Buffer.from(clean, 'base64').toString('utf8');
}

const regexCache = new Map<string, RE2JS>();

/** Compiles with RE2 (Go syntax); throws an Error carrying Go's "error parsing regexp: ..." text. */
export function compileGoRegex(pattern: string): RE2JS {
  let re = regexCache.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern);
    if (regexCache.size > 512) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
}

/** Regexp.Expand's template syntax: $1, ${1}, $name, ${name}, $$. */
function expand(
  template: string,
  groups: (string | null)[],
  named: Record<string, number>,
  literal: boolean,
): string {
  if (literal) return template;
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== '$' || i + 1 >= template.length) {
      out += c;
      continue;
    }
    if (template[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string | undefined;
    let consumed = 0;
    const braced = /^\{([A-Za-z0-9_]+)\}/.exec(template.slice(i + 1));
    if (braced) {
      name = braced[1];
      consumed = braced[0].length;
    } else {
      const bare = /^[A-Za-z0-9_]+/.exec(template.slice(i + 1));
      if (bare) {
        name = bare[0];
        consumed = bare[0].length;
      }
    }
    if (name === undefined) {
      out += '$';
      continue;
    }
    i += consumed;
    const index = /^\d+$/.test(name) ? Number(name) : named[name];
    if (index !== undefined && index < groups.length) out += groups[index] ?? '';
  }
  return out;
}

/** Regexp.ReplaceAll / ReplaceAllLiteral, including Go's rule for empty matches after a match. */
export function goRegexReplaceAll(re: RE2JS, src: string, replacement: string, literal: boolean): string {
  const matcher = re.matcher(src);
  const named = re.namedGroups();
  const groupCount = re.groupCount();
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    if (!matcher.find(searchPos)) break;
    const start = matcher.start();
    const end = matcher.end();
    out += src.slice(lastMatchEnd, start);
    if (end > lastMatchEnd || start === 0) {
      const groups: (string | null)[] = [];
      for (let g = 0; g <= groupCount; g++) groups.push(matcher.group(g));
      out += expand(replacement, groups, named, literal);
    }
    lastMatchEnd = end;
    const width = (src.codePointAt(searchPos) ?? 0) > 0xffff ? 2 : 1;
    if (searchPos + width > end) searchPos += width;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  return out + src.slice(lastMatchEnd);
}
