import type { Result, ResultStatus } from '../core/result.js';
import { countByStatus } from '../core/result.js';
import type { Severity } from '../core/severity.js';

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

function isShown(r: Result, verbose: boolean | undefined): boolean {
  return Boolean(verbose) || r.status === 'fail' || r.status === 'warn' || r.status === 'error';
}

const fileOf = (r: Result) => r.origin?.file ?? '(no file)';

/**
 * The shown results in table order: by file (plain code-unit order, as every report of a scan lists
 * files), then by line. An array is sorted here; any other iterable (a scan's results, possibly read
 * from disk) is in that order already and is read as it comes, never held.
 */
function* inTableOrder(results: Iterable<Result>, verbose: boolean | undefined): Iterable<Result> {
  if (!Array.isArray(results)) {
    for (const r of results) if (isShown(r, verbose)) yield r;
    return;
  }
  const shown = (results as Result[]).filter((r) => isShown(r, verbose));
  // Stable: results on one line keep their order.
  shown.sort((a, b) => {
    const fa = fileOf(a);
    const fb = fileOf(b);
    if (fa !== fb) return fa < fb ? -1 : 1;
    return (a.origin?.line ?? 0) - (b.origin?.line ?? 0);
  });
  yield* shown;
}

/**
 * renderTable's text in pieces of about LINES_PER_CHUNK lines, for writing a large report without
 * holding it whole (a scan of 100,000 documents has a few hundred thousand findings): each file's
 * findings under its name (or, compact, a line each), files in the order of inTableOrder.
 */
export function* renderTableChunks(results: Iterable<Result>, options: TableOptions = {}): Generator<string> {
  const paint = (code: string, text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const lines: string[] = [];
  let file: string | undefined;
  for (const r of inTableOrder(results, options.verbose)) {
    const where = fileOf(r);
    if (where !== file) {
      // A blank line after each file's findings, and the next file's name.
      if (!options.compact) {
        if (file !== undefined) lines.push('');
        lines.push(paint('1', where));
      }
      file = where;
    }
    const res = [r.resource.kind, r.resource.namespace, r.resource.name].filter(Boolean).join('/');
    if (options.compact) {
      const at = r.origin ? `${where}:${r.origin.line}:${r.origin.column}` : where;
      lines.push(
        `${at}: ${paint(STATUS_COLOR[r.status], r.status.toUpperCase())} ${paint(SEVERITY_COLOR[r.severity], r.severity)} ${r.policy}/${r.rule} ${res}: ${shorten(r.message)}`,
      );
    } else {
      const at = r.origin ? `${r.origin.line}:${r.origin.column}` : '-';
      lines.push(
        `  ${at.padEnd(8)} ${paint(STATUS_COLOR[r.status], r.status.toUpperCase().padEnd(5))} ${paint(SEVERITY_COLOR[r.severity], r.severity.padEnd(8))} ${r.policy}/${r.rule}  ${res}`,
      );
      if (r.message)
        lines.push(
          `           ${r.message.length > TABLE_MESSAGE_LIMIT ? shorten(r.message) : r.message.split('\n').join('\n           ')}`,
        );
      if (r.fix) lines.push(`           fix: ${r.fix}`);
      if (r.docs) lines.push(`           docs: ${r.docs}`);
    }
    if (lines.length >= LINES_PER_CHUNK) yield `${lines.splice(0).join('\n')}\n`;
  }
  // After the last file: its blank line (table), or one blank line after all (compact).
  if (file !== undefined) lines.push('');
  if (lines.length) yield `${lines.join('\n')}\n`;
  const c = options.summary ?? countByStatus(results);
  yield `${c.pass} passed, ${c.fail} failed, ${c.warn} warnings, ${c.error} errors, ${c.skip} skipped\n`;
}
