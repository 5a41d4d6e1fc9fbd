import { formatCpu, formatMemory } from '../../core/units/resources.js';
import { alignColumns } from '../../report/text-table.js';
import type { Recommendation, Report } from '../model.js';

function change(cur: string, rec: string): string {
  return cur === rec ? cur : `${cur} → ${rec}`;
}

function pct(v: number | null): string {
  return v === null ? '-' : `${Math.round(v * 100)}%`;
}

function money(v: number): string {
  return `${v < 0 ? '-' : ''}$${Math.abs(v).toFixed(2)}`;
}

function row(r: Recommendation): string[] {
  const cpuRec = r.reason.cpu ? `? (${r.reason.cpu})` : formatCpu(r.recommended.requests.cpu);
  const memRec =
    r.reason.memory && r.reason.memory !== 'OOMKill detected'
      ? `? (${r.reason.memory})`
      : formatMemory(r.recommended.requests.memory);
  return [
    r.namespace,
    `${r.workload.kind}/${r.workload.name}`,
    r.role === 'app' ? r.container : `${r.container} (${r.role})`,
    String(r.pods),
    change(formatCpu(r.current.requests.cpu), cpuRec),
    change(formatCpu(r.current.limits.cpu), r.reason.cpu ? '?' : formatCpu(r.recommended.limits.cpu)),
    change(formatMemory(r.current.requests.memory), memRec),
    change(
      formatMemory(r.current.limits.memory),
      memRec.startsWith('?') ? '?' : formatMemory(r.recommended.limits.memory),
    ),
    `${formatCpu(r.usage.cpu.statistic === null ? null : Math.ceil(r.usage.cpu.statistic * 1000) / 1000)} / ${formatMemory(r.usage.memory.statistic === null ? null : Math.ceil(r.usage.memory.statistic / 2 ** 20) * 2 ** 20)}`,
    change(r.qos.current, r.qos.recommended),
    `${pct(r.efficiency.current.total)} → ${pct(r.efficiency.recommended.total)}`,
    money(r.savings.total),
    r.severity.overall,
  ];
}

const HEADER = [
  'NAMESPACE',
  'WORKLOAD',
  'CONTAINER',
  'PODS',
  'CPU REQUEST',
  'CPU LIMIT',
  'MEMORY REQUEST',
  'MEMORY LIMIT',
  'USAGE CPU/MEM',
  'QOS',
  'EFFICIENCY',
  'SAVINGS/MO',
  'SEVERITY',
];

/** A fixed-width table for terminals, then the score, totals and warnings. */
export function renderTable(report: Report): string {
  const lines = alignColumns([HEADER, ...report.recommendations.map(row)]);
  const s = report.strategy;
  lines.push(
    '',
    `Strategy: ${s.name}   Score: ${report.score.value} (${report.score.letter})   ` +
      `Monthly savings: ${money(report.totals.monthlySavings)}   ` +
      `CPU Δ: ${report.totals.cpuCoresDelta >= 0 ? '+' : ''}${report.totals.cpuCoresDelta} cores   ` +
      `Memory Δ: ${report.totals.memoryBytesDelta >= 0 ? '+' : '-'}${formatMemory(Math.abs(report.totals.memoryBytesDelta))}`,
  );
  const warnings = [
    ...report.warnings,
    ...report.recommendations.flatMap((r) =>
      r.warnings.map((w) => `${r.namespace}/${r.workload.kind}/${r.workload.name} ${r.container}: ${w}`),
    ),
  ];
  if (warnings.length) lines.push('', 'Warnings:', ...warnings.map((w) => `  - ${w}`));
  return `${lines.join('\n')}\n`;
}
