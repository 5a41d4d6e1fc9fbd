import type { Result, ResultStatus } from '../core/result.js';
import { type RuleMeta, ruleResult } from '../core/rule.js';
import type { Severity } from '../core/severity.js';
import { MIB } from './align.js';
import { EXT_TYPES } from './filesystem.js';
import type { DeviceInfo, DiskReport, FilesystemInfo, PartitionInfo } from './types.js';
import { formatBytes } from './units.js';

const DOCS = 'https://github.com/rampart-dev/rampart/blob/main/docs/disk.md';

/** The disk audit's rules (docs/disk.md); `tool-unavailable` only notes what the audit could not read. */
export const DISK_RULES: Readonly<Record<string, RuleMeta>> = Object.fromEntries(
  (
    [
      ['sector-format', 'Sector format (512n / 512e / 4Kn)', 'info'],
      ['disk-alignment-offset', 'Disk alignment offset is known', 'high'],
      ['partition-physical-alignment', 'Partition starts on a physical sector', 'high'],
      ['partition-minimum-io-alignment', 'Partition starts on a minimum I/O boundary', 'medium'],
      ['partition-optimal-alignment', 'Partition starts on a 1 MiB / optimal I/O boundary', 'low'],
      ['partition-kernel-alignment-offset', "Kernel's partition alignment_offset", 'high'],
      ['filesystem-block-size', 'Filesystem block not smaller than the physical sector', 'medium'],
      ['xfs-sector-size', 'XFS sector size not smaller than the physical sector', 'medium'],
      ['nvme-lba-format', 'NVMe namespace uses its best 4096-byte LBA format', 'low'],
      ['drive-cross-check', 'Drive-reported sector sizes match sysfs', 'medium'],
      ['tool-unavailable', 'Audit tool unavailable', 'info'],
    ] as const
  ).map(([id, title, severity]) => [
    id,
    { id, title, severity, pack: 'disk', ...(id === 'tool-unavailable' ? {} : { docs: `${DOCS}#${id}` }) },
  ]),
);

interface Target {
  kind: 'BlockDevice' | 'Partition' | 'Filesystem';
  name: string;
}

function make(
  dev: DeviceInfo,
  target: Target,
  rule: string,
  status: ResultStatus,
  message: string,
  extra: { severity?: Severity; fix?: string; properties?: Record<string, unknown> } = {},
): Result {
  return ruleResult(DISK_RULES[rule]!, {
    resource: { kind: target.kind, namespace: '', name: target.name, apiVersion: '' },
    origin: { file: dev.path, line: 1, column: 1, index: 0 },
    status,
    message,
    severity: extra.severity,
    fix: extra.fix,
    properties: extra.properties,
  });
}

function deviceFindings(dev: DeviceInfo): Result[] {
  const t: Target = { kind: 'BlockDevice', name: dev.name };
  const out: Result[] = [];
  out.push(
    make(
      dev,
      t,
      'sector-format',
      'pass',
      `${dev.format}: logical sector ${dev.logicalBlockSizeBytes} B, physical sector ${dev.physicalBlockSizeBytes} B, minimum_io_size ${dev.minimumIoSizeBytes} B, optimal_io_size ${dev.optimalIoSizeBytes} B`,
      {
        properties: {
          format: dev.format,
          logicalBlockSizeBytes: dev.logicalBlockSizeBytes,
          physicalBlockSizeBytes: dev.physicalBlockSizeBytes,
        },
      },
    ),
  );
  if (dev.alignmentOffsetBytes === -1) {
    out.push(
      make(
        dev,
        t,
        'disk-alignment-offset',
        'fail',
        `the kernel reports alignment_offset -1: the I/O limits of the devices stacked under ${dev.name} disagree, so no start is aligned for all of them`,
        { fix: 'rebuild the stack (dm/md/LVM) on members with the same physical sector size and alignment' },
      ),
    );
  }
  out.push(...crossChecks(dev, t));
  for (const note of dev.notes) {
    out.push(make(dev, t, 'tool-unavailable', 'skip', note));
  }
  return out;
}

