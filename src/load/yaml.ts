import { createRequire } from 'node:module';
import { CORE_SCHEMA, load as fastLoad } from 'js-yaml';
import { UserError } from '../core/errors.js';
import { splitLines } from '../core/lines.js';

export interface ParsedDocument {
  content: unknown;
  /** 1-based line and column of the document's first node. */
  line: number;
  column: number;
  index: number;
  /** For Kubernetes `List` documents: positions of each item. */
  itemPositions?: { line: number; column: number }[];
}

/** Bounds on YAML expansion; aliases are how "billion laughs" bombs grow. */
export const YAML_LIMITS = { maxAliasCount: 1000 };

/**
 * Parses every document of a YAML (or JSON) text: the fast path when it can, `yaml` otherwise.
 * Same contract as parseYamlDocumentsPrecise.
 */
export function parseYamlDocuments(
  text: string,
  file: string,
  lineOffset = 0,
  indexOffset = 0,
): ParsedDocument[] {
  return (
    parseYamlDocumentsFast(text, file, lineOffset, indexOffset) ??
    parseYamlDocumentsPrecise(text, file, lineOffset, indexOffset)
  );
}

interface Chunk {
  lines: string[];
  /** 0-based line of the chunk's first line in the text. */
  start: number;
  /** Content that followed "---" on the marker line itself. */
  inline: boolean;
}

const SEPARATOR = /^---(?:[ \t]|$)/;
const MEANINGFUL = (line: string) => line.trim() !== '' && !line.trimStart().startsWith('#');

/**
 * js-yaml builds plain objects about eight times faster than `yaml` builds its position-keeping AST
 * (measured: 20,000 manifests in 0.6 s against 4.7 s), and a scan parses every file. The 4.x line is
 * kept on purpose: 5.x parses the same 20,000 manifests about 3.5 times slower (1.15 s against 0.32 s).
 * No text with an anchor or alias reaches js-yaml (the first check below), so 4.x's lack of an alias limit
 * does not matter. Documents are split
 * on their `---` markers here so each keeps its start line; anything unusual — directives, aliases,
 * document-end markers, List objects (whose items need positions) or any parse error — goes to the
 * precise path, so errors and alias limits are always `yaml`'s. Returns undefined to ask for it
 * (exported so tests can see which texts take which path).
 */
export function parseYamlDocumentsFast(
  text: string,
  file: string,
  lineOffset: number,
  indexOffset: number,
): ParsedDocument[] | undefined {
  if (/^(%|\.\.\.(?:[ \t]|$))/m.test(text) || /(^|[\s,[{-])[&*][^\s,\]}]/.test(text)) return undefined;
  const lines = splitLines(text);
  const chunks: Chunk[] = [];
  let current: Chunk = { lines: [], start: 0, inline: false };
  let explicit = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (SEPARATOR.test(line)) {
      if (explicit || current.lines.some(MEANINGFUL)) chunks.push(current);
      explicit = true;
      const rest = line.slice(3).trim();
      current = rest ? { lines: [rest], start: i, inline: true } : { lines: [], start: i + 1, inline: false };
    } else current.lines.push(line);
  }
  if (explicit || current.lines.some(MEANINGFUL)) chunks.push(current);
  const out: ParsedDocument[] = [];
  let index = indexOffset;
  for (const chunk of chunks) {
    const first = chunk.lines.findIndex(MEANINGFUL);
    if (first < 0) {
      index++;
      continue;
    }
    let content: unknown;
    try {
      content = fastLoad(chunk.lines.join('\n'), {
        schema: CORE_SCHEMA,
        json: true,
        filename: file,
      });
    } catch {
      return undefined;
    }
    if (content === null || content === undefined) {
      index++;
      continue;
    }
    if (
      typeof content === 'object' &&
      !Array.isArray(content) &&
      Array.isArray((content as { items?: unknown }).items)
    ) {
      return undefined;
    }
    const firstLine = chunk.lines[first]!;
    out.push({
      content,
      line: chunk.start + first + 1 + lineOffset,
      column: chunk.inline && first === 0 ? 5 : firstLine.length - firstLine.trimStart().length + 1,
      index,
    });
    index++;
  }
  return out;
}

/**
 * The `yaml` package, loaded when a text first needs the precise parser: most manifests take the fast
 * path, and a scan's read-ahead thread starts ~60 ms sooner without it (its start is on the critical
 * path). Loaded synchronously, as parsing is.
 */
let preciseParser: typeof import('yaml') | undefined;
function yamlPackage(): typeof import('yaml') {
  preciseParser ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return preciseParser;
}

/**
 * Parses every document of a YAML (or JSON) text with `yaml`, which keeps positions. Positions are shifted by `lineOffset` so a chunk
 * cut from a larger file reports the file's own lines.
 */
export function parseYamlDocumentsPrecise(
  text: string,
  file: string,
  lineOffset = 0,
  indexOffset = 0,
): ParsedDocument[] {
  const { isMap, isSeq, LineCounter, parseAllDocuments } = yamlPackage();
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: ParsedDocument[] = [];
  let index = indexOffset;
  for (const doc of list) {
    const problem = doc.errors[0];
    if (problem) {
      const pos = lineCounter.linePos(openingQuote(text, problem) ?? problem.pos[0]);
      throw new UserError(`invalid YAML: ${firstLine(problem.message)}`, {
        position: { file, line: pos.line + lineOffset, column: pos.col },
      });
    }
    if (doc.contents === null) {
      index++;
      continue;
    }
    let content: unknown;
    try {
      content = doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount });
    } catch (error) {
      const pos = lineCounter.linePos(doc.contents.range?.[0] ?? 0);
      throw new UserError(`invalid YAML: ${firstLine((error as Error).message)}`, {
        position: { file, line: pos.line + lineOffset, column: pos.col },
      });
    }
    if (content === null || content === undefined) {
      index++;
      continue;
    }
    const start = lineCounter.linePos(doc.contents.range?.[0] ?? 0);
    const parsed: ParsedDocument = { content, line: start.line + lineOffset, column: start.col, index };
    if (isMap(doc.contents)) {
      const items = doc.contents.get('items', true);
      if (isSeq(items)) {
        parsed.itemPositions = items.items.map((item) => {
          const range = (item as { range?: [number, number, number] }).range;
          const p = lineCounter.linePos(range?.[0] ?? 0);
          return { line: p.line + lineOffset, column: p.col };
        });
      }
    }
    out.push(parsed);
    index++;
  }
  return out;
}

/**
 * For a quoted scalar that is never closed, `yaml` reports the end of the text; the mistake is the
 * opening quote: the last quote of that kind before the end that is not escaped.
 */
function openingQuote(text: string, problem: { code: string; message: string; pos: [number, number] }) {
  if (problem.code !== 'MISSING_CHAR') return undefined;
  const quote = /Missing closing (["'])quote/.exec(problem.message)?.[1];
  if (!quote) return undefined;
  for (let i = Math.min(problem.pos[0], text.length) - 1; i >= 0; i--) {
    if (text[i] !== quote) continue;
    if (quote === '"' && text[i - 1] === '\\') continue;
    if (quote === "'" && (text[i - 1] === "'" || text[i + 1] === "'")) continue;
    return i;
  }
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
