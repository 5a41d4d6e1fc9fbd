import { renderCsv as writeCsv } from '../../report/csv.js';
import type { ContainerResources, Report } from '../model.js';

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

/** CPU request and limit, then memory request and limit: the column order of current_* and recommended_*. */
function settings(c: ContainerResources): (number | null)[] {
  return [c.requests.cpu, c.limits.cpu, c.requests.memory, c.limits.memory];
}

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
    ...settings(r.current),
    ...settings(r.recommended),
    ...[r.usage.cpu, r.usage.memory].flatMap((u) => [u.statistic, u.average]),
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
