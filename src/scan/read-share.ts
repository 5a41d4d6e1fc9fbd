import { readFileSync, statSync } from 'node:fs';
import type { Document } from '../core/document.js';
import { isObject } from '../core/document.js';
import { readsInParts, STREAM_THRESHOLD_BYTES, streamDocumentsFromFile } from '../load/documents.js';
import { asResource } from '../policy/engine/resource.js';
import type { LocatorCache } from './findings.js';
import { loadManifestFiles } from './manifests.js';

// Reading a scan's manifest files into shares, apart from evaluating them: this module imports no
// part of the engine, so the read-ahead worker (see read-ahead.ts) starts in a fraction of the time
// an evaluating thread takes.

/**
 * One share of a scan: a contiguous run of manifest files, read, parsed and evaluated by one thread
 * (a worker, or the main thread for small inputs). Only findings and counts leave a share; the
 * documents stay where they were parsed, so nothing large is copied between threads.
 *
 * Cross-document rules need a little of every share: the kinds below in full, and a skeleton
 * (identity and annotations) of every other document.
 */
export const CROSS_DOCUMENT_KINDS = new Set([
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PolicyException',
]);

export interface LoadedShare {
  documents: Document[];
  /** The text of each file read whole, by path, for locating findings. */
  texts: ReadonlyMap<string, string>;
  /** Every document in order: cross-document kinds in full, the others reduced to a skeleton. */
  skeleton: Document[];
  errors: { message: string; position?: Partial<Document['origin']> }[];
  planFiles: string[];
  /** Locators of files not held whole: a large file's part brings one built from its own lines. */
  locators?: LocatorCache;
}

export function skeletonOf(doc: Document): Document {
  const c = doc.content;
  if (!isObject(c) || CROSS_DOCUMENT_KINDS.has(String(c.kind))) return doc;
  const template = isObject(c.spec) && isObject(c.spec.template) ? c.spec.template : undefined;
  const meta = isObject(c.metadata) ? c.metadata : {};
  return {
    ...doc,
    content: {
      apiVersion: c.apiVersion,
      kind: c.kind,
      metadata: { name: meta.name, namespace: meta.namespace, annotations: meta.annotations },
      ...(template ? { spec: { template: { metadata: template.metadata } } } : {}),
    },
  };
}

/**
 * Files per batch of a streamed scan: bounds the documents held at once, and is the unit threads
 * claim. Small, so that at the end no thread waits long for another's last batch (about 64 documents).
 */
export const STREAM_BATCH_FILES = 16;

/** The files in batches of STREAM_BATCH_FILES, in order (every thread computes the same list). */
export function toBatches(files: readonly string[]): string[][] {
  const batches: string[][] = [];
  for (let i = 0; i < files.length; i += STREAM_BATCH_FILES)
    batches.push(files.slice(i, i + STREAM_BATCH_FILES));
  return batches;
}

/** Whether a file is read in parts (see readsInParts). */
export function isLargeFile(file: string): boolean {
  try {
    return readsInParts(file, statSync(file).size);
  } catch {
    return false;
  }
}

/** Reads and parses small files (see isLargeFile) as one share. */
export async function loadShare(files: readonly string[], known?: KeptTexts): Promise<LoadedShare> {
  // A share reads its files one after the other without waiting on the thread pool (see
  // readSmallFileDocuments), and keeps their texts to locate its findings in.
  const texts = new Map<string, string>();
  // loadBatch gives only files it found small.
  const loaded = await loadManifestFiles(files, { sync: true, texts, sizeChecked: true, known });
  const documents = loaded.documents.map(asResource);
  return {
    texts,
    documents,
    skeleton: documents.map(skeletonOf),
    errors: loaded.errors.map((e) => ({ message: e.message, position: e.position })),
    planFiles: loaded.planFiles,
  };
}

