import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { mapLimit } from '../core/concurrency.js';
import { classify, kernelAlignmentOffset, type Limits, partitionAlignment, SYSFS_SECTOR } from './align.js';
import {
  EXT_TYPES,
  fsFromBlkid,
  parseBlkidExport,
  parseDumpe2fs,
  parseXfsInfo,
  statfsFs,
} from './filesystem.js';
import { type MountEntry, readMounts } from './mounts.js';
import { parseNvmeIdNs } from './nvme.js';
import { parseSmartctl } from './smart.js';
import { type RawDevice, readTopology } from './sysfs.js';
import { firstErrorLine, type ToolOutcome, type ToolRunner } from './tools.js';
import type { DeviceInfo, DiskReport, FilesystemInfo, PartitionInfo } from './types.js';

export const AUDIT_TOOLS = ['blkid', 'dumpe2fs', 'xfs_info', 'nvme', 'smartctl'] as const;

export interface AuditOptions {
  /** Stands in for /sys (a dumped or fixture tree). */
  sysfsRoot?: string;
  /** Stands in for /proc (mountinfo, swaps); null to read no mount table. */
  procRoot?: string | null;
  devRoot?: string;
  /** Sysfs disk names to audit; all when empty. */
  devices?: readonly string[];
  /** Runs blkid, dumpe2fs, xfs_info, nvme and smartctl; null reads sysfs (and statfs) only. */
  runner?: ToolRunner | null;
  concurrency?: number;
}

interface Ctx {
  devRoot: string;
  runner: ToolRunner | null;
  mounts: MountEntry[];
}

