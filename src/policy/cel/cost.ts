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

let used = 0;
let limit = Number.POSITIVE_INFINITY;

/** Adds `units` to the running evaluation's cost; throws once it passes the limit. */
export function charge(units: number): void {
  used += units;
  if (used > limit) throw new CostLimitError(limit);
}

/** Runs `fn` with a fresh budget of `budget` units (evaluation is synchronous, so one counter suffices). */
export function withBudget<T>(budget: number, fn: () => T): { value: T; cost: number } {
  const savedUsed = used;
  const savedLimit = limit;
  used = 0;
  limit = budget;
  try {
    const value = fn();
    return { value, cost: used };
  } finally {
    used = savedUsed;
    limit = savedLimit;
  }
}

let evaluations = 0;

/** How many expression evaluations ran in this process (benchmarks report throughput from it). */
export function evaluationCount(): number {
  return evaluations;
}

export function countEvaluation(): void {
  evaluations++;
}
