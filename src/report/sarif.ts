import { isAbsolute, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Result } from '../core/result.js';
import type { Severity } from '../core/severity.js';
import { findingFingerprint } from './fingerprint.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

export interface SarifOptions {
  toolName?: string;
  toolVersion?: string;
  informationUri?: string;
  /** Base directory file URIs are made relative to (default: cwd). */
  baseDir?: string;
}

/** SARIF 2.1.0: one reporting rule per policy rule; only non-passing results become SARIF results. */
export function renderSarif(results: Iterable<Result>, options: SarifOptions = {}): string {
  return [...renderSarifChunks(results, options)].join('');
}

/** Where the results go in the log's text: a string JSON.stringify leaves as it is. */
const RESULTS_PLACEHOLDER = '\u0000rampart-sarif-results\u0000';

/** Each result sits at this depth of the log (root, runs, a run, results): 8 spaces with indent 2. */
const RESULT_INDENT = ' '.repeat(8);

/**
 * renderSarif's text in pieces, a result at a time: a scan with hundreds of thousands of findings
 * would otherwise build one string over V8's maximum string length. The text is the same as
 * `JSON.stringify(log, null, 2)`: the log is written with a placeholder in `results`, and each result
 * is written, indented to its depth, where the placeholder was.
 */
export function* renderSarifChunks(results: Iterable<Result>, options: SarifOptions = {}): Generator<string> {
  const baseDir = options.baseDir ?? process.cwd();
  const ruleIndex = new Map<string, number>();
  const rules: Record<string, unknown>[] = [];
  let count = 0;
  for (const r of results) {
    if (r.status === 'pass') continue;
    count++;
    const id = `${r.policy}/${r.rule}`;
    if (ruleIndex.has(id)) continue;
    ruleIndex.set(id, rules.length);
    const rule: Record<string, unknown> = {
      id,
      name: r.rule,
      shortDescription: { text: r.title ?? r.rule },
      fullDescription: { text: r.title ?? `${r.policy} ${r.rule}` },
      help: { text: r.fix ?? r.message ?? r.rule },
      defaultConfiguration: { level: LEVEL[r.severity] },
      properties: { category: r.category, severity: r.severity, tags: [r.category].filter(Boolean) },
    };
    if (r.docs) rule.helpUri = r.docs;
    rules.push(rule);
  }
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: options.toolName ?? 'rampart',
            version: options.toolVersion ?? '0.0.0',
            informationUri: options.informationUri ?? 'https://github.com/rampart-dev/rampart',
            rules,
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: `${pathToFileURL(baseDir).href}/` } },
        results: count ? [RESULTS_PLACEHOLDER] : [],
      },
    ],
  };
  const text = `${JSON.stringify(log, null, 2)}\n`;
  if (!count) {
    yield text;
    return;
  }
  const marker = `${RESULT_INDENT}${JSON.stringify(RESULTS_PLACEHOLDER)}`;
  const at = text.indexOf(marker);
  yield text.slice(0, at);
  let first = true;
  for (const r of results) {
    if (r.status === 'pass') continue;
    const id = `${r.policy}/${r.rule}`;
    const json = JSON.stringify(sarifResult(r, id, ruleIndex.get(id)!, baseDir), null, 2);
    yield `${first ? '' : ',\n'}${RESULT_INDENT}${json.replaceAll('\n', `\n${RESULT_INDENT}`)}`;
    first = false;
  }
  yield text.slice(at + marker.length);
}

function sarifResult(r: Result, id: string, index: number, baseDir: string): Record<string, unknown> {
  const level = r.status === 'skip' ? 'none' : r.status === 'warn' ? 'warning' : LEVEL[r.severity];
  const result: Record<string, unknown> = {
    ruleId: id,
    ruleIndex: index,
    level,
    kind: r.status === 'skip' ? 'notApplicable' : 'fail',
    message: { text: r.message || r.title || id },
    properties: {
      status: r.status,
      resource: r.resource,
      ...(r.origin?.path ? { field: r.origin.path } : {}),
    },
    // GitHub code scanning follows an alert across commits by this, not by its line.
    partialFingerprints: { 'rampartFinding/v1': findingFingerprint(r) },
  };
  if (r.status === 'skip') result.suppressions = [{ kind: 'inSource', justification: r.message }];
  if (r.origin) {
    const uri = isAbsolute(r.origin.file) ? relative(baseDir, r.origin.file) : r.origin.file;
    result.locations = [
      {
        physicalLocation: {
          artifactLocation: { uri: uri.split('\\').join('/'), uriBaseId: '%SRCROOT%' },
          region: { startLine: Math.max(1, r.origin.line), startColumn: Math.max(1, r.origin.column) },
        },
      },
    ];
  }
  return result;
}
