import { readFile } from 'node:fs/promises';
import { UserError } from '../core/errors.js';
import { hclToJson } from './hcl2json.js';
import { type LocatedBlock, locateBlocks, type Position } from './locate.js';

export interface HclBlock {
  /** resource | data | module | variable | locals | output | provider | terraform (or any other top-level block) */
  blockType: string;
  labels: string[];
  /** First label of resource and data blocks (`aws_iam_policy`). */
  type?: string;
  /** The block's name: second label of resources/data sources, first label of modules, variables, outputs, providers. */
  name?: string;
  /** The block's attributes as @cdktf/hcl2json gives them (nested blocks are arrays of objects). */
  body: any;
  file: string;
  line: number;
  column: number;
  /** Where each attribute or nested block written directly in the body starts. */
  members: Record<string, Position>;
  /** The block's source text between its braces, for checks that need what hcl2json normalises away. */
  source: string;
}

export interface HclFile {
  file: string;
  raw: any;
  blocks: HclBlock[];
  /** The file's text, kept for checks that look at the source. */
  text: string;
}

export async function parseHclFile(file: string): Promise<HclFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read ${file}: ${(error as Error).message}`, { position: { file } });
  }
  return parseHcl(text, file);
}

export async function parseHcl(text: string, file: string): Promise<HclFile> {
  text = stripBom(text);
  let raw: Record<string, any>;
  try {
    // A neutral file name keeps the bridge's "name:line,col" diagnostics parseable whatever the real path is.
    raw = await hclToJson('input.tf', text);
  } catch (error) {
    throw hclError(String((error as Error).message ?? error), file);
  }
  return buildFile(text, file, raw, new Map());
}

/**
 * Parses the files of one directory in a few calls to the parser, which costs far less than one call per
 * file; when a batch fails, each of its files is parsed alone so every error gets its own file:line:column.
 * `raw` of each file is then the parser's output for its whole batch.
 */
export async function parseHclFiles(
  files: string[],
): Promise<({ file: string; hcl: HclFile } | { file: string; error: UserError })[]> {
  const texts: { file: string; text?: string; error?: UserError }[] = [];
  for (const file of files) {
    try {
      texts.push({ file, text: stripBom(await readFile(file, 'utf8')) });
    } catch (error) {
      texts.push({
        file,
        error: new UserError(`cannot read ${file}: ${(error as Error).message}`, { position: { file } }),
      });
    }
  }
  const readable = texts.filter((t) => t.text !== undefined) as { file: string; text: string }[];
  const parsed = new Map<string, HclFile | UserError>();
  for (const chunk of chunks(readable)) {
    let raw: Record<string, any> | undefined;
    if (chunk.length > 1) {
      try {
        raw = await hclToJson('input.tf', chunk.map((t) => t.text).join('\n'));
      } catch {
        raw = undefined;
      }
    }
    const counters = new Map<string, number>();
    for (const t of chunk) {
      if (raw) {
        parsed.set(t.file, buildFile(t.text, t.file, raw, counters));
        continue;
      }
      try {
        parsed.set(t.file, await parseHcl(t.text, t.file));
      } catch (error) {
        parsed.set(t.file, error as UserError);
      }
    }
  }
  return texts.map((t) => {
    const result = t.error ?? parsed.get(t.file)!;
    return result instanceof UserError ? { file: t.file, error: result } : { file: t.file, hcl: result };
  });
}

/**
 * The parser's cost grows faster than linearly with input size, and each call has a fixed cost:
 * batches of about ten files or 32 KiB are the cheapest (measured on generated modules).
 */
function chunks<T extends { text: string }>(items: T[]): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= 10 || size + item.text.length > 32 * 1024)) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += item.text.length;
  }
  if (current.length > 0) out.push(current);
  return out;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** `counters` carries how many blocks with each type and labels came before, across a batch of files. */
function buildFile(
  text: string,
  file: string,
  raw: Record<string, any>,
  counters: Map<string, number>,
): HclFile {
  const blocks = locateBlocks(text).map((located) => {
    const key = JSON.stringify([located.blockType, ...located.labels]);
    const occurrence = counters.get(key) ?? 0;
    counters.set(key, occurrence + 1);
    return toBlock(located, occurrence, raw, file, text);
  });
  return { file, raw, blocks, text };
}

function hclError(message: string, file: string): UserError {
  const m = /input\.tf:(\d+),(\d+)(?:-[\d,]+)?: ([^\]]*)/.exec(message);
  if (!m)
    return new UserError(`invalid HCL: ${message.replace(/^parse config: /, '')}`, { position: { file } });
  const detail = m[3]!.replace(/; /, ': ').replace(/\s*,\s*input\.tf:.*$/s, '');
  return new UserError(`invalid HCL: ${detail}`, {
    position: { file, line: Number(m[1]), column: Number(m[2]) },
  });
}

function toBlock(
  located: LocatedBlock,
  occurrence: number,
  raw: Record<string, any>,
  file: string,
  text: string,
): HclBlock {
  const { blockType, labels } = located;
  // hcl2json groups repeated blocks with the same labels into one array, in source order.
  let node: any = raw[blockType];
  for (const label of labels) node = node?.[label];
  const body = Array.isArray(node) ? node[occurrence] : node;
  const block: HclBlock = {
    blockType,
    labels,
    body: body ?? {},
    file,
    line: located.line,
    column: located.column,
    members: located.members,
    source: text.slice(located.bodyStart, located.bodyEnd),
  };
  if (blockType === 'resource' || blockType === 'data') {
    block.type = labels[0];
    block.name = labels[1];
  } else if (labels.length > 0) {
    block.name = labels[0];
  }
  return block;
}
