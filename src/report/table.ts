import type { Result, ResultStatus } from '../core/result.js';
import { countByStatus } from '../core/result.js';
import type { Severity } from '../core/severity.js';
import { groupRecords } from '../core/spool.js';

export interface TableOptions {
  color?: boolean;
  /** Show passing and skipped results too (default: only fail/warn/error, plus skip with a reason). */
  verbose?: boolean;
  summary?: Record<ResultStatus, number>;
  /** One line per finding: `file:line:col  STATUS severity rule  resource  message`. */
  compact?: boolean;
}

/** Messages longer than this are shortened in the table (json and sarif keep the full text). */
export const TABLE_MESSAGE_LIMIT = 200;

export function shorten(message: string, limit = TABLE_MESSAGE_LIMIT): string {
  const flat = message.replace(/\s*\n\s*/g, ' ');
  return flat.length <= limit
    ? flat
    : `${flat.slice(0, limit - 1)}… (${flat.length - limit + 1} more characters in -o json)`;
}

const STATUS_COLOR: Record<ResultStatus, string> = {
  pass: '32',
  fail: '31',
  warn: '33',
  error: '35',
  skip: '90',
};
const SEVERITY_COLOR: Record<Severity, string> = {
  critical: '1;31',
  high: '31',
  medium: '33',
  low: '36',
  info: '90',
};

/** Human output: findings grouped by file, each with its line, rule, message, fix and docs link. */
export function renderTable(results: Iterable<Result>, options: TableOptions = {}): string {
  let out = '';
  for (const chunk of renderTableChunks(results, options)) out += chunk;
  return out;
}

/** Lines per piece of the table: one file's findings are not held as one string. */
const LINES_PER_CHUNK = 1024;

function* shownOf(results: Iterable<Result>, verbose: boolean | undefined): Generator<Result> {
  for (const r of results)
    if (verbose || r.status === 'fail' || r.status === 'warn' || r.status === 'error') yield r;
}

/**
 * renderTable's text in pieces of about LINES_PER_CHUNK lines, for writing a large report without
 * holding it whole (a scan of 100,000 documents has a few hundred thousand findings). Results are
 * grouped by file in bounded memory (see groupRecords). An array is put in line order within each
 * file; any other iterable (a scan's results, possibly on disk) is taken to be in line order already.
 */
export function* renderTableChunks(results: Iterable<Result>, options: TableOptions = {}): Generator<string> {
  const paint = (code: string, text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const byFile = groupRecords(
    shownOf(results, options.verbose),
    (r) => r.origin?.file ?? '(no file)',
    (a, b) => a.localeCompare(b),
  );
  try {
    for (const { key: file, records } of byFile.groups) {
      const lines: string[] = [];
      const list = Array.isArray(results)
        ? [...records].sort((a, b) => (a.origin?.line ?? 0) - (b.origin?.line ?? 0))
        : records;
      if (options.compact) {
        for (const r of list) {
          const where = r.origin ? `${file}:${r.origin.line}:${r.origin.column}` : file;
          const res = [r.resource.kind, r.resource.namespace, r.resource.name].filter(Boolean).join('/');
          lines.push(
            `${where}: ${paint(STATUS_COLOR[r.status], r.status.toUpperCase())} ${paint(SEVERITY_COLOR[r.severity], r.severity)} ${r.policy}/${r.rule} ${res}: ${shorten(r.message)}`,
          );
          if (lines.length >= LINES_PER_CHUNK) yield `${lines.splice(0).join('\n')}\n`;
        }
      } else {
        lines.push(paint('1', file));
        for (const r of list) {
          const where = r.origin ? `${r.origin.line}:${r.origin.column}` : '-';
          const res = [r.resource.kind, r.resource.namespace, r.resource.name].filter(Boolean).join('/');
          lines.push(
            `  ${where.padEnd(8)} ${paint(STATUS_COLOR[r.status], r.status.toUpperCase().padEnd(5))} ${paint(SEVERITY_COLOR[r.severity], r.severity.padEnd(8))} ${r.policy}/${r.rule}  ${res}`,
          );
          if (r.message)
            lines.push(
              `           ${r.message.length > TABLE_MESSAGE_LIMIT ? shorten(r.message) : r.message.split('\n').join('\n           ')}`,
            );
          if (r.fix) lines.push(`           fix: ${r.fix}`);
          if (r.docs) lines.push(`           docs: ${r.docs}`);
          if (lines.length >= LINES_PER_CHUNK) yield `${lines.splice(0).join('\n')}\n`;
        }
        lines.push('');
      }
      yield `${lines.join('\n')}\n`;
    }
    if (options.compact && byFile.groups.length) yield '\n';
  } finally {
    byFile.close();
  }
  const c = options.summary ?? countByStatus(results);
  yield `${c.pass} passed, ${c.fail} failed, ${c.warn} warnings, ${c.error} errors, ${c.skip} skipped\n`;
}
