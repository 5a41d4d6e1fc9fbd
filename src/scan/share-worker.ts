import { parentPort, workerData } from 'node:worker_threads';
import { loadShareRules, type ShareContext, type ShareSetup, streamShare } from './share.js';

// One share of a scan (see share.ts). The worker starts as soon as its files are known and loads the
// engine; the policies and the cross-document context (gathered by the main thread's first pass over
// every file) follow in one message. It then reads, parses and evaluates the files a batch at a time,
// sending each batch's findings, then counts and skeletons (never the documents).
const { files } = workerData as { files: string[] };
parentPort!.once('message', async ({ setup, context }: { setup: ShareSetup; context: ShareContext }) => {
  const rules = await loadShareRules(setup);
  // Findings go out batch by batch, so the worker never holds its share's findings either.
  const done = await streamShare(files, setup, rules, context, (results) =>
    parentPort!.postMessage({ batch: results }),
  );
  parentPort!.postMessage({ done });
});
