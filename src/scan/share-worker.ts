import { parentPort, workerData } from 'node:worker_threads';
import { toBatches } from './read-share.js';
import { claimBatches, loadShareRules, type ShareContext, type ShareSetup } from './share.js';

// A scan thread (see share.ts and parallel.ts). The worker starts as soon as the files are known and
// loads the engine; the policies, the cross-document context (gathered by the main thread's first
// pass over every file) and the counter the threads take batches from follow in one message. It then
// reads, parses and evaluates one batch at a time, sending each batch's findings, counts and
// skeletons (never the documents).
const { files } = workerData as { files: string[] };
parentPort!.once(
  'message',
  async ({
    setup,
    context,
    counter,
  }: {
    setup: ShareSetup;
    context: ShareContext;
    counter: SharedArrayBuffer;
  }) => {
    const rules = await loadShareRules(setup);
    await claimBatches(toBatches(files), new Int32Array(counter), setup, rules, context, (index, outcome) =>
      parentPort!.postMessage({ index, outcome }),
    );
    parentPort!.postMessage({ done: true });
  },
);
