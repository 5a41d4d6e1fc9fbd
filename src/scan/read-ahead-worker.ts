import { once } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import { READ_AHEAD_BATCHES, type ReadAheadMessage } from './read-ahead.js';
import {
  FIRST_PASS_PIECE_FILES,
  firstPassPieces,
  isLargeFile,
  KeptTexts,
  loadShare,
  STREAM_BATCH_FILES,
  toBatches,
} from './read-share.js';

// The read-ahead thread (see read-ahead.ts). First the scan's first pass (the cross-document kinds of
// every file), made with the evaluating thread, then its batches in order, at most READ_AHEAD_BATCHES
// ahead of the batch the evaluating thread has taken, each sent as a share. A batch holding a large
// file is left to the evaluating thread, which reads such files in parts.
const { progress, firstPass } = workerData as { progress: SharedArrayBuffer; firstPass: SharedArrayBuffer };
const taken = new Int32Array(progress);
const [files] = (await once(parentPort!, 'message')) as [string[]];
// The first pass, made with the evaluating thread (see ReadAhead.crossDocuments). The texts of this
// thread's pieces are parsed by the second pass instead of being read again.
const kept = new KeptTexts();
const pieces = await firstPassPieces(files, new Int32Array(firstPass), kept);
parentPort!.postMessage({ pieces } satisfies ReadAheadMessage);
const batches = toBatches(files);
// This thread's pieces told it which of their files are large, without a second stat of each.
const large = new Set(pieces.flatMap((p) => p.largeFiles));
const mine = new Set(pieces.map((p) => p.piece));
const isLarge = (file: string, index: number) =>
  mine.has(Math.floor(index / FIRST_PASS_PIECE_FILES)) ? large.has(file) : isLargeFile(file);
for (let index = 0; index < batches.length && mayRead(index); index++) {
  const batch = batches[index]!;
  const first = index * STREAM_BATCH_FILES;
  const message: ReadAheadMessage = batch.some((file, i) => isLarge(file, first + i))
    ? { index }
    : { index, share: await loadShare(batch, kept) };
  parentPort!.postMessage(message);
}
// Ended only by the evaluating thread (ReadAhead.stop), so that an exit always means no more batches.
mayRead(Number.POSITIVE_INFINITY);

/** Waits until batch `index` is few enough batches ahead; false once the thread is to stop. */
function mayRead(index: number): boolean {
  for (;;) {
    const seen = Atomics.load(taken, 0);
    if (seen < 0) return false;
    if (index < seen + READ_AHEAD_BATCHES) return true;
    Atomics.wait(taken, 0, seen);
  }
}
