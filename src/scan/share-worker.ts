import { parentPort, workerData } from 'node:worker_threads';
import {
  loadCrossDocuments,
  loadShareRules,
  type ShareContext,
  type ShareSetup,
  streamShare,
} from './share.js';

// One share of a scan (see share.ts). First pass: send the cross-document kinds found in the files.
// Second pass, once the context gathered from every share arrives: read, parse and evaluate the files
// a batch at a time, sending each batch's findings, then counts and skeletons (never the documents).
const { files, setup } = workerData as { files: string[]; setup: ShareSetup };
const [cross, rules] = await Promise.all([loadCrossDocuments(files), loadShareRules(setup)]);
parentPort!.once('message', async (context: ShareContext) => {
  // Findings go out batch by batch, so the worker never holds its share's findings either.
  const done = await streamShare(files, setup, rules, context, (results) =>
    parentPort!.postMessage({ batch: results }),
  );
  parentPort!.postMessage({ done });
});
parentPort!.postMessage(cross);
