import { UserError } from '../core/errors.js';
import type { Result, ResultStatus } from '../core/result.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderPolicyReport } from './policyreport.js';
import { renderSarif } from './sarif.js';
import { renderTable } from './table.js';

export const OUTPUT_FORMATS = ['table', 'json', 'sarif', 'junit', 'policyreport'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface RenderOptions {
  /** Counts to print instead of counting the given results (when some were left out). */
  summary?: Record<ResultStatus, number>;
  color?: boolean;
  verbose?: boolean;
  toolVersion?: string;
}

export function parseOutputFormat(
  value: string | undefined,
  allowed: readonly string[] = OUTPUT_FORMATS,
): OutputFormat {
  const v = value ?? (process.stdout.isTTY ? 'table' : 'table');
  if (!allowed.includes(v))
    throw new UserError(`-o/--output must be one of ${allowed.join(', ')}; got "${v}"`);
  return v as OutputFormat;
}

export function renderResults(
  results: readonly Result[],
  format: OutputFormat,
  options: RenderOptions = {},
): string {
  switch (format) {
    case 'json':
      return renderJson(results, options.summary);
    case 'sarif':
      return renderSarif(results, { toolVersion: options.toolVersion });
    case 'junit':
      return renderJunit(results);
    case 'policyreport':
      return renderPolicyReport(results);
    default:
      return renderTable(results, {
        color: options.color,
        verbose: options.verbose,
        summary: options.summary,
      });
  }
}
