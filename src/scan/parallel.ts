import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Document } from '../core/document.js';
import { UserError } from '../core/errors.js';
import type { Result } from '../core/result.js';
import { asResource } from '../policy/engine/resource.js';
import { collectExceptions, namespaceLabels } from '../policy/stream.js';
import { ReadAhead } from './read-ahead.js';
import { CROSS_DOCUMENT_KINDS, type LoadedShare, loadCrossDocuments, toBatches } from './read-share.js';
import {
  type BatchOutcome,
  claimBatches,
  type DroppedCounts,
  evaluateShare,
  type ShareContext,
  type ShareRules,
  type ShareSetup,
} from './share.js';

/** Below this many manifest files a worker costs more than it saves (unless threads are asked for). */
export const PARALLEL_FILE_THRESHOLD = 400;

export interface SharedScan {
  /** Findings of the documents loaded already (stdin, rendered overlays), sorted (see compareFindings). */
  localResults: Result[];
  dropped: DroppedCounts[];
  /** Every document, in order, as cross-document rules see it (see share.ts). */
  skeleton: Document[];
  documents: number;
  errors: UserError[];
  planFiles: string[];
}

/** Where a shared scan reports as it goes. */
export interface ShareSink {
  /**
   * The findings of the files, a part at a time, as the threads send them: out of order (the batch
   * and part say where they belong), each part sorted.
   */
  findings(batch: number, part: number, results: Result[]): void;
  /** The first pass met a file large enough to be read in parts (before any is evaluated). */
  largeFile?(file: string): void;
}

const YOUNG_GENERATION_MB = 48;

function workerUrl(name: string): URL | undefined {
  // Workers run compiled code; from source (tsx) everything runs on the main thread.
  return import.meta.url.endsWith('.js') ? new URL(`./${name}.js`, import.meta.url) : undefined;
}

/** A worker taking batches of the scan's files (see claimBatches): it loads the engine at once, then evaluates when given the policies and context. */
class ShareWorker {
  private readonly worker: Worker;
  private readonly finished: Promise<void>;
  /** Where each batch part's outcome goes; set when the worker is given its work. */
  private take: (index: number, outcome: BatchOutcome) => void = () => {};

