import { isMap, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import { UserError } from '../core/errors.js';

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
 * Parses every document of a YAML (or JSON) text. Positions are shifted by `lineOffset` so a chunk
 * cut from a larger file reports the file's own lines.
 */
export function parseYamlDocuments(
  text: string,
  file: string,
  lineOffset = 0,
  indexOffset = 0,
): ParsedDocument[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: ParsedDocument[] = [];
  let index = indexOffset;
  for (const doc of list) {
    const problem = doc.errors[0];
    if (problem) {
      const pos = lineCounter.linePos(problem.pos[0]);
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

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
