import { parentPort, workerData } from 'node:worker_threads';
import { evaluateShare, loadShare, loadShareRules, type ShareContext, type ShareSetup } from './share.js';

// One share of a scan (see share.ts): read and parse the files, report the skeleton, wait for the
// cross-document context gathered from every share, evaluate, send back findings and counts.
const { files, setup } = workerData as { files: string[]; setup: ShareSetup };
const [share, rules] = await Promise.all([loadShare(files), loadShareRules(setup)]);
parentPort!.once('message', (context: ShareContext) => {
  parentPort!.postMessage(evaluateShare(setup, rules, share.documents, context));
});
parentPort!.postMessage({
  skeleton: share.skeleton,
  errors: share.errors,
  planFiles: share.planFiles,
  documents: share.documents.length,
});
