import type { Result } from '../core/result.js';
import { countByStatus } from '../core/result.js';

/**
 * `{"results": [...], "summary": {...}}` with one result per line: still easy to read and diff, and a
 * fraction of the size and time of indenting a few hundred thousand results.
 */
export function renderJson(results: readonly Result[]): string {
  const lines = results.map((r) => JSON.stringify(r));
  return `{"results": [\n${lines.join(',\n')}\n],\n"summary": ${JSON.stringify(countByStatus(results))}}\n`;
}
