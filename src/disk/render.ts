import type { Result } from '../core/result.js';
import { type OutputFormat, renderResults } from '../report/index.js';
import { renderJsonDocument } from '../report/json.js';
import { alignColumns } from '../report/text-table.js';
import type { AlignmentCheck, DiskReport, FilesystemInfo } from './types.js';
import { shortBytes } from './units.js';

function mark(c: AlignmentCheck): string {
  return c.aligned ? 'ok' : `+${c.offsetBytes} B`;
}

function fsText(fs: FilesystemInfo | null): string {
  if (!fs) return '-';
  const parts = [fs.type];
  if (fs.blockSizeBytes !== null) parts.push(`block ${fs.blockSizeBytes} B`);
  if (fs.sectorSizeBytes !== null) parts.push(`sector ${fs.sectorSizeBytes} B`);
  if (fs.mountpoint) parts.push(`on ${fs.mountpoint}`);
  return parts.join(', ');
}

/** The audit's own numbers, every one with its unit, before the findings. */
export function renderDeviceTable(report: DiskReport): string {
  const lines: string[] = [];
  const rows = [
    [
      'DEVICE',
      'FORMAT',
      'LOGICAL',
      'PHYSICAL',
      'MIN-IO',
      'OPT-IO',
      'ALIGN-OFF',
      'ROTA',
      'SIZE',
      'FILESYSTEM',
    ],
  ];
  for (const d of report.devices) {
    rows.push([
      d.name,
      d.format,
      `${d.logicalBlockSizeBytes} B`,
      `${d.physicalBlockSizeBytes} B`,
      `${d.minimumIoSizeBytes} B`,
      `${d.optimalIoSizeBytes} B`,
      d.alignmentOffsetBytes === null ? '-' : `${d.alignmentOffsetBytes} B`,
      d.rotational === null ? '-' : d.rotational ? 'yes' : 'no',
      shortBytes(d.sizeBytes),
      d.partitions.length > 0 ? `(${d.partitionTable ?? 'partitioned'})` : fsText(d.filesystem),
    ]);
  }
  lines.push(...alignColumns(rows));
  const partRows = [
    ['PARTITION', 'START (bytes)', 'SIZE', 'PHYSICAL', 'MIN-IO', '1MiB/OPT', 'KERNEL-OFF', 'FILESYSTEM'],
  ];
  for (const d of report.devices) {
    for (const p of d.partitions) {
      partRows.push([
        p.name,
        String(p.startBytes),
        shortBytes(p.sizeBytes),
        mark(p.alignment.physical),
        mark(p.alignment.minimumIo),
        mark(p.alignment.optimal),
        p.kernelAlignmentOffset === null ? '-' : `${p.kernelAlignmentOffset} B`,
        fsText(p.filesystem),
      ]);
    }
  }
  if (partRows.length > 1) lines.push('', ...alignColumns(partRows));
  if (report.devices.length === 0) lines.push('(no block devices with media)');
  for (const d of report.devices) {
    if (d.nvme) {
      const f = d.nvme.formats
        .map(
          (x) =>
            `#${x.index} ${x.dataSizeBytes}+${x.metadataBytes} B rp${x.relativePerformance}${x.inUse ? '*' : ''}`,
        )
        .join('  ');
      lines.push('', `${d.name} LBA formats (* in use): ${f}`);
    }
  }
  const notes = report.devices.flatMap((d) => d.notes);
  for (const [tool, path] of Object.entries(report.tools))
    if (path === null) notes.push(`${tool}: not installed`);
  if (notes.length > 0) lines.push('', 'Not read:', ...notes.map((n) => `  ${n}`));
  return `${lines.join('\n')}\n`;
}

export function renderAudit(
  report: DiskReport,
  results: readonly Result[],
  format: OutputFormat,
  options: { color?: boolean; verbose?: boolean } = {},
): string {
  if (format === 'json') {
    const base = JSON.parse(renderResults(results, 'json')) as Record<string, unknown>;
    return renderJsonDocument({ disk: report, ...base });
  }
  if (format === 'table') return `${renderDeviceTable(report)}\n${renderResults(results, 'table', options)}`;
  return renderResults(results, format, options);
}
