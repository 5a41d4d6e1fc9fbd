/**
 * Kubernetes' format library: `format.<name>()` returns a named format whose `validate(s)` is `optional.none()`
 * when `s` is valid and otherwise the list of apimachinery's validation messages; `format.named(name)`.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { Optional } from '@marcbachmann/cel-js';
import { registerNamespace } from './util.js';

export class CelFormat {
  constructor(
    readonly name: string,
    readonly validate: (s: string) => string[],
  ) {}
  toString(): string {
    return this.name;
  }
}

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const DNS1035_LABEL = '[a-z]([-a-z0-9]*[a-z0-9])?';
const QUALIFIED_NAME_PART = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE = '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?';

function regexCheck(
  value: string,
  re: string,
  max: number,
  what: string,
  example: string,
  errMsg: string,
): string[] {
  const out: string[] = [];
  if (value.length > max) out.push(`must be no more than ${max} characters`);
  if (!new RegExp(`^${re}$`).test(value))
    out.push(`${errMsg} (e.g. ${example}, regex used for validation is '${re}')`.replace('%s', what));
  return out;
}

const label = (s: string) =>
  regexCheck(
    s,
    DNS1123_LABEL,
    63,
    '',
    "'my-name',  or '123-abc'",
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
  );
const subdomain = (s: string) =>
  regexCheck(
    s,
    DNS1123_SUBDOMAIN,
    253,
    '',
    "'example.com'",
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
  );
const dns1035 = (s: string) =>
  regexCheck(
    s,
    DNS1035_LABEL,
    63,
    '',
    "'my-name',  or 'abc-123'",
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
  );
const prefix = (check: (s: string) => string[]) => (s: string) => {
  // Prefix formats accept a trailing '-' (generateName), validated as if it were followed by a character.
  const trimmed = s.endsWith('-') ? `${s}a` : s;
  return check(trimmed);
};

function qualifiedName(s: string): string[] {
  const parts = s.split('/');
  let name = s;
  const out: string[] = [];
  if (parts.length === 2) {
    const [p, n] = parts as [string, string];
    if (p.length === 0) out.push('prefix part must be non-empty');
    else out.push(...subdomain(p).map((m) => `prefix part ${m}`));
    name = n;
  } else if (parts.length > 2) {
    return [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) out.push('name part must be non-empty');
  else if (name.length > 63) out.push('name part must be no more than 63 characters');
  if (name.length > 0 && !new RegExp(`^${QUALIFIED_NAME_PART}$`).test(name))
    out.push(
      `name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${QUALIFIED_NAME_PART}')`,
    );
  return out;
}

function labelValue(s: string): string[] {
  const out: string[] = [];
  if (s.length > 63) out.push('must be no more than 63 characters');
  if (!new RegExp(`^${LABEL_VALUE}$`).test(s))
    out.push(
      `a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '${LABEL_VALUE}')`,
    );
  return out;
}

function uri(s: string): string[] {
  try {
    new URL(s);
    return [];
  } catch {
    return s.startsWith('/') ? [] : ['invalid URI'];
  }
}

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDate(y: number, m: number, d: number): boolean {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

function date(s: string): string[] {
  const m = DATE_RE.exec(s);
  return m && validDate(Number(m[1]), Number(m[2]), Number(m[3])) ? [] : ['invalid date'];
}

function datetime(s: string): string[] {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(s);
  if (
    !m ||
    !validDate(Number(m[1]), Number(m[2]), Number(m[3])) ||
    Number(m[4]) > 23 ||
    Number(m[5]) > 59 ||
    Number(m[6]) > 60
  )
    return ['invalid datetime'];
  return [];
}

function base64(s: string): string[] {
  return /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s) ? [] : ['invalid base64'];
}

export const NAMED_FORMATS: ReadonlyMap<string, CelFormat> = new Map(
  (
    [
      ['dns1123Label', label],
      ['dns1123Subdomain', subdomain],
      ['dns1035Label', dns1035],
      ['qualifiedName', qualifiedName],
      ['dns1123LabelPrefix', prefix(label)],
      ['dns1123SubdomainPrefix', prefix(subdomain)],
      ['dns1035LabelPrefix', prefix(dns1035)],
      ['labelValue', labelValue],
      ['uri', uri],
      ['uuid', (s: string) => (UUID_RE.test(s) ? [] : ['does not match the UUID format'])],
      ['byte', base64],
      ['date', date],
      ['datetime', datetime],
    ] as [string, (s: string) => string[]][]
  ).map(([n, f]) => [n, new CelFormat(n, f)]),
);

export function registerFormat(env: Environment): void {
  env.registerType('Format', CelFormat);
  const ns = registerNamespace(env, 'format', 'FormatNamespace');
  for (const [name, fmt] of NAMED_FORMATS) env.registerFunction(`${ns.type}.${name}(): Format`, () => fmt);
  env.registerFunction(`${ns.type}.named(string): optional<Format>`, (_: unknown, n: string) => {
    const f = NAMED_FORMATS.get(n);
    return f ? Optional.of(f) : Optional.none();
  });
  env.registerFunction('Format.validate(string): optional<list<string>>', (f: CelFormat, s: string) => {
    const errs = f.validate(s);
    return errs.length ? Optional.of(errs) : Optional.none();
  });
}
