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
export function renderSarif(results: readonly Result[], options: SarifOptions = {}): string {
  const baseDir = options.baseDir ?? process.cwd();
  const ruleIndex = new Map<string, number>();
  const rules: Record<string, unknown>[] = [];
  const sarifResults: Record<string, unknown>[] = [];
  for (const r of results) {
    if (r.status === 'pass') continue;
    const id = `${r.policy}/${r.rule}`;
    let index = ruleIndex.get(id);
    if (index === undefined) {
      index = rules.length;
      ruleIndex.set(id, index);
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
    sarifResults.push(result);
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
        results: sarifResults,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
