import type { Result, ResultStatus } from '../core/result.js';
import { FormatRegistry } from './formats.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderPolicyReport } from './policyreport.js';
import { renderSarif } from './sarif.js';
import { renderTable } from './table.js';

export type OutputFormat = 'table' | 'json' | 'sarif' | 'junit' | 'policyreport';

export interface RenderOptions {
  /** Counts to print instead of counting the given results (when some were left out). */
  summary?: Record<ResultStatus, number>;
  color?: boolean;
  verbose?: boolean;
  toolVersion?: string;
  /** Table: one line per finding. */
  compact?: boolean;
}

/** How results are written: one entry per `-o` format. */
export const RESULT_FORMATS = new FormatRegistry<Iterable<Result>, RenderOptions, OutputFormat>({
  table: {
    description: 'findings grouped by file, then a summary line',
    render: (results, o) =>
      renderTable(results, { color: o.color, verbose: o.verbose, summary: o.summary, compact: o.compact }),
  },
  json: {
    description: '{"results": [...], "summary": {...}}, one result per line',
    render: (results, o) => renderJson(results, o.summary),
  },
  sarif: {
    description: 'SARIF 2.1.0',
    render: (results, o) => renderSarif(results, { toolVersion: o.toolVersion }),
  },
  junit: { description: 'JUnit XML, a suite per policy', render: (results) => renderJunit(results) },
  policyreport: {
    description: 'Kyverno PolicyReport objects',
    render: (results) => renderPolicyReport(results),
  },
});

export const OUTPUT_FORMATS: readonly OutputFormat[] = RESULT_FORMATS.names;

export function parseOutputFormat(
  value: string | undefined,
  allowed: readonly string[] = OUTPUT_FORMATS,
): OutputFormat {
  return RESULT_FORMATS.parse(value ?? 'table', allowed);
}

export function renderResults(
  results: Iterable<Result>,
  format: OutputFormat,
  options: RenderOptions = {},
): string {
  return RESULT_FORMATS.render(results, format, options);
}
