/**
 * semver_compare as Kyverno implements it with blang/semver v4: the version is parsed strictly
 * (an invalid one counts as 0.0.0), the range uses blang's syntax: comparators `=`, `==`, `!=`, `!`,
 * `>`, `>=`, `<`, `<=` joined by spaces (AND) and `||` (OR), with `x`/`X`/`*` wildcards.
 */

interface Version {
  major: bigint;
  minor: bigint;
  patch: bigint;
  pre: (string | bigint)[];
}

const NUM = '(0|[1-9]\\d*)';
const PRE_ID = '(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)';
const VERSION_RE = new RegExp(
  `^${NUM}\\.${NUM}\\.${NUM}(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$`,
);

export class SemverError extends Error {}

export function parseVersion(s: string): Version | undefined {
  const m = VERSION_RE.exec(s);
  if (!m) return undefined;
  return {
    major: BigInt(m[1]!),
    minor: BigInt(m[2]!),
    patch: BigInt(m[3]!),
    pre: m[4] ? m[4].split('.').map((p) => (/^\d+$/.test(p) ? BigInt(p) : p)) : [],
  };
}

function cmp(a: bigint | string, b: bigint | string): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'bigint') return -1;
  if (typeof b === 'bigint') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareVersions(a: Version, b: Version): number {
  for (const k of ['major', 'minor', 'patch'] as const) {
    const c = cmp(a[k], b[k]);
    if (c !== 0) return c;
  }
  if (a.pre.length === 0 && b.pre.length === 0) return 0;
  if (a.pre.length === 0) return 1;
  if (b.pre.length === 0) return -1;
  for (let i = 0; i < Math.min(a.pre.length, b.pre.length); i++) {
    const c = cmp(a.pre[i]!, b.pre[i]!);
    if (c !== 0) return c;
  }
  return a.pre.length - b.pre.length === 0 ? 0 : a.pre.length < b.pre.length ? -1 : 1;
}

type Comparator = (v: Version) => boolean;

const OPS: Record<string, (c: number) => boolean> = {
  '': (c) => c === 0,
  '=': (c) => c === 0,
  '==': (c) => c === 0,
  '!': (c) => c !== 0,
  '!=': (c) => c !== 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
};

function isWildcard(p: string): boolean {
  return p === 'x' || p === 'X' || p === '*';
}

/** blang's expandWildcardVersion: one comparator with wildcards becomes one or two plain ones. */
function expandWildcard(op: string, version: string): string[][] {
  const parts = version.split('.');
  const wildAt = parts.findIndex(isWildcard);
  if (wildAt < 0) return [[`${op}${version}`]];
  if (wildAt === 0 || parts.length < 2 || parts.length > 3) {
    throw new SemverError(`Could not get version from string: "${version}"`);
  }
  const nums = parts.slice(0, wildAt).map(Number);
  while (nums.length < 3) nums.push(0);
  const low = nums.join('.');
  const bumped = [...nums];
  bumped[wildAt - 1] = (bumped[wildAt - 1] ?? 0) + 1;
  for (let i = wildAt; i < 3; i++) bumped[i] = 0;
  const high = bumped.join('.');
  switch (op) {
    case '>':
      return [[`>=${high}`]];
    case '>=':
      return [[`>=${low}`]];
    case '<':
      return [[`<${low}`]];
    case '<=':
      return [[`<${high}`]];
    case '!=':
    case '!':
      return [[`<${low}`], [`>=${high}`]];
    default:
      return [[`>=${low}`, `<${high}`]];
  }
}

function parseComparator(text: string): Comparator {
  const m = /^(>=|<=|==|!=|>|<|=|!)?(.*)$/.exec(text)!;
  const op = m[1] ?? '';
  const version = parseVersion(m[2]!.trim());
  if (!version)
    throw new SemverError(`Could not parse Range "${text}": Could not parse version "${m[2]}" in "${text}"`);
  const test = OPS[op]!;
  return (v) => test(compareVersions(v, version));
}

/** blang ParseRange; returns a predicate or throws SemverError. */
export function parseRange(range: string): Comparator {
  const orParts = range.split('||').map((p) => p.trim());
  const alternatives: Comparator[][] = [];
  for (const part of orParts) {
    // Join an operator written apart from its version ("> 1.0.0").
    const tokens: string[] = [];
    for (const tok of part.split(/\s+/).filter(Boolean)) {
      const prev = tokens[tokens.length - 1];
      if (prev !== undefined && /^(>=|<=|==|!=|>|<|=|!)$/.test(prev)) tokens[tokens.length - 1] = prev + tok;
      else tokens.push(tok);
    }
    if (tokens.length === 0) throw new SemverError(`Could not parse Range "${range}"`);
    // Each wildcard may itself expand to an OR; distribute it over the AND.
    let branches: string[][] = [[]];
    for (const tok of tokens) {
      const m = /^(>=|<=|==|!=|>|<|=|!)?(.*)$/.exec(tok)!;
      const expansions = expandWildcard(m[1] ?? '', m[2]!);
      const next: string[][] = [];
      for (const b of branches) for (const e of expansions) next.push([...b, ...e]);
      branches = next;
    }
    for (const b of branches) alternatives.push(b.map(parseComparator));
  }
  return (v) => alternatives.some((and) => and.every((c) => c(v)));
}

export function semverSatisfies(version: string, range: string): boolean {
  const v = parseVersion(version) ?? { major: 0n, minor: 0n, patch: 0n, pre: [] };
  return parseRange(range)(v);
}
