import { renderCsv as writeCsv } from '../../report/csv.js';
import type { Report } from '../model.js';

const COLUMNS = [
  'namespace',
  'kind',
  'workload',
  'container',
  'container_type',
  'pods',
  'replicas',
  'current_cpu_request',
  'current_cpu_limit',
  'current_memory_request',
  'current_memory_limit',
  'recommended_cpu_request',
  'recommended_cpu_limit',
  'recommended_memory_request',
  'recommended_memory_limit',
  'cpu_usage_statistic',
  'cpu_usage_average',
  'memory_usage_statistic',
  'memory_usage_average',
  'qos_current',
  'qos_recommended',
  'efficiency_current',
  'efficiency_recommended',
  'monthly_savings',
  'severity',
  'reason',
  'warnings',
];

/** RFC 4180 CSV, one row per container; cores and bytes, empty = unset. */
export function renderCsv(report: Report): string {
  const rows = report.recommendations.map((r) => [
    r.namespace,
    r.workload.kind,
    r.workload.name,
    r.container,
    r.role,
    r.pods,
    r.replicas,
    r.current.requests.cpu,
    r.current.limits.cpu,
    r.current.requests.memory,
    r.current.limits.memory,
    r.recommended.requests.cpu,
    r.recommended.limits.cpu,
    r.recommended.requests.memory,
    r.recommended.limits.memory,
    r.usage.cpu.statistic,
    r.usage.cpu.average,
    r.usage.memory.statistic,
    r.usage.memory.average,
    r.qos.current,
    r.qos.recommended,
    r.efficiency.current.total,
    r.efficiency.recommended.total,
    r.savings.total,
    r.severity.overall,
    Object.entries(r.reason)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; '),
    r.warnings.join('; '),
  ]);
  return writeCsv(COLUMNS, rows);
}
