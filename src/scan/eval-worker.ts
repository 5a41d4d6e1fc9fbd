import { parentPort, workerData } from 'node:worker_threads';
import { evaluate } from '../policy/engine/evaluate.js';
import { parsePolicy } from '../policy/model/parse.js';
import type { EvaluationJob } from './parallel.js';

// Policies arrive as their source objects and are parsed again here (parsing is cheap; Policy objects
// hold caches that do not cross threads).
const job = workerData as EvaluationJob;
const policies = job.policies.map((p) =>
  parsePolicy({ content: p.content, origin: p.origin ?? { file: '', line: 1, column: 1, index: 0 } }),
);
const results = evaluate(policies, job.documents, {
  variables: job.variables,
  namespaceLabels: (ns) => job.namespaceLabels[ns],
  reportUnsupportedPolicies: false,
  exceptions: job.exceptions,
});
parentPort!.postMessage(results);