  constructor(url: URL, files: readonly string[], interner: Interner) {
    // A larger young generation: evaluation allocates many short-lived objects, and the default
    // (16 MiB semi-spaces) spends a large share of a scan in scavenges.
    this.worker = new Worker(url, {
      workerData: { files },
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    let done = false;
    let resolveDone!: () => void;
    let fail!: (e: unknown) => void;
    this.finished = new Promise((res, rej) => {
      resolveDone = res;
      fail = rej;
    });
    // The promise gets its handler later (or never, for a worker stopped unused); keep an early failure
    // from being reported as unhandled.
    this.finished.catch(() => {});
    this.worker.on('message', (m: { index: number; outcome: BatchOutcome } | { done: true }) => {
      if ('outcome' in m) {
        for (const r of m.outcome.results) interner.result(r);
        this.take(m.index, m.outcome);
      } else {
        done = true;
        resolveDone();
      }
    });
    this.worker.once('error', (e) => fail(e));
    this.worker.once('exit', (code) => {
      if (!done) fail(new Error(`scan worker exited with code ${code} before it finished`));
    });
  }

  /** Starts taking batches from `counter`; outcomes go to `take`. Resolves when no batch is left. */
  evaluate(
    setup: ShareSetup,
    context: ShareContext,
    counter: SharedArrayBuffer,
    take: (index: number, outcome: BatchOutcome) => void,
  ): Promise<void> {
    this.take = take;
    this.worker.postMessage({ setup, context, counter });
    return this.finished;
  }

  /** Stops a worker that was started for a scan that ended before using it (an input error). */
  stop(): void {
    void this.worker.terminate();
  }
}

function contextOf(documents: Document[]): { context: ShareContext; errors: UserError[] } {
  const { exceptions, errors } = collectExceptions(documents);
  const crossDocuments = documents.filter((d) => CROSS_DOCUMENT_KINDS.has(String((d.content as any)?.kind)));
  return {
    context: { namespaceLabels: namespaceLabels(crossDocuments), exceptions, crossDocuments },
    errors,
  };
}

/**
 * Structured clone copies every string of every finding; most (rule, title, fix, docs, file) repeat
 * across thousands of findings, so the copies are swapped for one shared string each.
 */
class Interner {
  private readonly strings = new Map<string, string>();
  of<T extends string | undefined>(s: T): T {
    if (s === undefined) return s;
    const hit = this.strings.get(s);
    if (hit !== undefined) return hit as T;
    this.strings.set(s, s);
    return s;
  }
  result(r: Result): Result {
    r.policy = this.of(r.policy);
    r.rule = this.of(r.rule);
    r.category = this.of(r.category);
    r.title = this.of(r.title);
    r.fix = this.of(r.fix);
    r.docs = this.of(r.docs);
    if (r.origin) r.origin.file = this.of(r.origin.file);
    return r;
  }
}

/** push(...list) overflows the stack on a few hundred thousand items. */
function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

/** Errors cross threads as plain data: rebuilt with the position the CLI summarises. */
function userError(e: LoadedShare['errors'][number]): UserError {
  const error = new UserError(e.message);
  Object.defineProperty(error, 'position', { value: e.position });
  return error;
}

/**
 * Evaluating threads for a large scan: one per core but one, up to four. V8 compiles hot code and
 * collects garbage on helper threads, which a one-thread scan leaves a core to; on 2 cores a second
 * evaluating thread starves them, and each thread also pays again for loading the engine and warming
 * it up. Measured on the 2-core development machine (20,000 documents, `-o json`): one thread 5.25–5.53 s
 * wall and 6.1–6.5 s CPU, two threads 5.71–5.95 s and 9.4–9.7 s. The core left over is taken too
 * when the input is large (see LARGE_INPUT_BYTES).
 */
export function defaultThreads(cores = availableParallelism()): number {
  return Math.max(1, Math.min(cores - 1, 4));
}

/**
 * Bytes of manifests (estimated, see estimatedBytes) from which the core defaultThreads leaves to V8
 * evaluates too: there the second thread's fixed cost is repaid. On the 2-core machine, one thread
 * against two: 20,000 documents (28 MB) 4.8–5.7 s against 5.4–5.5 s, 40,000 (56 MB) 8.6–12.3 s
 * against 7.2–8.7 s, 80,000 (112 MB) 15.5–20.5 s against 11.3–11.4 s.
 */
export const LARGE_INPUT_BYTES = 40 * 1024 * 1024;

/** Worker threads started for a scan's manifest files before its policies are loaded (see startShares). */
export interface StartedShares {
  workers: ShareWorker[];
  /** With no worker: the thread reading and parsing batches ahead of this one's evaluation. */
  readAhead?: ReadAhead;
}

/** Files whose sizes are looked at to tell whether an input is large (a stat each). */
const SIZE_SAMPLE = 64;

/** The input's size in bytes, estimated from a sample of its files spread over the list. */
export function estimatedBytes(files: readonly string[]): number {
  const step = Math.max(1, Math.floor(files.length / SIZE_SAMPLE));
  let sampled = 0;
  let bytes = 0;
  for (let i = 0; i < files.length && sampled < SIZE_SAMPLE; i += step, sampled++) {
    try {
      bytes += statSync(files[i]!).size;
    } catch {
      // unreadable: reported when it is read
    }
  }
  return sampled ? (bytes / sampled) * files.length : 0;
}

/**
 * Starts a worker for every thread but this one as soon as the files are known: each loads its
 * modules while this thread loads the packs and makes the first pass (the cross-document kinds),
 * instead of after it. This thread evaluates too: its modules are loaded already, and on a small
 * machine a worker for every core would leave it waiting idle while the others pay for loading the
 * engine again. Undefined when the files are few enough for this thread alone.
 */
export function startShares(
  files: readonly string[],
  options: {
    threads?: number;
    /** A read-ahead thread started early (see startReadAhead): used, or stopped if not needed. */
    readAhead?: ReadAhead;
    /** Use the read-ahead thread whenever one thread evaluates (not only when threadPlan says). */
    alwaysReadAhead?: boolean;
  } = {},
): StartedShares | undefined {
  const { readAhead } = options;
  const url = workerUrl('share-worker');
  const plan =
    url && files.length >= 2 ? threadPlan(files.length, toBatches(files).length, options.threads) : undefined;
  const large = plan && plan.addIfLarge > 0 && estimatedBytes(files) >= LARGE_INPUT_BYTES;
  const workers = plan ? plan.workers + (large ? plan.addIfLarge : 0) : 0;
  if (!url || workers < 1) {
    if (readAhead && (plan?.readAhead || options.alwaysReadAhead)) {
      readAhead.begin(files);
      return { workers: [], readAhead };
    }
    readAhead?.stop();
    return undefined;
  }
  readAhead?.stop();
  const interner = new Interner();
  return { workers: Array.from({ length: workers }, () => new ShareWorker(url, files, interner)) };
}

/**
 * Starts a read-ahead thread for a scan of `paths` before its files are discovered, so that it has
 * loaded its modules when they are (startShares then uses or stops it). By default only where it may
 * be used: more than one core, and a directory to scan (a single file never needs one); `wanted`
 * (ScanOptions.readAhead) overrides. Never from source (tsx), where workers cannot run.
 */
export function startReadAhead(
  paths: readonly string[],
  wanted?: boolean,
  cores = availableParallelism(),
): ReadAhead | undefined {
  const url = workerUrl('read-ahead-worker');
  if (!url || wanted === false) return undefined;
  if (wanted) return new ReadAhead(url);
  const directory = paths.some((p) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false;
    }
  });
  return cores > 1 && directory ? new ReadAhead(url) : undefined;
}

