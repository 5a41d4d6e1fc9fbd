import { parentPort, workerData } from 'node:worker_threads';
import { evaluate } from '../policy/engine/evaluate.js';
import { loadPolicyDocuments } from '../policy/model/parse.js';
import type { EvaluationJob } from './parallel.js';

// Policies arrive as their source documents and are loaded again here, through the same policy kinds
// (loading is cheap; policy objects hold caches and compiled forms that do not cross threads).
const job = workerData as EvaluationJob;
const { policies } = loadPolicyDocuments(
  job.policies.map((p, i) => ({
    id: `policy-${i}`,
    format: 'kubernetes' as const,
    content: p.content,
    origin: p.origin ?? { file: '', line: 1, column: 1, index: 0 },
  })),
);
const results = evaluate(policies, job.documents, {
  variables: job.variables,
  namespaceLabels: (ns) => job.namespaceLabels[ns],
  reportUnsupportedPolicies: false,
  exceptions: job.exceptions,
});
parentPort!.postMessage(results);
