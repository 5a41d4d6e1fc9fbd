/**
 * Random strings matching a regular expression, as Kyverno's `random()` makes them with goregen, for its
 * JMESPath function and its CEL library alike.
 *
 * The pattern is checked by re2js first, so an invalid one fails with Go's message ("error parsing regexp: …").
 * Generation walks the expression: literals as written (also under `(?i)`, which they then still match),
 * alternatives and repetition counts drawn at random, unbounded repeats (`*`, `+`, `{n,}`) at most 10 beyond
 * their minimum (goregen's default), anchors and word boundaries empty. A character class (`[…]`, `.`, `\d`,
 * `\pL`, …) is sampled from the characters re2js says it matches, tried over printable ASCII first and then
 * further Unicode blocks: the result always matches, but `.` and negated classes draw from printable characters
 * where goregen draws from all of Unicode.
 */
import { RE2JS } from 're2js';

export class RegenError extends Error {}

type Node =
  | { t: 'text'; text: string }
  | { t: 'class'; members: readonly string[] }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number };

/** goregen's bound for `*`, `+` and `{n,}`: at most this many repetitions beyond the minimum. */
const UNBOUNDED_EXTRA = 10;

/** Code point ranges tried in order until a class has members: printable ASCII, then wider blocks. */
const BLOCKS: readonly [number, number][] = [
  [0x20, 0x7e],
  [0xa1, 0xff],
  [0x100, 0x24f],
  [0x370, 0x3ff],
  [0x400, 0x4ff],
  [0x4e00, 0x4fff],
  [0x09, 0x0d],
  [0x00, 0x08],
  [0x0e, 0x1f],
  [0x7f, 0xa0],
];
const MAX_MEMBERS = 512;

const classCache = new Map<string, readonly string[]>();

/** The characters a class source (`[a-z]`, `\d`, `.`) matches, a sample of at most MAX_MEMBERS. */
function classMembers(source: string, flags: string): readonly string[] {
  const key = `${flags}\u0000${source}`;
  const hit = classCache.get(key);
  if (hit) return hit;
  const re = RE2JS.compile(`^${flags}(?:${source})$`);
  const members: string[] = [];
  const tryRange = (lo: number, hi: number) => {
    for (let cp = lo; cp <= hi && members.length < MAX_MEMBERS; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      if (re.matches(ch)) members.push(ch);
    }
  };
  for (const [lo, hi] of BLOCKS) if (members.length === 0) tryRange(lo, hi);
  // Rare classes (a script, a far range): the rest of Unicode, in chunks, until something matches.
  for (let lo = 0x500; members.length === 0 && lo <= 0x10ffff; lo += 0x1000)
    tryRange(lo, Math.min(lo + 0xfff, 0x10ffff));
  if (members.length === 0)
    throw new RegenError(`random: the character class ${source} matches no character`);
  if (classCache.size > 2_000) classCache.clear();
  classCache.set(key, members);
  return members;
}

