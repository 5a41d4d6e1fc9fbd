/**
 * Kubernetes' CEL cost limits. cel-go charges every operation; we charge what can grow without bound —
 * every comprehension element, every element a list function walks and every character a string function
 * builds — which is what turns a hostile expression into a hang. Exceeding the budget aborts evaluation with a
 * CostLimitError, reported as an `error` result.
 */

/** k8s.io/apiserver: PerCallLimit, the budget of one expression evaluation. */
export const PER_CALL_LIMIT = 1_000_000;

export class CostLimitError extends Error {
  constructor(limit: number) {
    super(`operation cancelled: actual cost limit exceeded (limit ${limit})`);
    this.name = 'CostLimitError';
  }
}

/**
 * The running evaluation's budget. Evaluation is synchronous, so one counter suffices; a nested evaluation
 * (a lazy variable read inside another expression) saves and restores it. Exported as a mutable record so that
 * the evaluator's hot path can open a budget without allocating a closure per evaluation.
 */
export const budget = { used: 0, limit: Number.POSITIVE_INFINITY };

/** Adds `units` to the running evaluation's cost; throws once it passes the limit. */
export function charge(units: number): void {
  budget.used += units;
  if (budget.used > budget.limit) throw new CostLimitError(budget.limit);
}

let evaluations = 0;

/** How many expression evaluations ran in this process (benchmarks report throughput from it). */
export function evaluationCount(): number {
  return evaluations;
}

export function countEvaluation(): void {
  evaluations++;
}
