/**
 * apk's version ordering as apk-tools 2.14 implements it (`src/version.c`):
 * `digits{.digits}[letter]{_suffix[digits]}[-r<digits>]`, compared token by token.
 */

enum Tok {
  InitialDigit = 0,
  Digit = 1,
  Letter = 2,
  Suffix = 3,
  SuffixNo = 4,
  RevisionNo = 5,
  End = 6,
  Invalid = 7,
}

/** Pre-release suffixes rank below "no suffix" (5), post-release ones above it. */
const SUFFIX_RANK: Record<string, number> = {
  alpha: 1,
  beta: 2,
  pre: 3,
  rc: 4,
  cvs: 6,
  svn: 7,
  git: 8,
  hg: 9,
  p: 10,
};
const SUFFIX_NONE = 5;

interface Token {
  type: Tok;
  value: string;
  suffix: number;
}

class Tokenizer {
  private pos = 0;
  constructor(private readonly s: string) {}

  private span(re: RegExp): string {
    re.lastIndex = this.pos;
    const m = re.exec(this.s);
    const v = m ? m[0] : '';
    this.pos += v.length;
    return v;
  }

  first(): Token {
    const value = this.span(/[0-9]*/y);
    return { type: value.length > 0 ? Tok.InitialDigit : Tok.Invalid, value, suffix: 0 };
  }

  /** The token after `t`; a token the grammar does not allow there is Invalid. */
  next(t: Token): Token {
    const c = this.s[this.pos];
    const invalid: Token = { type: Tok.Invalid, value: '', suffix: 0 };
    if (c === undefined) return { type: Tok.End, value: '', suffix: 0 };
    if (c >= 'a' && c <= 'z') {
      if (t.type > Tok.Digit) return invalid;
      this.pos++;
      return { type: Tok.Letter, value: c, suffix: 0 };
    }
    if (c === '.' || (c >= '0' && c <= '9')) {
      if (c === '.') {
        if (t.type > Tok.Digit) return invalid;
        this.pos++;
      }
      const value = this.span(/[0-9]*/y);
      if (t.type === Tok.Suffix) return { type: Tok.SuffixNo, value, suffix: 0 };
      if (t.type === Tok.InitialDigit || t.type === Tok.Digit) return { type: Tok.Digit, value, suffix: 0 };
      return invalid;
    }
    if (c === '_') {
      if (t.type > Tok.SuffixNo) return invalid;
      this.pos++;
      const value = this.span(/[a-z]*/y);
      const suffix = SUFFIX_RANK[value];
      if (suffix === undefined) return invalid;
      return { type: Tok.Suffix, value, suffix };
    }
    if (c === '-') {
      if (t.type >= Tok.RevisionNo || this.s[this.pos + 1] !== 'r') return invalid;
      this.pos += 2;
      return { type: Tok.RevisionNo, value: this.span(/[0-9]*/y), suffix: 0 };
    }
    return invalid;
  }
}

const sign = (n: number | bigint): number => (n < 0 ? -1 : n > 0 ? 1 : 0);
const num = (s: string): bigint => (s === '' ? 0n : BigInt(s));

/** Byte order, then length: apk's `apk_blob_sort`. */
function stringSort(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function tokenCompare(a: Token, b: Token): number {
  switch (a.type) {
    case Tok.Digit:
      // A component with a leading zero compares as a string, like a decimal fraction (1.07 < 1.1).
      if (a.value.startsWith('0') || b.value.startsWith('0')) return stringSort(a.value, b.value);
      return sign(num(a.value) - num(b.value));
    case Tok.InitialDigit:
    case Tok.SuffixNo:
    case Tok.RevisionNo:
      return sign(num(a.value) - num(b.value));
    case Tok.Letter:
      return stringSort(a.value, b.value);
    case Tok.Suffix:
      return sign(a.suffix - b.suffix);
    default:
      return stringSort(a.value, b.value);
  }
}

/** True when apk accepts the string as a version (`apk version -c`). */
export function isValidVersion(version: string): boolean {
  const tz = new Tokenizer(version);
  let t = tz.first();
  while (t.type < Tok.End) t = tz.next(t);
  return t.type === Tok.End;
}

/** Compares two versions the way apk does: negative, zero or positive. */
export function compareVersions(a: string, b: string): number {
  const za = new Tokenizer(a);
  const zb = new Tokenizer(b);
  let ta = za.first();
  let tb = zb.first();
  while (ta.type === tb.type && ta.type < Tok.End) {
    const r = tokenCompare(ta, tb);
    if (r !== 0) return r;
    ta = za.next(ta);
    tb = zb.next(tb);
  }
  if (ta.type === tb.type) return 0;
  // Equal so far: the longer version wins unless what follows is a pre-release suffix.
  if (ta.type === Tok.Suffix && ta.suffix < SUFFIX_NONE) return -1;
  if (tb.type === Tok.Suffix && tb.suffix < SUFFIX_NONE) return 1;
  if (ta.type > tb.type) return -1;
  if (tb.type > ta.type) return 1;
  return 0;
}

/** `<`, `=` or `>` as `apk version -t` prints it. */
export function versionRelation(a: string, b: string): '<' | '=' | '>' {
  const c = compareVersions(a, b);
  return c < 0 ? '<' : c > 0 ? '>' : '=';
}
