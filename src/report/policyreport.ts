import { stringify } from 'yaml';
import type { Result } from '../core/result.js';
import type { Severity } from '../core/severity.js';

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
    });
    reports.push({
      apiVersion: 'wgpolicyk8s.io/v1alpha2',
      kind: namespace ? 'PolicyReport' : 'ClusterPolicyReport',
      metadata: namespace
        ? { name: 'rampart-policy-report', namespace }
        : { name: 'rampart-cluster-policy-report' },
      results: entries,
      summary,
    });
  }
  return reports;
}

export function renderPolicyReport(results: readonly Result[]): string {
  return buildPolicyReports(results)
    .map((r) => stringify(r, { lineWidth: 0 }))
    .join('---\n');
}
