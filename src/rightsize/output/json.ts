import { renderJsonDocument } from '../../report/json.js';
import type { Report } from '../model.js';

export const SCHEMA_VERSION = 1;

/** The documented, stable JSON shape (docs/rightsize.md): cores and bytes, null = unset. */
export function toJsonObject(report: Report): Record<string, unknown> {
  return {
    schemaVersion: SCHEMA_VERSION,
    generatedAt: report.generatedAt,
    at: new Date(report.at * 1000).toISOString(),
    prometheus: report.prometheus,
    strategy: report.strategy,
    score: report.score,
    totals: report.totals,
    recommendations: report.recommendations.map((r) => ({
      namespace: r.namespace,
      workload: r.workload,
      container: r.container,
      containerType: r.role,
      pods: r.pods,
      replicas: r.replicas,
      current: r.current,
      recommended: r.recommended,
      ...(r.bounds ? { bounds: r.bounds } : {}),
      usage: r.usage,
      qos: r.qos,
      efficiency: r.efficiency,
      savings: r.savings,
      severity: r.severity,
      ...(Object.keys(r.reason).length ? { reason: r.reason } : {}),
      warnings: r.warnings,
    })),
    workloads: report.workloads,
    warnings: report.warnings,
  };
}

export function renderJson(report: Report): string {
  return renderJsonDocument(toJsonObject(report));
}
