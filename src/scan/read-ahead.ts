import { Worker } from 'node:worker_threads';
import type { Document } from '../core/document.js';
import { type FirstPassPiece, firstPassPieces, type LoadedShare } from './read-share.js';

/**
 * Batches a read-ahead thread keeps ready for the evaluating thread: enough that it never waits for
 * one, few enough that memory holds a bounded number of documents (a batch is ~64), however large
 * the input.
 */
export const READ_AHEAD_BATCHES = 8;

/** What the read-ahead thread sends: its pieces of the first pass once, then every batch in order. */
export type ReadAheadMessage =
  | {
      /** The pieces of the first pass this thread made (see firstPassPieces). */
      pieces: FirstPassPiece[];
    }
  | {
      index: number;
      /** Without a share the batch holds a large file, and is read where it is evaluated. */
      share?: LoadedShare;
    };

type PiecesMessage = Extract<ReadAheadMessage, { pieces: unknown }>;
type BatchMessage = Extract<ReadAheadMessage, { index: number }>;

/** A first pass's outcome. */
export interface FirstPass {
  /** The cross-document kinds of every file, in file order (see loadCrossDocuments). */
  crossDocuments: Document[];
  /** Files read in parts. */
  largeFiles: string[];
}

/** A message to come, and what is waiting for it. */
class Arrival<T> {
  value?: T;
  private waiting?: { resolve: (value: T) => void; reject: (e: unknown) => void };
  arrive(value: T): void {
    this.value = value;
    this.waiting?.resolve(value);
  }
  fail(error: unknown): void {
    this.waiting?.reject(error);
  }
  wait(failure: unknown): Promise<T> {
    if (this.value !== undefined) return Promise.resolve(this.value);
    if (failure !== undefined) return Promise.reject(failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }
}

/**
 * Reads and parses a scan's files on another thread while this one evaluates: the first pass over
 * every file (with this thread, see crossDocuments), then the batches. The evaluating thread is left only the (cheaper) copying of parsed
 * documents across threads. The thread needs no engine and is started before the files are known, so
 * it is ready when they are. Batches must be taken in order, each once.
 */
export class ReadAhead {
  private readonly worker: Worker;
  /** [0]: batches taken so far, or -1 to stop the thread. */
  private readonly taken = new Int32Array(new SharedArrayBuffer(4));
  /** [0]: pieces of the first pass taken so far, by either thread. */
  private readonly firstPassClaims = new Int32Array(new SharedArrayBuffer(4));
  private files: readonly string[] = [];
  private readonly firstPass = new Arrival<PiecesMessage>();
  private readonly batches = new Map<number, Arrival<BatchMessage>>();
  private failure?: unknown;

  /** Starts the thread, which loads its modules and waits for the files (see begin). */
  constructor(url: URL) {
    this.worker = new Worker(url, {
      workerData: { progress: this.taken.buffer, firstPass: this.firstPassClaims.buffer },
    });
    this.worker.unref();
    this.worker.on('message', (m: ReadAheadMessage) => {
      if ('pieces' in m) this.firstPass.arrive(m);
      else this.batch(m.index).arrive(m);
    });
    this.worker.once('error', (e) => this.fail(e));
    // The thread runs until stopped: once it has exited, a batch not yet arrived never will.
    this.worker.once('exit', (code) => this.fail(new Error(`scan read-ahead thread exited (code ${code})`)));
  }

  /** Gives the thread the scan's manifest files (sorted): it reads them from now on. */
  begin(files: readonly string[]): void {
    this.files = files;
    this.worker.postMessage(files);
  }

  /**
   * The first pass's outcome (see loadCrossDocuments). The caller has nothing else to do until it
   * has it, so this thread makes the pieces of the first pass the read-ahead thread has not taken yet.
   */
  async crossDocuments(): Promise<FirstPass> {
    const mine = await firstPassPieces(this.files, this.firstPassClaims);
    const theirs = await this.firstPass.wait(this.failure);
    const pieces = [...mine, ...theirs.pieces].sort((a, b) => a.piece - b.piece);
    return {
      crossDocuments: pieces.flatMap((p) => p.crossDocuments),
      largeFiles: pieces.flatMap((p) => p.largeFiles),
    };
  }

  /** Batch `index`'s share, or undefined when the batch is to be read by the caller. */
  async take(index: number): Promise<LoadedShare | undefined> {
    const message = await this.batch(index).wait(this.failure);
    this.batches.delete(index);
    Atomics.store(this.taken, 0, index + 1);
    Atomics.notify(this.taken, 0);
    return message.share;
  }

  /** Batches read and not yet taken. */
  ready(): number {
    let n = 0;
    for (const arrival of this.batches.values()) if (arrival.value) n++;
    return n;
  }

  /** Ends the thread (whether or not every batch was taken). */
  stop(): void {
    Atomics.store(this.taken, 0, -1);
    Atomics.notify(this.taken, 0);
    void this.worker.terminate();
  }

  private batch(index: number): Arrival<BatchMessage> {
    let arrival = this.batches.get(index);
    if (!arrival) this.batches.set(index, (arrival = new Arrival()));
    return arrival;
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    this.firstPass.fail(error);
    for (const arrival of this.batches.values()) arrival.fail(error);
  }
}
