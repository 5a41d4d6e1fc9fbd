import { stringify } from 'yaml';
import type { Result } from '../core/result.js';
import type { Severity } from '../core/severity.js';
import { groupRecords } from '../core/spool.js';
import { listItemYaml } from './block-yaml.js';

const PR_SEVERITY: Record<Severity, string> = {
  critical: 'critical',
  high: 'high',
  medium: 'medium',
  low: 'low',
  info: 'info',
};

/**
 * wgpolicyk8s.io/v1alpha2 reports: one PolicyReport per namespace, one ClusterPolicyReport for
 * cluster-scoped resources, as Kyverno's reports controller groups them.
 */
export function buildPolicyReports(
  results: readonly Result[],
  timestampSeconds = Math.floor(Date.now() / 1000),
) {
  const groups = new Map<string, Result[]>();
  for (const r of results) {
    const key = r.resource.namespace ?? '';
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(r);
  }
  const reports: Record<string, unknown>[] = [];
  for (const [namespace, list] of [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const summary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
    const entries = list.map((r) => {
      summary[r.status]++;
      return reportEntry(r, timestampSeconds);
    });
    reports.push({ ...reportHead(namespace), results: entries, summary });
  }
  return reports;
}

function reportHead(namespace: string): Record<string, unknown> {
  return {
    apiVersion: 'wgpolicyk8s.io/v1alpha2',
    kind: namespace ? 'PolicyReport' : 'ClusterPolicyReport',
    metadata: namespace
      ? { name: 'rampart-policy-report', namespace }
      : { name: 'rampart-cluster-policy-report' },
  };
}

function reportEntry(r: Result, timestampSeconds: number): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    policy: r.policy,
    rule: r.rule,
    result: r.status,
    message: r.message,
    scored: true,
    severity: PR_SEVERITY[r.severity],
    category: r.category,
    source: 'rampart',
    timestamp: { seconds: timestampSeconds, nanos: 0 },
    resources: [
      {
        apiVersion: r.resource.apiVersion,
        kind: r.resource.kind,
        name: r.resource.name,
        ...(r.resource.namespace ? { namespace: r.resource.namespace } : {}),
      },
    ],
  };
  if (r.properties)
    entry.properties = Object.fromEntries(Object.entries(r.properties).map(([k, v]) => [k, String(v)]));
  return entry;
}

const YAML_OPTIONS = { lineWidth: 0 };

export function renderPolicyReport(results: Iterable<Result>): string {
  return [...renderPolicyReportChunks(results)].join('');
}

/**
 * renderPolicyReport's text, the reports built from buildPolicyReports written as YAML, an entry at a
 * time: results are grouped by namespace in bounded memory (see groupRecords), so a scan that reports
 * millions of results (passes included) is written without holding them. Each entry is written as
 * `yaml` writes it inside the whole report (a sequence item two spaces in; see block-yaml), which tests check.
 */
export function* renderPolicyReportChunks(
  results: Iterable<Result>,
  timestampSeconds = Math.floor(Date.now() / 1000),
): Generator<string> {
  const byNamespace = groupRecords(
    results,
    (r) => r.resource.namespace ?? '',
    (a, b) => a.localeCompare(b),
  );
  try {
    for (const [i, { key: namespace, records }] of byNamespace.groups.entries()) {
      const summary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
      let text = `${i ? '---\n' : ''}${stringify(reportHead(namespace), YAML_OPTIONS)}results:\n`;
      for (const r of records) {
        summary[r.status]++;
        text += listItemYaml(reportEntry(r, timestampSeconds), 2);
        if (text.length >= 1 << 16) {
          yield text;
          text = '';
        }
      }
      yield `${text}${stringify({ summary }, YAML_OPTIONS)}`;
    }
  } finally {
    byNamespace.close();
  }
}