/**
 * Workers to start for a scan of `files` manifest files in `batches` batches (`threads` when asked
 * for, else see defaultThreads), how many to add if the input is large, and whether, if that leaves
 * this thread evaluating alone, a read-ahead thread reads the files (see ReadAhead).
 */
export function threadPlan(
  files: number,
  batches: number,
  threads?: number,
  cores = availableParallelism(),
): { workers: number; addIfLarge: number; readAhead: boolean } {
  const chosen = threads === undefined && files >= PARALLEL_FILE_THRESHOLD;
  const count = threads ?? (chosen ? defaultThreads(cores) : 1);
  const workers = Math.max(Math.min(count, batches) - 1, 0);
  const addIfLarge = chosen ? Math.max(Math.min(cores, 4, batches) - 1 - workers, 0) : 0;
  return { workers, addIfLarge, readAhead: chosen && cores > 1 };
}

/** Ends started workers unused (a scan that stopped on an input error before evaluating). */
export function stopShares(started: StartedShares | undefined): void {
  for (const w of started?.workers ?? []) w.stop();
  started?.readAhead?.stop();
}

/** What a batch gave besides its findings, in the order of its parts. */
interface BatchRest {
  parts: Omit<BatchOutcome, 'results'>[];
  done: boolean;
}

/**
 * Reads and evaluates manifest files in batches of files, which this thread and the workers take in
 * turn (see claimBatches); each batch is parsed and evaluated where it is read (documents loaded
 * already, from stdin or rendered overlays, form a last share on this thread). Findings go to `sink`
 * as they come; everything else is gathered in file order, the same for any thread count. `started`
 * are the workers startShares started for these files; without them the files are read here.
 */
export async function scanInShares(
  files: readonly string[],
  loaded: readonly Document[],
  setup: ShareSetup,
  rules: ShareRules,
  sink: ShareSink,
  started?: StartedShares,
): Promise<SharedScan> {
  const local: Document[] = loaded.map(asResource);
  const out: SharedScan = {
    localResults: [],
    dropped: [],
    skeleton: [],
    documents: 0,
    errors: [],
    planFiles: [],
  };
  const workers = started?.workers ?? [];
  // The first pass (the cross-document kinds) over every file is made here, together with the
  // read-ahead thread when there is one: it is mostly a regular expression over each file's text, and
  // the workers, still loading the engine, need not be waited for. Then every thread takes batches;
  // with no worker this thread takes them all, so a one-thread scan holds a batch of documents at a
  // time too.
  let cross: Document[];
  if (started?.readAhead) {
    const firstPass = await started.readAhead.crossDocuments();
    for (const file of firstPass.largeFiles) sink.largeFile?.(file);
    cross = firstPass.crossDocuments;
  } else cross = await loadCrossDocuments(files, sink.largeFile?.bind(sink));
  append(cross, local);
  const { context, errors } = contextOf(cross);
  out.errors.push(...errors);
  const batches = toBatches(files);
  const counter = new SharedArrayBuffer(4);
  const rest: BatchRest[] = Array.from({ length: batches.length }, () => ({ parts: [], done: false }));
  const take = (index: number, { results, ...outcome }: BatchOutcome) => {
    sink.findings(index, outcome.part, results);
    rest[index]!.parts[outcome.part] = outcome;
    if (outcome.last) rest[index]!.done = true;
  };
  const pending = workers.map((w) => w.evaluate(setup, context, counter, take));
  try {
    await claimBatches(batches, new Int32Array(counter), setup, rules, context, take, started?.readAhead);
  } finally {
    started?.readAhead?.stop();
  }
  const last = local.length ? evaluateShare(setup, rules, local, context) : undefined;
  await Promise.all(pending);
  for (const [index, batch] of rest.entries()) {
    if (!batch.done) throw new Error(`scan: batch ${index} of ${batches.length} was never evaluated`);
    for (const part of batch.parts) {
      append(out.skeleton, part.skeleton);
      append(out.errors, part.errors.map(userError));
      append(out.planFiles, part.planFiles);
      out.documents += part.documents;
      out.dropped.push(part.dropped);
    }
  }
  append(out.skeleton, local);
  out.documents += local.length;
  if (last) {
    out.localResults = last.results;
    out.dropped.push(last.dropped);
  }
  return out;
}
