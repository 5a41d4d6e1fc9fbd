import { join } from 'node:path';
import { MIB } from './align.js';
import { EXT_TYPES } from './filesystem.js';
import { nvmeController } from './nvme.js';
import type { DeviceInfo, FilesystemInfo } from './types.js';

export type ConversionMethod = 'nvme' | 'scsi' | 'ata' | 'loop';

export interface PlanStep {
  title: string;
  /** manual: for a person; command: argv (+ stdin); write: a sysfs attribute; verify: a sysfs attribute must read `value`. */
  kind: 'manual' | 'command' | 'write' | 'verify';
  destructive: boolean;
  argv?: string[];
  input?: string;
  path?: string;
  value?: string;
  /** A device node the step needs; udev/devtmpfs create partition nodes a moment after the kernel adds them. */
  waitFor?: string;
}

export interface ConversionPlan {
  device: string;
  path: string;
  target: '4Kn';
  method: ConversionMethod | null;
  current: { format: string; logicalBlockSizeBytes: number; physicalBlockSizeBytes: number };
  steps: PlanStep[];
  warnings: string[];
  /** Why the plan cannot be executed as is (empty when it can). */
  blockers: string[];
}

export interface PlanOptions {
  sysfsRoot?: string;
  devRoot?: string;
}

const FIELD_WARNINGS = [
  'Booting from a 4Kn disk needs UEFI firmware and a GPT label: legacy BIOS cannot boot it.',
  'Software that writes 512-byte units with O_DIRECT fails (EINVAL) or slows down on 4Kn: check database redo/transaction logs (e.g. Oracle redo logs with 512-byte blocks, SQL Server, InnoDB log writes) and VM images before converting.',
  'Filesystems cannot be moved between 512-byte and 4K-sector devices: XFS made with 512-byte sectors and ext4 with 1 or 2 KiB blocks do not mount on 4Kn, and disk images copied with dd carry partition tables in 512-byte sectors.',
  "RAID, LVM and ZFS members should all have the same logical sector size; mixing 512 and 4Kn members changes the array's limits (and ZFS pools need ashift=12).",
  'Partition tables count logical sectors: the old table means something else after the format, which is why this plan writes a new one.',
];

const METHOD_WARNINGS: Record<ConversionMethod, string> = {
  nvme: 'nvme format erases the whole namespace, and the LBA format applies to all of it.',
  scsi: 'sg_format rewrites every sector and can take hours on a large disk; do not interrupt it (the drive is unusable until it finishes).',
  ata: 'Only SATA drives with SET SECTOR CONFIGURATION EXT (many enterprise HDDs) accept a new sector size; `hdparm -I` lists what the drive supports. Power-cycle the drive afterwards.',
  loop: "A loop device's sector size is a setting of the mapping: the backing file keeps its bytes, now read as 4096-byte sectors (nothing is erased, but the old layout becomes garbage).",
};

export function partitionDevice(disk: string, n: number): string {
  return /\d$/.test(disk) ? `${disk}p${n}` : `${disk}${n}`;
}

function method(dev: DeviceInfo): ConversionMethod | null {
  if (/^nvme\d+n\d+$/.test(dev.name)) return 'nvme';
  if (/^loop\d+$/.test(dev.name)) return 'loop';
  if (/^(sd|hd)[a-z]+$/.test(dev.name)) return dev.smart?.protocol === 'ATA' ? 'ata' : 'scsi';
  return null;
}

function mkfs(fs: FilesystemInfo, part: string): PlanStep {
  const label = fs.label ? ['-L', fs.label] : [];
  if (fs.type === 'xfs') {
    return {
      title: `make XFS on ${part} with 4096-byte sectors and blocks`,
      kind: 'command',
      destructive: true,
      argv: ['mkfs.xfs', '-f', '-s', 'size=4096', '-b', 'size=4096', ...label, part],
    };
  }
  if (EXT_TYPES.has(fs.type)) {
    return {
      title: `make ${fs.type} on ${part} with 4096-byte blocks`,
      kind: 'command',
      destructive: true,
      argv: [`mkfs.${fs.type}`, '-q', '-b', '4096', ...label, part],
    };
  }
  if (fs.type === 'swap') {
    return {
      title: `make swap on ${part}`,
      kind: 'command',
      destructive: true,
      argv: ['mkswap', ...label, part],
    };
  }
  return {
    title: `recreate the ${fs.type} filesystem on ${part} with 4096-byte blocks/sectors (not automated for ${fs.type})`,
    kind: 'manual',
    destructive: true,
  };
}

