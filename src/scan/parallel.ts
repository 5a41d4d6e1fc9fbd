import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Document } from '../core/document.js';
import { UserError } from '../core/errors.js';
import type { Result } from '../core/result.js';
import { asResource, collectExceptions, namespaceLabels } from '../policy/stream.js';
import {
  CROSS_DOCUMENT_KINDS,
  type DroppedCounts,
  evaluateShare,
  type LoadedShare,
  loadCrossDocuments,
  loadShare,
  type ShareContext,
  type ShareResults,
  type ShareRules,
  type ShareSetup,
  streamShare,
} from './share.js';

/** Below this many manifest files a worker costs more than it saves (unless threads are asked for). */
export const PARALLEL_FILE_THRESHOLD = 400;

export interface SharedScan {
  results: ShareResults['results'];
  dropped: DroppedCounts[];
  /** Every document, in order, as cross-document rules see it (see share.ts). */
  skeleton: Document[];
  documents: number;
  errors: UserError[];
  planFiles: string[];
}

const YOUNG_GENERATION_MB = 48;

function workerUrl(): URL | undefined {
  // Workers run compiled code; from source (tsx) everything runs on the main thread.
  return import.meta.url.endsWith('.js') ? new URL('./share-worker.js', import.meta.url) : undefined;
}

interface LoadedSummary {
  skeleton: Document[];
  errors: LoadedShare['errors'];
  planFiles: string[];
  documents: number;
}

/** A worker's second-pass answer: its findings with what it read. */
type StreamedSummary = ShareResults & LoadedSummary;

/** A worker running one share: it loads the engine at once, then evaluates when given the policies and context. */
class ShareWorker {
  readonly results: Promise<StreamedSummary>;
  private readonly worker: Worker;

  /** This share's findings, in order, as the worker's batches arrive. */
  readonly findings: Result[] = [];

  constructor(url: URL, files: string[], interner: Interner) {
    // A larger young generation: evaluation allocates many short-lived objects, and the default
    // (16 MiB semi-spaces) spends a large share of a scan in scavenges.
    this.worker = new Worker(url, {
      workerData: { files },
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    let finished = false;
    let resolveResults!: (v: StreamedSummary) => void;
    let fail!: (e: unknown) => void;
    this.results = new Promise((res, rej) => {
      resolveResults = res;
      fail = rej;
    });
    // The promise gets its handler later (or never, for a worker stopped unused); keep an early failure
    // from being reported as unhandled.
    this.results.catch(() => {});
    this.worker.on('message', (m) => {
      if ('batch' in m) for (const r of m.batch as Result[]) this.findings.push(interner.result(r));
      else {
        finished = true;
        resolveResults(m.done as StreamedSummary);
      }
    });
    this.worker.once('error', (e) => fail(e));
    this.worker.once('exit', (code) => {
      if (!finished) fail(new Error(`scan worker exited with code ${code} before it finished`));
    });
  }

  evaluate(setup: ShareSetup, context: ShareContext): Promise<StreamedSummary> {
    this.worker.postMessage({ setup, context });
    return this.results;
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

function split<T>(list: readonly T[], parts: number): T[][] {
  const size = Math.ceil(list.length / parts);
  return Array.from({ length: parts }, (_, i) => list.slice(i * size, (i + 1) * size)).filter(
    (s) => s.length,
  );
}

/** Worker threads started for a scan's manifest files before its policies are loaded (see startShares). */
export interface StartedShares {
  /** The first share, read and evaluated on this thread while the workers do the others. */
  own: readonly string[];
  workers: ShareWorker[];
}

/**
 * Splits the files into one share per thread and starts a worker for each share but the first, as
 * soon as the files are known: each loads its modules while this thread loads the packs and makes the
 * first pass (the cross-document kinds), instead of after it. This thread takes the first share
 * itself: its modules are loaded already, and on a small machine a worker for every core would leave
 * it waiting idle while the others pay for loading the engine again. Undefined when the files are few
 * enough for this thread alone.
 */
export function startShares(files: readonly string[], threads?: number): StartedShares | undefined {
  const url = workerUrl();
  const count =
    threads ?? (files.length >= PARALLEL_FILE_THRESHOLD ? Math.min(availableParallelism(), 4) : 1);
  if (!url || count < 2 || files.length < 2) return undefined;
  const interner = new Interner();
  const [own = [], ...others] = split(files, count);
  return { own, workers: others.map((share) => new ShareWorker(url, share, interner)) };
}

/** Ends started workers unused (a scan that stopped on an input error before evaluating). */
export function stopShares(started: StartedShares | undefined): void {
  for (const w of started?.workers ?? []) w.stop();
}

/**
 * Reads and evaluates manifest files in shares: contiguous runs of files, one per worker thread, each
 * parsed and evaluated where it is read (documents loaded already, from stdin or rendered overlays,
 * form a last share on this thread). Results come back in file order, the same for any thread count.
 * `started` are the workers startShares started for these files; without them the files are read here.
 */
export async function scanInShares(
  files: readonly string[],
  loaded: readonly Document[],
  setup: ShareSetup,
  rules: ShareRules,
  started?: StartedShares,
): Promise<SharedScan> {
  const local: Document[] = loaded.map(asResource);
  const out: SharedScan = { results: [], dropped: [], skeleton: [], documents: 0, errors: [], planFiles: [] };
  const addLoaded = (s: LoadedSummary) => {
    append(out.skeleton, s.skeleton);
    append(out.errors, s.errors.map(userError));
    append(out.planFiles, s.planFiles);
    out.documents += s.documents;
  };
  if (!started) {
    const share = await loadShare(files);
    const documents = [...share.documents, ...local];
    addLoaded({ ...share, skeleton: [...share.skeleton, ...local], documents: documents.length });
    const { context, errors } = contextOf(out.skeleton);
    out.errors.push(...errors);
    const r = evaluateShare(setup, rules, documents, context, share.texts);
    out.results = r.results;
    out.dropped.push(r.dropped);
    return out;
  }
  const { workers, own } = started;
  // The first pass (the cross-document kinds) over every file is made here: it is mostly a regular
  // expression over each file's text, and the workers, still loading the engine, need not be waited for.
  const cross: Document[] = await loadCrossDocuments(files);
  append(cross, local);
  const { context, errors } = contextOf(cross);
  out.errors.push(...errors);
  const pending = workers.map((w) => w.evaluate(setup, context));
  const mine = await streamShare(own, setup, rules, context);
  const last = local.length ? evaluateShare(setup, rules, local, context) : undefined;
  const done = await Promise.all(pending);
  addLoaded(mine);
  append(out.results, mine.results);
  out.dropped.push(mine.dropped);
  for (const [i, r] of done.entries()) {
    addLoaded(r);
    append(out.results, workers[i]!.findings);
    out.dropped.push(r.dropped);
  }
  append(out.skeleton, local);
  out.documents += local.length;
  if (last) {
    append(out.results, last.results);
    out.dropped.push(last.dropped);
  }
  return out;
}