function crossChecks(dev: DeviceInfo, t: Target): Result[] {
  const out: Result[] = [];
  if (dev.smart) {
    const s = dev.smart;
    const problems: string[] = [];
    if (s.logicalBlockSizeBytes !== null && s.logicalBlockSizeBytes !== dev.logicalBlockSizeBytes)
      problems.push(`logical ${s.logicalBlockSizeBytes} B (sysfs ${dev.logicalBlockSizeBytes} B)`);
    if (s.physicalBlockSizeBytes !== null && s.physicalBlockSizeBytes !== dev.physicalBlockSizeBytes)
      problems.push(`physical ${s.physicalBlockSizeBytes} B (sysfs ${dev.physicalBlockSizeBytes} B)`);
    const phys =
      s.physicalBlockSizeBytes === null ? ', physical not reported' : `/${s.physicalBlockSizeBytes} B`;
    out.push(
      problems.length > 0
        ? make(dev, t, 'drive-cross-check', 'fail', `smartctl reports ${problems.join(', ')}`, {
            fix: 'a bridge, HBA or RAID controller is translating sectors; check the drive directly or trust the drive',
            properties: { smartctl: s },
          })
        : make(dev, t, 'drive-cross-check', 'pass', `smartctl agrees: ${s.logicalBlockSizeBytes} B${phys}`),
    );
  }
  if (dev.nvme) {
    const inUse = dev.nvme.formats.find((f) => f.index === dev.nvme!.inUseIndex);
    if (inUse && inUse.dataSizeBytes !== dev.logicalBlockSizeBytes) {
      out.push(
        make(
          dev,
          t,
          'drive-cross-check',
          'fail',
          `nvme id-ns says LBA format ${inUse.index} (${inUse.dataSizeBytes} B) is in use but sysfs logical sector is ${dev.logicalBlockSizeBytes} B`,
          { fix: `rescan the namespace: nvme ns-rescan /dev/${dev.name.replace(/n\d+$/, '')}` },
        ),
      );
    }
    out.push(nvmeFormatFinding(dev, t));
  }
  return out;
}

function nvmeFormatFinding(dev: DeviceInfo, t: Target): Result {
  const n = dev.nvme!;
  const inUse = n.formats.find((f) => f.index === n.inUseIndex);
  const best = n.formats.find((f) => f.index === n.recommendedIndex);
  const list = n.formats
    .map(
      (f) =>
        `#${f.index} ${f.dataSizeBytes}+${f.metadataBytes} B rp${f.relativePerformance}${f.inUse ? ' (in use)' : ''}`,
    )
    .join(', ');
  if (!best)
    return make(dev, t, 'nvme-lba-format', 'pass', `no 4096-byte format without metadata offered (${list})`);
  if (best.index === n.inUseIndex)
    return make(
      dev,
      t,
      'nvme-lba-format',
      'pass',
      `in use: #${best.index}, the best 4096-byte format (${list})`,
    );
  const faster = inUse ? best.relativePerformance < inUse.relativePerformance : true;
  return make(
    dev,
    t,
    'nvme-lba-format',
    'fail',
    `LBA format #${n.inUseIndex}${inUse ? ` (${inUse.dataSizeBytes} B data, ${inUse.metadataBytes} B metadata, rp ${inUse.relativePerformance})` : ''} is in use; #${best.index} (4096 B, no metadata, rp ${best.relativePerformance}) is available${faster ? ' and rated faster by the drive' : ''}. Formats: ${list}`,
    {
      severity: faster ? 'low' : 'info',
      fix: `DESTRUCTIVE: rampart disk plan ${dev.path} --to 4kn (nvme format ${dev.path} --lbaf=${best.index})`,
    },
  );
}