function sfdiskScript(dev: DeviceInfo, label: string): string {
  const parts = dev.partitions.filter((p) => p.sizeBytes > 1024);
  const lines = [`label: ${label}`];
  if (parts.length === 0) lines.push('start=1MiB');
  parts.forEach((p, i) => {
    const size = i === parts.length - 1 ? '' : `size=${Math.ceil(p.sizeBytes / MIB)}MiB`;
    lines.push([i === 0 ? 'start=1MiB' : '', size].filter(Boolean).join(', ') || ',');
  });
  return `${lines.join('\n')}\n`;
}

/** The ordered steps to turn DEVICE into a 4Kn device; pure, so it can be printed without touching anything. */
export function buildPlan(dev: DeviceInfo, options: PlanOptions = {}): ConversionPlan {
  const sysfsRoot = options.sysfsRoot ?? '/sys';
  const devRoot = options.devRoot ?? '/dev';
  const path = join(devRoot, dev.name);
  const m = method(dev);
  const blockers: string[] = [];
  const steps: PlanStep[] = [];
  const warnings = [
    `DESTRUCTIVE: every byte on ${path} is lost; nothing here can be undone.`,
    ...FIELD_WARNINGS,
  ];
  if (m) warnings.push(METHOD_WARNINGS[m]);

  if (dev.logicalBlockSizeBytes === 4096)
    blockers.push(`${path} is already 4Kn (logical sector 4096 B): nothing to convert`);
  if (!m) {
    blockers.push(
      `${path} cannot be reformatted from Linux: its sector size is set by what provides it (the hypervisor for virtio/xvd disks, e.g. QEMU logical_block_size=4096,physical_block_size=4096; the member devices for dm/md)`,
    );
  }

  const parts = dev.partitions.filter((p) => p.sizeBytes > 1024);
  const inventory =
    parts.length > 0
      ? parts
          .map((p) => `${p.name} (${p.filesystem?.type ?? 'no filesystem found'}, ${p.sizeBytes} B)`)
          .join(', ')
      : dev.filesystem
        ? `whole-disk ${dev.filesystem.type}`
        : 'no partitions';
  steps.push({ title: `back up everything on ${path}: ${inventory}`, kind: 'manual', destructive: false });
  const users = [
    ...dev.mountpoints.map((mp) => `umount ${mp}`),
    'swapoff',
    'stop services, VMs and databases using it',
    'vgchange -an / mdadm --stop / zpool export where it is a member',
  ];
  steps.push({
    title: `stop every user of ${path}: ${users.join('; ')}`,
    kind: 'manual',
    destructive: false,
  });

  if (!m) {
    steps.push({
      title: `recreate ${path} with 4096-byte logical and physical sectors where it is provided (hypervisor disk settings, or the member devices of a stacked device)`,
      kind: 'manual',
      destructive: true,
    });
  }
  // SCSI and ATA drives change their block size under the kernel; sysfs rescan makes it notice.
  const rescan: PlanStep = {
    title: 'make the kernel re-read the capacity and block size',
    kind: 'write',
    destructive: false,
    path: join(sysfsRoot, 'block', dev.name, 'device', 'rescan'),
    value: '1',
  };
  if (m === 'nvme') {
    const lbaf = dev.nvme?.recommendedIndex;
    if (!dev.nvme) blockers.push(`the LBA formats of ${path} are unknown (nvme id-ns could not be read)`);
    else if (lbaf === null || lbaf === undefined)
      blockers.push(`${path} offers no 4096-byte LBA format without metadata`);
    const ctrl = nvmeController(dev.name) ?? dev.name;
    steps.push({
      title: `format the namespace with LBA format ${lbaf ?? 'N'} (4096 B, no metadata)`,
      kind: 'command',
      destructive: true,
      argv: ['nvme', 'format', path, `--lbaf=${lbaf ?? 'N'}`, '--force'],
    });
    steps.push({
      title: 'reset the controller so the kernel re-reads the namespace',
      kind: 'command',
      destructive: false,
      argv: ['nvme', 'reset', join(devRoot, ctrl)],
    });
  } else if (m === 'scsi') {
    steps.push({
      title: 'low-level format to 4096-byte logical blocks',
      kind: 'command',
      destructive: true,
      argv: ['sg_format', '--format', '--size=4096', path],
    });
    steps.push({ ...rescan });
  } else if (m === 'ata') {
    steps.push({
      title: "set the drive's logical sector size to 4096 bytes",
      kind: 'command',
      destructive: true,
      argv: ['hdparm', '--set-sector-size', '4096', '--please-destroy-my-drive', path],
    });
    steps.push({ title: 'power-cycle the drive', kind: 'manual', destructive: false });
    steps.push({ ...rescan });
  } else if (m === 'loop') {
    steps.push({
      title: 'switch the loop device to 4096-byte sectors',
      kind: 'command',
      destructive: true,
      argv: ['losetup', '--sector-size', '4096', path],
    });
  }
  steps.push({
    title: 'check that the kernel now reports 4096-byte logical sectors',
    kind: 'verify',
    destructive: false,
    path: join(sysfsRoot, 'block', dev.name, 'queue', 'logical_block_size'),
    value: '4096',
  });

  const wholeDisk = parts.length === 0 && dev.filesystem !== null;
  const targets: { fs: FilesystemInfo | null; device: string }[] = [];
  if (wholeDisk) {
    targets.push({ fs: dev.filesystem, device: path });
  } else {
    const label =
      dev.partitionTable === 'dos' && parts.length <= 4 && parts.every((p) => p.number <= 4) ? 'dos' : 'gpt';
    steps.push({
      title: `write a new ${label} partition table, first partition at 1 MiB, every partition 1 MiB-aligned and at least its old size`,
      kind: 'command',
      destructive: true,
      argv: ['sfdisk', '--quiet', path],
      input: sfdiskScript(dev, label),
    });
    steps.push({
      title: 'make the kernel see the new partitions',
      kind: 'command',
      destructive: false,
      argv: ['partx', '-u', path],
    });
    for (const [i, p] of parts.entries()) {
      targets.push({ fs: p.filesystem, device: join(devRoot, partitionDevice(dev.name, i + 1)) });
    }
  }
  for (const t of targets) if (t.fs) steps.push({ ...mkfs(t.fs, t.device), waitFor: t.device });
  steps.push({
    title:
      'restore the data; new filesystems have new UUIDs, so update /etc/fstab, crypttab and boot entries',
    kind: 'manual',
    destructive: false,
  });
  return {
    device: dev.name,
    path,
    target: '4Kn',
    method: m,
    current: {
      format: dev.format,
      logicalBlockSizeBytes: dev.logicalBlockSizeBytes,
      physicalBlockSizeBytes: dev.physicalBlockSizeBytes,
    },
    steps,
    warnings,
    blockers,
  };
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** One step as a shell line a person could run. */
export function stepShell(step: PlanStep): string {
  if (step.kind === 'command') {
    const cmd = step.argv!.map(quote).join(' ');
    return step.input !== undefined ? `${cmd} <<'EOF'\n${step.input}EOF` : cmd;
  }
  if (step.kind === 'write') return `echo ${step.value} > ${step.path}`;
  if (step.kind === 'verify') return `test "$(cat ${step.path})" = ${step.value}`;
  return '(manual)';
}

export function renderPlan(plan: ConversionPlan): string {
  const lines = [
    `Plan: convert ${plan.path} from ${plan.current.format} (logical ${plan.current.logicalBlockSizeBytes} B, physical ${plan.current.physicalBlockSizeBytes} B) to 4Kn — DESTRUCTIVE`,
    `Method: ${plan.method ?? 'none available'}`,
    '',
  ];
  plan.steps.forEach((s, i) => {
    lines.push(`${String(i + 1).padStart(2)}. ${s.destructive ? '[DESTRUCTIVE] ' : ''}${s.title}`);
    if (s.kind !== 'manual') lines.push(`      $ ${stepShell(s).split('\n').join('\n        ')}`);
  });
  lines.push('', 'Warnings:', ...plan.warnings.map((w) => `  - ${w}`));
  if (plan.blockers.length > 0)
    lines.push('', 'Cannot be executed:', ...plan.blockers.map((b) => `  - ${b}`));
  return `${lines.join('\n')}\n`;
}
