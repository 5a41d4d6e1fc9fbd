/**
 * Random strings matching a regular expression, as Kyverno's random() does with goregen: unbounded
 * repetitions (`*`, `+`, `{n,}`) repeat at most 10 extra times, negated classes and `.` draw from
 * printable ASCII.
 */
import { randomInt } from 'node:crypto';

type Node =
  | { t: 'lit'; chars: string }
  | { t: 'set'; chars: string[] }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; options: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number };

const MAX_UNBOUNDED = 10;
const PRINTABLE: string[] = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
const DIGITS = PRINTABLE.filter((c) => /[0-9]/.test(c));
const WORD = PRINTABLE.filter((c) => /\w/.test(c));
const SPACE = [' ', '\t', '\n', '\r', '\f', '\v'];

export class RegenError extends Error {}

class Parser {
  i = 0;
  constructor(private readonly src: string) {}

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.src.length) throw new RegenError(`unexpected ${this.src[this.i]} in pattern`);
    return node;
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.src[this.i] === '|') {
      this.i++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0]! : { t: 'alt', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      let atom = this.atom();
      if (!atom) continue;
      atom = this.repeat(atom);
      items.push(atom);
    }
    return { t: 'seq', items };
  }

  private repeat(node: Node): Node {
    for (;;) {
      const c = this.src[this.i];
      let min: number;
      let max: number;
      if (c === '*') [min, max] = [0, MAX_UNBOUNDED];
      else if (c === '+') [min, max] = [1, 1 + MAX_UNBOUNDED];
      else if (c === '?') [min, max] = [0, 1];
      else if (c === '{') {
        const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(this.src.slice(this.i));
        if (!m) return node;
        min = Number(m[1]);
        max = m[2] ? (m[3] ? Number(m[3]) : min + MAX_UNBOUNDED) : min;
        this.i += m[0].length - 1;
      } else return node;
      this.i++;
      if (this.src[this.i] === '?') this.i++; // lazy modifier changes nothing here
      node = { t: 'rep', node, min, max };
    }
  }

  private atom(): Node | undefined {
    const c = this.src[this.i++]!;
    switch (c) {
      case '(': {
        if (this.src.startsWith('?:', this.i)) this.i += 2;
        else if (this.src.startsWith('?P<', this.i) || this.src.startsWith('?<', this.i)) {
          this.i = this.src.indexOf('>', this.i) + 1;
        } else if (this.src[this.i] === '?') {
          // flag groups such as (?i) or (?s:...) only change matching, not generation
          const m = /^\?[a-zA-Z-]*(:|\))/.exec(this.src.slice(this.i))!;
          this.i += m[0].length;
          if (m[1] === ')') return undefined;
        }
        const inner = this.alternation();
        if (this.src[this.i] !== ')') throw new RegenError('missing closing )');
        this.i++;
        return inner;
      }
      case '[':
        return this.charClass();
      case '.':
        return { t: 'set', chars: PRINTABLE };
      case '^':
      case '$':
        return undefined;
      case '\\':
        return this.escape(false) as Node;
      default:
        return { t: 'lit', chars: c };
    }
  }

  private escape(inClass: boolean): Node | string[] {
    const c = this.src[this.i++];
    const sets: Record<string, string[]> = {
      d: DIGITS,
      D: PRINTABLE.filter((x) => !DIGITS.includes(x)),
      w: WORD,
      W: PRINTABLE.filter((x) => !WORD.includes(x)),
      s: SPACE,
      S: PRINTABLE.filter((x) => !SPACE.includes(x)),
    };
    if (c !== undefined && sets[c]) return inClass ? sets[c]! : { t: 'set', chars: sets[c]! };
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v' };
    const ch = c !== undefined && simple[c] ? simple[c]! : (c ?? '\\');
    if (c === 'A' || c === 'z' || c === 'b' || c === 'B') return inClass ? [] : { t: 'seq', items: [] };
    return inClass ? [ch] : { t: 'lit', chars: ch };
  }

  private charClass(): Node {
    let negate = false;
    if (this.src[this.i] === '^') {
      negate = true;
      this.i++;
    }
    const chars = new Set<string>();
    let first = true;
    while (this.i < this.src.length && (this.src[this.i] !== ']' || first)) {
      first = false;
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.i));
      if (posix) {
        const classes: Record<string, RegExp> = {
          alpha: /[A-Za-z]/,
          digit: /[0-9]/,
          alnum: /[A-Za-z0-9]/,
          upper: /[A-Z]/,
          lower: /[a-z]/,
          space: /\s/,
          punct: /[!-/:-@[-`{-~]/,
          xdigit: /[0-9A-Fa-f]/,
          word: /\w/,
        };
        const re = classes[posix[2]!] ?? /[^\s\S]/;
        for (const ch of PRINTABLE) if (re.test(ch) !== (posix[1] === '^')) chars.add(ch);
        this.i += posix[0].length;
        continue;
      }
      let lo: string;
      if (this.src[this.i] === '\\') {
        this.i++;
        const e = this.escape(true) as string[];
        if (e.length !== 1) {
          for (const ch of e) chars.add(ch);
          continue;
        }
        lo = e[0]!;
      } else lo = this.src[this.i++]!;
      if (this.src[this.i] === '-' && this.src[this.i + 1] !== ']' && this.i + 1 < this.src.length) {
        this.i++;
        let hi = this.src[this.i++]!;
        if (hi === '\\') hi = (this.escape(true) as string[])[0] ?? '\\';
        for (let code = lo.codePointAt(0)!; code <= hi.codePointAt(0)!; code++)
          chars.add(String.fromCodePoint(code));
      } else chars.add(lo);
    }
    if (this.src[this.i] !== ']') throw new RegenError('missing closing ]');
    this.i++;
    const list = negate ? PRINTABLE.filter((c) => !chars.has(c)) : [...chars];
    return { t: 'set', chars: list };
  }
}

function generate(node: Node, out: string[]): void {
  switch (node.t) {
    case 'lit':
      out.push(node.chars);
      return;
    case 'set':
      if (node.chars.length > 0) out.push(node.chars[randomInt(node.chars.length)]!);
      return;
    case 'seq':
      for (const n of node.items) generate(n, out);
      return;
    case 'alt':
      generate(node.options[randomInt(node.options.length)]!, out);
      return;
    case 'rep': {
      const count = node.min + randomInt(node.max - node.min + 1);
      for (let k = 0; k < count; k++) generate(node.node, out);
    }
  }
}

export function randomFromPattern(pattern: string): string {
  const out: string[] = [];
  generate(new Parser(pattern).parse(), out);
  return out.join('');
}