/** A parser for the subset of RE2 syntax generation needs; the pattern is already known to be valid. */
class Parser {
  private i = 0;
  /** Flags in force, as a `(?flags)` prefix for class sampling (`s` changes what `.` matches). */
  private flags = '';
  constructor(private readonly src: string) {}

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.src.length)
      throw new RegenError(`random: unexpected ${this.src[this.i]} in ${this.src}`);
    return node;
  }

  private peek(): string | undefined {
    return this.src[this.i];
  }

  private alternation(): Node {
    const items = [this.concatenation()];
    while (this.peek() === '|') {
      this.i++;
      items.push(this.concatenation());
    }
    return items.length === 1 ? (items[0] as Node) : { t: 'alt', items };
  }

  private concatenation(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.peek() !== '|' && this.peek() !== ')') items.push(this.repeat());
    return { t: 'cat', items };
  }

  private repeat(): Node {
    let node = this.atom();
    for (;;) {
      const c = this.peek();
      let min: number;
      let max: number;
      if (c === '*' || c === '+' || c === '?') {
        this.i++;
        [min, max] =
          c === '*' ? [0, Number.POSITIVE_INFINITY] : c === '+' ? [1, Number.POSITIVE_INFINITY] : [0, 1];
      } else if (c === '{') {
        const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(this.src.slice(this.i));
        if (!m) return node; // a literal brace, as Go reads one that starts no repeat
        this.i += m[0].length;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
      } else return node;
      if (this.peek() === '?') this.i++; // non-greedy: the same strings
      const chars = node.t === 'text' ? Array.from(node.text) : [];
      // A \Q…\E run is a sequence of literals: a quantifier after it repeats its last character only.
      node =
        chars.length > 1
          ? {
              t: 'cat',
              items: [
                { t: 'text', text: chars.slice(0, -1).join('') },
                { t: 'rep', node: { t: 'text', text: chars.at(-1) as string }, min, max },
              ],
            }
          : { t: 'rep', node, min, max };
    }
  }

  private atom(): Node {
    const c = this.src[this.i] as string;
    if (c === '(') return this.group();
    if (c === '[') return this.bracket();
    if (c === '.') {
      this.i++;
      return { t: 'class', members: classMembers('.', this.flags) };
    }
    if (c === '^' || c === '$') {
      this.i++;
      return { t: 'text', text: '' };
    }
    if (c === '\\') return this.escape();
    const cp = this.src.codePointAt(this.i) as number;
    const ch = String.fromCodePoint(cp);
    this.i += ch.length;
    return { t: 'text', text: ch };
  }

  private group(): Node {
    this.i++; // (
    const saved = this.flags;
    if (this.src.startsWith('?', this.i)) {
      const named = /^\?P?<[^>]+>/.exec(this.src.slice(this.i));
      if (named) this.i += named[0].length;
      else {
        // (?flags) or (?flags:...)
        const m = /^\?([a-zA-Z-]*)([:)])/.exec(this.src.slice(this.i)) as RegExpExecArray;
        this.i += m[0].length;
        const flags = (m[1] as string).split('-')[0] as string;
        if (m[2] === ')') {
          // Flags for the rest of the enclosing group: only `s` matters to what classes contain.
          if (flags.includes('s')) this.flags = '(?s)';
          return { t: 'text', text: '' };
        }
        if (flags.includes('s')) this.flags = '(?s)';
      }
    }
    const inner = this.alternation();
    this.i++; // )
    this.flags = saved;
    return inner;
  }

  /** A bracket class, sampled through re2js from its source text. */
  private bracket(): Node {
    const start = this.i;
    let j = this.i + 1;
    if (this.src[j] === '^') j++;
    if (this.src[j] === ']') j++; // a leading ] is a literal
    while (j < this.src.length && this.src[j] !== ']') {
      if (this.src.startsWith('[:', j)) {
        const end = this.src.indexOf(':]', j + 2);
        if (end !== -1) {
          j = end + 2;
          continue;
        }
      }
      if (this.src[j] === '\\') {
        j++;
        if ((this.src[j] === 'p' || this.src[j] === 'P' || this.src[j] === 'x') && this.src[j + 1] === '{')
          j = this.src.indexOf('}', j) + 1;
        else j++;
        continue;
      }
      j++;
    }
    this.i = j + 1;
    return { t: 'class', members: classMembers(this.src.slice(start, j + 1), this.flags) };
  }

  private escape(): Node {
    const c = this.src[this.i + 1] as string;
    this.i += 2;
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 's':
      case 'S':
        return { t: 'class', members: classMembers(`\\${c}`, this.flags) };
      case 'p':
      case 'P': {
        let name = this.src[this.i] as string;
        if (name === '{') {
          const end = this.src.indexOf('}', this.i);
          name = this.src.slice(this.i, end + 1);
        }
        this.i += name.length;
        return { t: 'class', members: classMembers(`\\${c}${name}`, this.flags) };
      }
      case 'b':
      case 'B':
      case 'A':
      case 'z':
        return { t: 'text', text: '' };
      case 'Q': {
        const end = this.src.indexOf('\\E', this.i);
        const text = this.src.slice(this.i, end === -1 ? undefined : end);
        this.i = end === -1 ? this.src.length : end + 2;
        return { t: 'text', text };
      }
      case 'x': {
        const m = /^\{([0-9a-fA-F]+)\}|^([0-9a-fA-F]{2})/.exec(this.src.slice(this.i)) as RegExpExecArray;
        this.i += m[0].length;
        return { t: 'text', text: String.fromCodePoint(Number.parseInt((m[1] ?? m[2]) as string, 16)) };
      }
      case 'n':
        return { t: 'text', text: '\n' };
      case 't':
        return { t: 'text', text: '\t' };
      case 'r':
        return { t: 'text', text: '\r' };
      case 'f':
        return { t: 'text', text: '\f' };
      case 'v':
        return { t: 'text', text: '\v' };
      case 'a':
        return { t: 'text', text: '\u0007' };
      default:
        if (c >= '0' && c <= '7') {
          const m = /^[0-7]{0,2}/.exec(this.src.slice(this.i)) as RegExpExecArray;
          this.i += m[0].length;
          return { t: 'text', text: String.fromCodePoint(Number.parseInt(c + m[0], 8)) };
        }
        return { t: 'text', text: c };
    }
  }
}

function pick(n: number, rng: () => number): number {
  return Math.min(n - 1, Math.floor(rng() * n));
}

function generate(node: Node, rng: () => number, spend: (units: number) => void, out: string[]): void {
  switch (node.t) {
    case 'text':
      if (node.text) {
        spend(node.text.length);
        out.push(node.text);
      }
      return;
    case 'class':
      spend(1);
      out.push(node.members[pick(node.members.length, rng)] as string);
      return;
    case 'cat':
      for (const item of node.items) generate(item, rng, spend, out);
      return;
    case 'alt':
      generate(node.items[pick(node.items.length, rng)] as Node, rng, spend, out);
      return;
    case 'rep': {
      const max = Number.isFinite(node.max) ? node.max : node.min + UNBOUNDED_EXTRA;
      const count = node.min + pick(max - node.min + 1, rng);
      for (let k = 0; k < count; k++) generate(node.node, rng, spend, out);
    }
  }
}

const parsed = new Map<string, Node>();

/**
 * A random string `pattern` (RE2 syntax) matches; `rng` returns numbers in [0, 1); `spend` is told of every
 * character generated (a CEL expression's cost budget). Throws RegenError for an invalid pattern.
 */
export function randomFromPattern(
  pattern: string,
  rng: () => number = Math.random,
  spend: (units: number) => void = () => {},
): string {
  let node = parsed.get(pattern);
  if (!node) {
    try {
      RE2JS.compile(pattern);
    } catch (e) {
      throw new RegenError((e as Error).message);
    }
    node = new Parser(pattern).parse();
    if (parsed.size > 2_000) parsed.clear();
    parsed.set(pattern, node);
  }
  const out: string[] = [];
  generate(node, rng, spend, out);
  return out.join('');
}
