import type { Report } from '../model.js';
import type { OutputFormat } from '../options.js';
import { renderCsv } from './csv.js';
import { type ChartSource, fetchCharts, renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderTable } from './table.js';
import { renderYaml } from './yaml.js';

/** Renders a report; html also fetches usage-over-time series for its charts. */
export async function renderReport(
  report: Report,
  format: OutputFormat,
  charts: ChartSource,
): Promise<string> {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'yaml':
      return renderYaml(report);
    case 'csv':
      return renderCsv(report);
    case 'html':
      return renderHtml(report, await fetchCharts(report, charts), charts.options.windowSeconds);
    case 'table':
      return renderTable(report);
  }
}