/** Characters of text a first pass keeps for the second (see KeptTexts): bounds its memory. */
export const KEPT_TEXT_CHARS = 32 * 2 ** 20;

/**
 * The texts a first pass read, kept up to a budget so that the second pass parses them instead of
 * reading every file again (on thousands of small files the opens and reads cost as much as the
 * parsing). Each text is given out once and then dropped.
 */
export class KeptTexts {
  private readonly texts = new Map<string, string>();
  private chars = 0;

  constructor(private readonly budget = KEPT_TEXT_CHARS) {}

  keep(file: string, text: string): void {
    if (this.chars + text.length > this.budget) return;
    this.texts.set(file, text);
    this.chars += text.length;
  }

  take(file: string): string | undefined {
    const text = this.texts.get(file);
    if (text !== undefined) {
      this.texts.delete(file);
      this.chars -= text.length;
    }
    return text;
  }
}

/** Files per piece of a first pass shared between threads (see firstPassPieces). */
export const FIRST_PASS_PIECE_FILES = 64;

/** What a first pass found in one piece of the files. */
export interface FirstPassPiece {
  piece: number;
  crossDocuments: Document[];
  largeFiles: string[];
}

/**
 * Takes pieces of a first pass over `files` from a counter shared between threads (the next piece
 * nobody has taken) until none is left, and makes the first pass over each (see loadCrossDocuments):
 * the threads that wait for the first pass make it together.
 */
export async function firstPassPieces(
  files: readonly string[],
  claims: Int32Array,
  keep?: KeptTexts,
): Promise<FirstPassPiece[]> {
  const out: FirstPassPiece[] = [];
  for (;;) {
    const piece = Atomics.add(claims, 0, 1);
    const start = piece * FIRST_PASS_PIECE_FILES;
    if (start >= files.length) return out;
    const largeFiles: string[] = [];
    const part = files.slice(start, start + FIRST_PASS_PIECE_FILES);
    const crossDocuments = await loadCrossDocuments(part, (file) => largeFiles.push(file), keep);
    out.push({ piece, crossDocuments, largeFiles });
  }
}

/** Could this text hold a cross-document kind? (Over-matching only costs a parse.) */
const CROSS_KIND_TEXT =
  /\bkind["']?\s*:\s*["']?(?:Namespace|NetworkPolicy|ResourceQuota|LimitRange|PolicyException)\b/;

/**
 * First pass of a streamed share: the cross-document kinds only. Files are read as text and only
 * those that may hold such a kind are parsed (parse errors are left to the second pass).
 */
export async function loadCrossDocuments(
  files: readonly string[],
  /** Told of each file that will be read in parts (see isLargeFile). */
  onLargeFile?: (file: string) => void,
  /** Keeps the texts of the files read whole, for the second pass. */
  keep?: KeptTexts,
): Promise<Document[]> {
  const out: Document[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    // A UTF-8 character takes at most three bytes per UTF-16 code unit: only long texts need a look.
    const large = text.length * 3 > STREAM_THRESHOLD_BYTES && isLargeFile(f);
    if (large) onLargeFile?.(f);
    else keep?.keep(f, text);
    if (!CROSS_KIND_TEXT.test(text)) continue;
    if (large) {
      // Read in passing, as its evaluation will: only the cross-document kinds are kept.
      try {
        for await (const d of streamDocumentsFromFile(f)) {
          const c = d.content;
          if (isObject(c) && CROSS_DOCUMENT_KINDS.has(String(c.kind)) && typeof c.apiVersion === 'string')
            out.push(asResource(d));
        }
      } catch {
        // reported by the second pass
      }
      continue;
    }
    try {
      const loaded = await loadManifestFiles([f], { sync: true });
      for (const d of loaded.documents.map(asResource))
        if (isObject(d.content) && CROSS_DOCUMENT_KINDS.has(String(d.content.kind))) out.push(d);
    } catch {
      // reported by the second pass
    }
  }
  return out;
}
