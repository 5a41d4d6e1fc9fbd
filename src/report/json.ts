import type { Result, ResultStatus } from '../core/result.js';
import { countByStatus } from '../core/result.js';

/**
 * `{"results": [...], "summary": {...}}` with one result per line: still easy to read and diff, and a
 * fraction of the size and time of indenting a few hundred thousand results.
 */
export function renderJson(
  results: Iterable<Result>,
  summary: Record<ResultStatus, number> = countByStatus(results),
): string {
  return [...renderJsonChunks(results, summary)].join('');
}

/** renderJson's text in pieces (a result per piece), for writing a large report without holding it whole. */
export function* renderJsonChunks(
  results: Iterable<Result>,
  summary: Record<ResultStatus, number> = countByStatus(results),
): Generator<string> {
  yield '{"results": [\n';
  let first = true;
  for (const r of results) {
    if (!first) yield ',\n';
    yield JSON.stringify(r);
    first = false;
  }
  yield `\n],\n"summary": ${JSON.stringify(summary)}}\n`;
}

/** A JSON document for files and pipes: two-space indent and a final newline. */
export function renderJsonDocument(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
