import { FormatRegistry } from '../../report/formats.js';
import type { Report } from '../model.js';
import type { OutputFormat } from '../options.js';
import { renderCsv } from './csv.js';
import { type ChartSource, fetchCharts, renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderTable } from './table.js';
import { renderYaml } from './yaml.js';

/** Right-sizing keeps its own row shape; its formats render it with the shared writers in src/report/. */
export const RIGHTSIZE_FORMATS = new FormatRegistry<Report, ChartSource, OutputFormat, Promise<string>>({
  table: {
    description: 'a fixed-width table, then score, totals and warnings',
    render: async (r) => renderTable(r),
  },
  json: { description: 'the documented JSON shape (schemaVersion 1)', render: async (r) => renderJson(r) },
  csv: { description: 'RFC 4180 CSV, one row per container', render: async (r) => renderCsv(r) },
  yaml: { description: 'the JSON shape as YAML', render: async (r) => renderYaml(r) },
  html: {
    description: 'a page with usage-over-time charts (fetched from Prometheus)',
    render: async (r, charts) => renderHtml(r, await fetchCharts(r, charts), charts.options.windowSeconds),
  },
});

/** Renders a report; html also fetches usage-over-time series for its charts. */
export function renderReport(report: Report, format: OutputFormat, charts: ChartSource): Promise<string> {
  return RIGHTSIZE_FORMATS.render(report, format, charts);
}
