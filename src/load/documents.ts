import { createReadStream, readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Document, DocumentFormat } from '../core/document.js';
import { isObject } from '../core/document.js';
import { UserError } from '../core/errors.js';
import { parseJson } from './json.js';
import { type ParsedDocument, parseYamlDocuments } from './yaml.js';

/** Files above this size are split on `---` lines and parsed one document at a time. */
export const STREAM_THRESHOLD_BYTES = 4 * 1024 * 1024;

/** Whether a file of this size is read a document at a time (YAML over STREAM_THRESHOLD_BYTES; JSON never). */
export function readsInParts(file: string, size: number): boolean {
  return size > STREAM_THRESHOLD_BYTES && !/\.json$/i.test(file);
}

export interface LoadOptions {
  format?: DocumentFormat;
  /** Expand Kubernetes `List` objects into their items (default true). */
  expandLists?: boolean;
}

/** Reads all documents of one file (or `-` for stdin). */
export async function loadDocumentsFromFile(file: string, options: LoadOptions = {}): Promise<Document[]> {
  const out: Document[] = [];
  for await (const doc of streamDocumentsFromFile(file, options)) out.push(doc);
  return out;
}

export async function* streamDocumentsFromFile(
  file: string,
  options: LoadOptions = {},
): AsyncGenerator<Document> {
  if (file === '-') {
    const text = await readStdin();
    yield* toDocuments(parseText(text, '<stdin>'), '<stdin>', options);
    return;
  }
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    throw new UserError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  if (!readsInParts(file, size)) {
    const text = await readFile(file, 'utf8');
    yield* toDocuments(parseText(text, file), file, options);
    return;
  }
  for await (const section of streamLargeYamlFile(file, options)) yield* section.documents;
}

/** Documents of a large YAML file with the file's lines they came from (see streamLargeYamlFile). */
export interface YamlFileSection {
  documents: Document[];
  /** The file's lines from `firstLine` on, exactly as in the file, up to the last of these documents. */
  lines: string[];
  /** The 0-based number of the first of `lines` in the file. */
  firstLine: number;
}

/**
 * A YAML file over STREAM_THRESHOLD_BYTES read a document at a time, as streamDocumentsFromFile reads
 * it, each document with the file's lines it came from (separators and comments before it included):
 * consecutive sections cover the file's lines in order. For a caller that works on a few documents at
 * a time and needs their text, without holding the file's.
 */
export async function* streamLargeYamlFile(
  file: string,
  options: LoadOptions = {},
): AsyncGenerator<YamlFileSection> {
  let firstLine = 0;
  for await (const chunk of splitYamlStream(file)) {
    const documents = [
      ...toDocuments(parseYamlDocuments(chunk.text, file, chunk.lineOffset, chunk.index), file, options),
    ];
    yield { documents, lines: chunk.raw, firstLine };
    firstLine += chunk.raw.length;
  }
}

/**
 * Reads one file's documents synchronously, with its text, when it is small enough to be read whole
 * (as streamDocumentsFromFile would); undefined for a larger file, which the caller streams. For worker
 * threads that read many small files: there blocking costs nothing, while each promise-based read costs
 * an open, a stat, reads and a close, each a trip through the thread pool.
 */
export function readSmallFileDocuments(
  file: string,
  options: LoadOptions = {},
  /** The caller found the file small already (a stat per file is measurable on thousands of files). */
  sizeChecked = false,
  /** The file's text, when the caller read it already (then the file is not read again). */
  known?: string,
): { documents: Document[]; text: string } | undefined {
  let text: string;
  try {
    if (known !== undefined) text = known;
    else {
      if (!sizeChecked && readsInParts(file, statSync(file).size)) return undefined;
      text = readFileSync(file, 'utf8');
    }
  } catch (error) {
    throw new UserError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return { documents: [...toDocuments(parseText(text, file), file, options)], text };
}

/** Parses a text that is JSON or (multi-document) YAML. */
export function parseText(text: string, file: string): ParsedDocument[] {
  const trimmed = text.trimStart();
  // A .json file is JSON: its syntax errors are reported as JSON errors, not as YAML ones.
  if (/\.json$/i.test(file) && trimmed !== '') {
    const lead = text.length - trimmed.length;
    const line = text.slice(0, lead).split('\n').length;
    return [{ content: parseJson(text.replace(/^\uFEFF/, ''), file), line, column: 1, index: 0 }];
  }
  if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && trimmed.length > 1) {
    try {
      const content = JSON.parse(text) as unknown;
      const lead = text.length - trimmed.length;
      const line = text.slice(0, lead).split('\n').length;
      return [{ content, line, column: 1, index: 0 }];
    } catch {
      // Not strict JSON: the YAML parser gives a precise position (or accepts flow-style YAML).
    }
  }
  return parseYamlDocuments(text, file);
}

function* toDocuments(parsed: ParsedDocument[], file: string, options: LoadOptions): Generator<Document> {
  const expand = options.expandLists ?? true;
  for (const p of parsed) {
    const c = p.content;
    if (
      expand &&
      isObject(c) &&
      typeof c.kind === 'string' &&
      c.kind.endsWith('List') &&
      Array.isArray(c.items)
    ) {
      let i = 0;
      for (const item of c.items) {
        const pos = p.itemPositions?.[i] ?? { line: p.line, column: p.column };
        yield makeDocument(item, { file, line: pos.line, column: pos.column, index: p.index }, options, i);
        i++;
      }
      continue;
    }
    if (c === null || c === undefined) continue;
    yield makeDocument(c, { file, line: p.line, column: p.column, index: p.index }, options);
  }
}

function makeDocument(
  content: unknown,
  origin: Document['origin'],
  options: LoadOptions,
  item?: number,
): Document {
  const format: DocumentFormat =
    options.format ??
    (isObject(content) && 'apiVersion' in content && 'kind' in content ? 'kubernetes' : 'json');
  const id = `${origin.file}#${origin.index}${item === undefined ? '' : `/${item}`}`;
  return { id, origin, format, content };
}

interface YamlChunk {
  text: string;
  lineOffset: number;
  index: number;
  /** The file's lines since the previous chunk's, through this chunk's last (separators included). */
  raw: string[];
}

/** Splits a large YAML stream on document separators so memory stays bounded by the largest document. */
async function* splitYamlStream(file: string): AsyncGenerator<YamlChunk> {
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lines: string[] = [];
  let raw: string[] = [];
  let startLine = 0;
  let lineNo = 0;
  let index = 0;
  for await (const line of rl) {
    if (line.startsWith('---') && (line.length === 3 || line[3] === ' ' || line[3] === '\t')) {
      if (lines.some((l) => l.trim() !== '' && !l.trimStart().startsWith('#'))) {
        yield { text: lines.join('\n'), lineOffset: startLine, index, raw };
        raw = [];
        index++;
      }
      lines = [];
      startLine = lineNo + 1;
      const rest = line.slice(3).trim();
      if (rest) lines.push(rest);
    } else {
      lines.push(line);
    }
    raw.push(line);
    lineNo++;
  }
  if (lines.some((l) => l.trim() !== '' && !l.trimStart().startsWith('#'))) {
    yield { text: lines.join('\n'), lineOffset: startLine, index, raw };
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
