import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Document } from '../core/document.js';
import { evaluate, type RuleResponse } from '../policy/engine/evaluate.js';
import type { PolicyException } from '../policy/exceptions/index.js';
import type { LoadedPolicy } from '../policy/model/types.js';

/** What a worker needs to evaluate its share: all plain data, so it crosses the thread boundary. */
export interface EvaluationJob {
  policies: { content: unknown; origin: LoadedPolicy['origin'] }[];
  documents: Document[];
  variables: Record<string, unknown>;
  namespaceLabels: Record<string, Record<string, string>>;
  exceptions: PolicyException[];
}

/** Below this many documents a worker costs more than it saves. */
export const PARALLEL_THRESHOLD = 2000;

function workerUrl(): URL | undefined {
  // Workers run compiled code; from source (tsx) the engine runs on the main thread only.
  return import.meta.url.endsWith('.js') ? new URL('./eval-worker.js', import.meta.url) : undefined;
}

function runWorker(url: URL, job: EvaluationJob): Promise<RuleResponse[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(url, { workerData: job });
    worker.once('message', (results: RuleResponse[]) => resolve(results));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`evaluation worker exited with code ${code}`));
    });
  });
}

/**
 * evaluate() over documents split between this thread and worker threads (one per extra core). The
 * results are the same, in the same order, as a single evaluate() call.
 */
export async function evaluateParallel(
  policies: LoadedPolicy[],
  documents: Document[],
  variables: Record<string, unknown>,
  namespaceLabels: Record<string, Record<string, string>>,
  exceptions: PolicyException[] = [],
  threads = Math.min(availableParallelism(), 4),
): Promise<RuleResponse[]> {
  const lookup = (ns: string) => namespaceLabels[ns];
  const url = workerUrl();
  if (!url || threads < 2 || documents.length < 2) {
    return evaluate(policies, documents, { variables, namespaceLabels: lookup, exceptions });
  }
  const size = Math.ceil(documents.length / threads);
  const slices = Array.from({ length: threads }, (_, i) => documents.slice(i * size, (i + 1) * size));
  // Companion documents a kind linked into a policy travel too, so the worker links them the same way.
  const plainPolicies = policies.flatMap((p) => [
    { content: p.raw, origin: p.origin },
    ...(p.companions ?? []),
  ]);
  const pending = slices
    .slice(1)
    .map((slice) =>
      runWorker(url, { policies: plainPolicies, documents: slice, variables, namespaceLabels, exceptions }),
    );
  const first = evaluate(policies, slices[0]!, { variables, namespaceLabels: lookup, exceptions });
  const rest = await Promise.all(pending);
  return [...first, ...rest.flat()];
}
