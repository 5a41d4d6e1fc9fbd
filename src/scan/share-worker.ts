import { parentPort, workerData } from 'node:worker_threads';
import {
  loadCrossDocuments,
  loadShareRules,
  type ShareContext,
  type ShareRules,
  type ShareSetup,
  streamShare,
} from './share.js';

// One share of a scan (see share.ts). First pass: send the cross-document kinds found in the files.
// Second pass, once the context gathered from every share arrives: read, parse and evaluate the files
// a batch at a time, sending each batch's findings, then counts and skeletons (never the documents).
// The worker starts as soon as its files are known; the policies ({ setup }) follow once this thread's
// parent has loaded them, and the context ({ context }) once every share's first pass is in.
const { files } = workerData as { files: string[] };
let rules: Promise<{ setup: ShareSetup; rules: ShareRules }> | undefined;
const onMessage = async (m: { setup: ShareSetup } | { context: ShareContext }) => {
  if ('setup' in m) {
    const { setup } = m;
    rules = loadShareRules(setup).then((loaded) => ({ setup, rules: loaded }));
    return;
  }
  // The last message: without a listener the worker ends once its work is done.
  parentPort!.off('message', onMessage);
  const loaded = await rules!;
  // Findings go out batch by batch, so the worker never holds its share's findings either.
  const done = await streamShare(files, loaded.setup, loaded.rules, m.context, (results) =>
    parentPort!.postMessage({ batch: results }),
  );
  parentPort!.postMessage({ done });
};
parentPort!.on('message', onMessage);
parentPort!.postMessage(await loadCrossDocuments(files));