function partitionFindings(dev: DeviceInfo, p: PartitionInfo): Result[] {
  const t: Target = { kind: 'Partition', name: p.name };
  // A DOS extended partition's own entry covers 1 KiB; its start says nothing about data alignment.
  if (p.sizeBytes <= 1024) return [];
  const out: Result[] = [];
  const a = p.alignment;
  const at = `starts at ${formatBytes(p.startBytes)} (sysfs start ${p.start512} × 512 B)`;
  const fix = `DESTRUCTIVE: move or recreate ${p.name} at a multiple of ${formatBytes(Math.max(a.optimal.grainBytes, MIB))} (e.g. sfdisk start=1MiB)`;
  const checks = [
    ['partition-physical-alignment', a.physical, `the physical sector (${dev.physicalBlockSizeBytes} B)`],
    [
      'partition-minimum-io-alignment',
      a.minimumIo,
      `max(minimum_io_size ${dev.minimumIoSizeBytes} B, physical ${dev.physicalBlockSizeBytes} B)`,
    ],
    ['partition-optimal-alignment', a.optimal, `max(1 MiB, optimal_io_size ${dev.optimalIoSizeBytes} B)`],
  ] as const;
  // Only the strictest failing check is a finding: the looser ones fail as a consequence.
  let failed = false;
  for (const [rule, check, what] of checks) {
    if (check.aligned) {
      out.push(make(dev, t, rule, 'pass', `${at}: a multiple of ${what}`));
    } else if (!failed) {
      failed = true;
      const rmw =
        rule === 'partition-physical-alignment'
          ? '; every write to it is a read-modify-write of two physical sectors'
          : '';
      out.push(
        make(dev, t, rule, 'fail', `${at}: ${check.offsetBytes} B past a multiple of ${what}${rmw}`, {
          fix,
          properties: {
            startBytes: p.startBytes,
            grainBytes: check.grainBytes,
            offsetBytes: check.offsetBytes,
          },
        }),
      );
    }
  }
  const k = p.kernelAlignmentOffset;
  if (k === -1) {
    out.push(
      make(
        dev,
        t,
        'partition-kernel-alignment-offset',
        'fail',
        `the kernel reports alignment_offset -1 for ${p.name}: its stacked limits are misaligned`,
        { fix },
      ),
    );
  } else if (k !== null && k !== p.expectedKernelAlignmentOffset) {
    out.push(
      make(
        dev,
        t,
        'partition-kernel-alignment-offset',
        'fail',
        `the kernel reports alignment_offset ${k} B for ${p.name}, but its start and the disk's limits give ${p.expectedKernelAlignmentOffset} B`,
        { severity: 'medium' },
      ),
    );
  }
  if (p.filesystem) out.push(...filesystemFindings(dev, p.name, p.filesystem));
  return out;
}

function filesystemFindings(dev: DeviceInfo, where: string, fs: FilesystemInfo): Result[] {
  const t: Target = { kind: 'Filesystem', name: where };
  const phys = dev.physicalBlockSizeBytes;
  const out: Result[] = [];
  if (fs.type === 'xfs') {
    const sect = fs.sectorSizeBytes;
    if (sect !== null && sect < phys) {
      out.push(
        make(
          dev,
          t,
          'xfs-sector-size',
          'fail',
          `XFS sector size ${sect} B is smaller than the ${phys} B physical sector: metadata and log writes are read-modify-writes, and this filesystem cannot be moved to a 4Kn device`,
          { fix: `recreate with mkfs.xfs -s size=${phys} (data must be copied off and back)` },
        ),
      );
    } else if (sect === 512) {
      out.push(
        make(
          dev,
          t,
          'xfs-sector-size',
          'fail',
          'XFS sector size 512 B: fine on this 512n disk, but the filesystem cannot be moved to a 4Kn device later',
          {
            severity: 'info',
            fix: 'mkfs.xfs -s size=4096 when it is next recreated',
          },
        ),
      );
    } else if (sect !== null) {
      out.push(
        make(dev, t, 'xfs-sector-size', 'pass', `XFS sector size ${sect} B, physical sector ${phys} B`),
      );
    }
  }
  const bs = fs.blockSizeBytes;
  if (bs !== null) {
    if (bs < phys) {
      const extra = EXT_TYPES.has(fs.type) ? ' (it also cannot be mounted from a 4Kn device)' : '';
      out.push(
        make(
          dev,
          t,
          'filesystem-block-size',
          'fail',
          `${fs.type} block size ${bs} B is smaller than the ${phys} B physical sector: writes of single blocks are read-modify-writes${extra}`,
          {
            fix: EXT_TYPES.has(fs.type)
              ? `recreate with mkfs.${fs.type} -b 4096 (data must be copied off and back)`
              : `recreate ${fs.type} with ${phys}-byte blocks`,
          },
        ),
      );
    } else {
      out.push(
        make(
          dev,
          t,
          'filesystem-block-size',
          'pass',
          `${fs.type} block size ${bs} B, physical sector ${phys} B (source: ${fs.source})`,
        ),
      );
    }
  }
  return out;
}

/** Turns the audit's device data into Results (category "disk") for the shared reporters. */
export function reportFindings(report: DiskReport): Result[] {
  const out: Result[] = [];
  for (const dev of report.devices) {
    out.push(...deviceFindings(dev));
    if (dev.filesystem) out.push(...filesystemFindings(dev, dev.name, dev.filesystem));
    for (const p of dev.partitions) out.push(...partitionFindings(dev, p));
  }
  for (const [tool, path] of Object.entries(report.tools)) {
    if (path !== null) continue;
    out.push(
      ruleResult(DISK_RULES['tool-unavailable']!, {
        resource: { kind: 'Tool', namespace: '', name: tool, apiVersion: '' },
        origin: null,
        status: 'skip',
        message: `${tool} is not installed; what it reads is missing from this audit`,
      }),
    );
  }
  return out;
}
