import type { Result } from '../core/result.js';
import { countByStatus } from '../core/result.js';

export function renderJson(results: readonly Result[]): string {
  return `${JSON.stringify({ results, summary: countByStatus(results) }, null, 2)}\n`;
}