function note(tool: string, name: string, out: ToolOutcome): string {
  const line = firstErrorLine(out);
  return `${name}: ${line.startsWith(tool.split(' ')[0]!) ? line : `${tool}: ${line}`}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

async function probeNvme(dev: DeviceInfo, ctx: Ctx): Promise<void> {
  const out = await ctx.runner!.run('nvme', ['id-ns', dev.path, '-o', 'json']);
  if (out.status === 'missing')
    return void dev.notes.push(`${dev.name}: nvme: not installed (nvme-cli); LBA formats not read`);
  if (out.status !== 'ok') return void dev.notes.push(note('nvme id-ns', dev.name, out));
  try {
    dev.nvme = parseNvmeIdNs(parseJson(out.stdout));
  } catch (error) {
    dev.notes.push(`${dev.name}: nvme id-ns: ${(error as Error).message}`);
  }
}

async function probeSmart(dev: DeviceInfo, ctx: Ctx): Promise<void> {
  const out = await ctx.runner!.run('smartctl', ['-j', '-i', dev.path]);
  if (out.status === 'missing')
    return void dev.notes.push(
      `${dev.name}: smartctl: not installed (smartmontools); drive not cross-checked`,
    );
  const parsed = parseSmartctl(parseJson(out.stdout));
  if (parsed.info) dev.smart = parsed.info;
  else dev.notes.push(`${dev.name}: smartctl: ${parsed.error ?? firstErrorLine(out)}`);
}

/**
 * blkid first (it names the type), then the filesystem's own tool for the numbers blkid gets wrong or
 * lacks (blkid's BLOCK_SIZE is the XFS sector size). Returns the blkid tags, or null when blkid could not
 * open the device.
 */
async function probeFilesystem(
  name: string,
  dev: DeviceInfo,
  ctx: Ctx,
): Promise<{ tags: Record<string, string>; fs: FilesystemInfo | null } | null> {
  const path = join(ctx.devRoot, name);
  const out = await ctx.runner!.run('blkid', ['-p', '-o', 'export', path]);
  if (out.status === 'missing') return null;
  // Exit 2 with nothing on stderr is blkid's "no signature found".
  if (out.status !== 'ok' && (out.code !== 2 || out.stderr.trim() !== '')) {
    dev.notes.push(note('blkid', name, out));
    return null;
  }
  const tags = parseBlkidExport(out.stdout);
  let fs = fsFromBlkid(tags);
  if (fs && EXT_TYPES.has(fs.type)) {
    const r = await ctx.runner!.run('dumpe2fs', ['-h', path]);
    if (r.status === 'ok') fs = { ...parseDumpe2fs(r.stdout, fs.type), label: fs.label, uuid: fs.uuid };
    else dev.notes.push(note('dumpe2fs', name, r));
  } else if (fs?.type === 'xfs') {
    const r = await ctx.runner!.run('xfs_info', [path]);
    if (r.status === 'ok') fs = { ...parseXfsInfo(r.stdout), label: fs.label, uuid: fs.uuid };
    else dev.notes.push(note('xfs_info', name, r));
  }
  return { tags, fs };
}

/** Without a readable device node, a mounted filesystem still tells its block size through statfs. */
async function fsFromMount(majorMinor: string | null, ctx: Ctx): Promise<FilesystemInfo | null> {
  const mount = ctx.mounts.find((m) => m.majorMinor === majorMinor);
  if (!mount) return null;
  try {
    const s = await statfs(mount.mountpoint);
    return statfsFs(mount.fstype, s.bsize, mount.mountpoint);
  } catch {
    return null;
  }
}

function buildPartition(p: RawDevice['partitions'][number], limits: Limits): PartitionInfo {
  const startBytes = p.start512 * SYSFS_SECTOR;
  return {
    name: p.name,
    number: p.number,
    start512: p.start512,
    startBytes,
    sizeBytes: p.size512 * SYSFS_SECTOR,
    kernelAlignmentOffset: p.alignmentOffset,
    expectedKernelAlignmentOffset: kernelAlignmentOffset(p.start512, limits),
    alignment: partitionAlignment(startBytes, limits),
    holders: p.holders,
    majorMinor: p.majorMinor,
    filesystem: null,
  };
}

async function auditDevice(raw: RawDevice, ctx: Ctx): Promise<DeviceInfo> {
  const limits: Limits = {
    physicalBlockSizeBytes: raw.physicalBlockSize,
    minimumIoSizeBytes: raw.minimumIoSize,
    optimalIoSizeBytes: raw.optimalIoSize,
    alignmentOffsetBytes: raw.alignmentOffset,
  };
  const dev: DeviceInfo = {
    name: raw.name,
    path: join(ctx.devRoot, raw.name),
    majorMinor: raw.majorMinor,
    sizeBytes: raw.size512 * SYSFS_SECTOR,
    removable: raw.removable,
    readOnly: raw.readOnly,
    rotational: raw.rotational,
    model: raw.model,
    logicalBlockSizeBytes: raw.logicalBlockSize,
    physicalBlockSizeBytes: raw.physicalBlockSize,
    minimumIoSizeBytes: raw.minimumIoSize,
    optimalIoSizeBytes: raw.optimalIoSize,
    alignmentOffsetBytes: raw.alignmentOffset,
    discardGranularityBytes: raw.discardGranularity,
    format: classify(raw.logicalBlockSize, raw.physicalBlockSize),
    holders: raw.holders,
    mountpoints: [],
    partitionTable: null,
    partitions: raw.partitions.map((p) => buildPartition(p, limits)),
    filesystem: null,
    nvme: null,
    smart: null,
    notes: [],
  };
  const mm = new Set([dev.majorMinor, ...dev.partitions.map((p) => p.majorMinor)]);
  dev.mountpoints = ctx.mounts.filter((m) => mm.has(m.majorMinor)).map((m) => m.mountpoint);

  if (ctx.runner) {
    if (/^nvme\d+n\d+$/.test(dev.name)) await probeNvme(dev, ctx);
    else if (/^(sd|hd)[a-z]+$/.test(dev.name)) await probeSmart(dev, ctx);
    const whole = await probeFilesystem(dev.name, dev, ctx);
    if (whole) {
      dev.partitionTable = whole.tags.PTTYPE ?? null;
      if (dev.partitions.length === 0) dev.filesystem = whole.fs;
    }
    for (const p of dev.partitions) {
      if (!whole) break;
      p.filesystem = (await probeFilesystem(p.name, dev, ctx))?.fs ?? null;
    }
  }
  if (dev.partitions.length === 0) dev.filesystem ??= await fsFromMount(dev.majorMinor, ctx);
  for (const p of dev.partitions) p.filesystem ??= await fsFromMount(p.majorMinor, ctx);
  for (const target of [dev, ...dev.partitions]) {
    const fs = target.filesystem;
    if (fs && !fs.mountpoint)
      fs.mountpoint = ctx.mounts.find((m) => m.majorMinor === target.majorMinor)?.mountpoint ?? null;
  }
  return dev;
}

/** Reads every block device's topology (and, with a runner, what the drive and filesystems say). */
export async function auditDisks(options: AuditOptions = {}): Promise<DiskReport> {
  const sysfsRoot = options.sysfsRoot ?? '/sys';
  const procRoot =
    options.procRoot === undefined ? (sysfsRoot === '/sys' ? '/proc' : null) : options.procRoot;
  const runner = options.runner ?? null;
  const ctx: Ctx = {
    devRoot: options.devRoot ?? '/dev',
    runner,
    mounts: procRoot ? await readMounts(procRoot) : [],
  };
  const raw = await readTopology(sysfsRoot, options.devices);
  const named = new Set(options.devices ?? []);
  const present = raw.filter((d) => d.size512 > 0 || named.has(d.name));
  const devices = await mapLimit(present, options.concurrency ?? 8, (d) => auditDevice(d, ctx));
  const tools: Record<string, string | null> = {};
  if (runner) for (const t of AUDIT_TOOLS) tools[t] = runner.which(t);
  return {
    sysfsRoot,
    devices,
    emptyDevices: raw.filter((d) => !present.includes(d)).map((d) => d.name),
    tools,
  };
}
