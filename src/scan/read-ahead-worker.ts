import { once } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import { READ_AHEAD_BATCHES, type ReadAheadMessage } from './read-ahead.js';
import { KeptTexts, loadCrossDocuments, loadShare, toBatches } from './read-share.js';

// The read-ahead thread (see read-ahead.ts). First the scan's first pass (the cross-document kinds of
// every file), then its batches in order, at most READ_AHEAD_BATCHES ahead of the batch the
// evaluating thread has taken, each sent as a share. A batch holding a large file is left to the
// evaluating thread, which reads such files in parts.
const { progress } = workerData as { progress: SharedArrayBuffer };
const taken = new Int32Array(progress);
const [files] = (await once(parentPort!, 'message')) as [string[]];
const largeFiles: string[] = [];
// The first pass's texts are parsed by the second instead of being read again.
const kept = new KeptTexts();
const crossDocuments = await loadCrossDocuments(files, (file) => largeFiles.push(file), kept);
parentPort!.postMessage({ crossDocuments, largeFiles } satisfies ReadAheadMessage);
const batches = toBatches(files);
// The first pass found the large files (without a second stat of every file).
const large = new Set(largeFiles);
for (let index = 0; index < batches.length && mayRead(index); index++) {
  const batch = batches[index]!;
  const message: ReadAheadMessage = batch.some((file) => large.has(file))
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
