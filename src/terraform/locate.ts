/**
 * @cdktf/hcl2json gives no source positions, so this scanner walks the raw text once and records where
 * each top-level block header starts, skipping comments, quoted strings (with nested template
 * interpolations) and heredocs so that braces inside them never count.
 */

export interface Position {
  line: number;
  column: number;
}

export interface LocatedBlock extends Position {
  blockType: string;
  labels: string[];
  /** First line of each attribute or nested block written directly in the block's body. */
  members: Record<string, Position>;
  /** Offsets of the body, from just after `{` to just before the matching `}`. */
  bodyStart: number;
  bodyEnd: number;
}

interface Token {
  kind: 'ident' | 'string' | 'open' | 'close' | 'equals' | 'newline' | 'other';
  text: string;
  offset: number;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_-]/;

/** Splits HCL into the few tokens the locator needs; string and heredoc contents are skipped whole. */
function* tokens(text: string): Generator<Token> {
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      yield { kind: 'newline', text: c, offset: i };
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '"') {
      const start = i;
      i = skipString(text, i + 1);
      yield { kind: 'string', text: unquote(text.slice(start, i)), offset: start };
    } else if (
      c === '<' &&
      text[i + 1] === '<' &&
      /^<<-?[A-Za-z_][A-Za-z0-9_-]*\r?\n/.test(text.slice(i, i + 200))
    ) {
      const start = i;
      i = skipHeredoc(text, i);
      yield { kind: 'other', text: text.slice(start, i), offset: start };
    } else if (c === '{' || c === '[' || c === '(') {
      yield { kind: 'open', text: c, offset: i };
      i++;
    } else if (c === '}' || c === ']' || c === ')') {
      yield { kind: 'close', text: c, offset: i };
      i++;
    } else if (
      c === '=' &&
      text[i + 1] !== '=' &&
      text[i + 1] !== '>' &&
      !'!<>='.includes(text[i - 1] ?? '')
    ) {
      yield { kind: 'equals', text: c, offset: i };
      i++;
    } else if (IDENT_START.test(c)) {
      const start = i;
      while (i < n && IDENT_PART.test(text[i]!)) i++;
      yield { kind: 'ident', text: text.slice(start, i), offset: start };
    } else {
      yield { kind: 'other', text: c, offset: i };
      i++;
    }
  }
}

/** Returns the offset just past the closing quote of a string whose body starts at `i`. */
function skipString(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '\\') i += 2;
    else if (c === '"') return i + 1;
    else if (c === '\n')
      return i; // unterminated: HCL strings cannot span lines
    else if ((c === '$' || c === '%') && text[i + 1] === '{') {
      if (text[i - 1] === c && text[i - 2] !== c)
        i += 2; // `$${` is an escaped literal
      else i = skipTemplate(text, i + 2);
    } else i++;
  }
  return n;
}

/** Skips a `${ ... }` interpolation, which may itself contain strings with braces. */
function skipTemplate(text: string, i: number): number {
  let depth = 1;
  const n = text.length;
  while (i < n && depth > 0) {
    const c = text[i]!;
    if (c === '"') i = skipString(text, i + 1);
    else {
      if (c === '{') depth++;
      else if (c === '}') depth--;
      i++;
    }
  }
  return i;
}

function skipHeredoc(text: string, i: number): number {
  const m = /^<<-?([A-Za-z_][A-Za-z0-9_-]*)\r?\n/.exec(text.slice(i, i + 200))!;
  const marker = m[1]!;
  let pos = i + m[0].length;
  while (pos < text.length) {
    const eol = text.indexOf('\n', pos);
    const lineEnd = eol < 0 ? text.length : eol;
    if (text.slice(pos, lineEnd).trim() === marker) return lineEnd;
    if (eol < 0) return text.length;
    pos = eol + 1;
  }
  return text.length;
}

function unquote(raw: string): string {
  return raw.replace(/^"/, '').replace(/"$/, '');
}

/** Maps offsets to 1-based line/column. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  position(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }
}

/** Top-level blocks in source order, with the positions of their direct members. */
export function locateBlocks(text: string): LocatedBlock[] {
  const index = new LineIndex(text);
  const out: LocatedBlock[] = [];
  let depth = 0;
  let header: Token[] = [];
  let current: LocatedBlock | undefined;
  let memberLine: Token[] = [];
  for (const tok of tokens(text)) {
    if (tok.kind === 'open') {
      if (depth === 0 && tok.text === '{' && header.length > 0 && header[0]!.kind === 'ident') {
        const first = header[0]!;
        const labels = header.slice(1).map((t) => t.text);
        current = {
          blockType: first.text,
          labels,
          ...index.position(first.offset),
          members: {},
          bodyStart: tok.offset + 1,
          bodyEnd: text.length,
        };
        out.push(current);
      } else if (depth === 1 && current && tok.text === '{') {
        recordMember(current, memberLine, index);
      }
      depth++;
      header = [];
      memberLine = [];
      continue;
    }
    if (tok.kind === 'close') {
      depth = Math.max(0, depth - 1);
      if (depth === 0 && current && tok.text === '}') {
        current.bodyEnd = tok.offset;
        current = undefined;
      }
      header = [];
      memberLine = [];
      continue;
    }
    if (tok.kind === 'newline') {
      header = [];
      memberLine = [];
      continue;
    }
    if (depth === 0) {
      if (tok.kind === 'ident' || tok.kind === 'string') header.push(tok);
      else header = [];
    } else if (depth === 1 && current) {
      if (tok.kind === 'equals') {
        recordMember(current, memberLine, index);
        memberLine = [{ ...tok, kind: 'other' }];
      } else memberLine.push(tok);
    }
  }
  return out;
}

function recordMember(block: LocatedBlock, line: Token[], index: LineIndex): void {
  const first = line[0];
  if (first?.kind !== 'ident') return;
  if (!(first.text in block.members)) block.members[first.text] = index.position(first.offset);
}
