import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What sysfs says about one partition, in sysfs's own units (start and size count 512-byte units). */
export interface RawPartition {
  name: string;
  number: number;
  start512: number;
  size512: number;
  alignmentOffset: number | null;
  majorMinor: string | null;
  holders: string[];
}

export interface RawDevice {
  name: string;
  size512: number;
  removable: boolean | null;
  readOnly: boolean | null;
  rotational: boolean | null;
  model: string | null;
  logicalBlockSize: number;
  physicalBlockSize: number;
  minimumIoSize: number;
  optimalIoSize: number;
  alignmentOffset: number | null;
  discardGranularity: number | null;
  majorMinor: string | null;
  holders: string[];
  partitions: RawPartition[];
}

// sysfs attributes are generated in memory: synchronous reads cost microseconds, while the thread pool
// round trip of fs/promises made a 512-partition audit ten times slower.
function text(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

function int(path: string): number | null {
  const t = text(path);
  if (t === null || !/^-?\d+$/.test(t)) return null;
  return Number(t);
}

function bool(path: string): boolean | null {
  const n = int(path);
  return n === null ? null : n !== 0;
}

function list(path: string): string[] {
  try {
    return readdirSync(path).sort();
  } catch {
    return [];
  }
}

function readPartition(dir: string, name: string): RawPartition | null {
  const number = int(join(dir, 'partition'));
  const start = int(join(dir, 'start'));
  if (number === null || start === null) return null;
  const size = int(join(dir, 'size'));
  const alignmentOffset = int(join(dir, 'alignment_offset'));
  const majorMinor = text(join(dir, 'dev'));
  const holders = list(join(dir, 'holders'));
  return { name, number, start512: start, size512: size ?? 0, alignmentOffset, majorMinor, holders };
}

/** Partitions are the sub-directories named after the disk that carry a `partition` file. */
function readPartitions(dir: string, disk: string): RawPartition[] {
  const entries = list(dir).filter((e) => e.startsWith(disk) && e !== disk);
  const parts = entries.map((e) => readPartition(join(dir, e), e));
  return parts.filter((p): p is RawPartition => p !== null).sort((a, b) => a.number - b.number);
}

export async function readDevice(sysfsRoot: string, name: string): Promise<RawDevice | null> {
  const dir = join(sysfsRoot, 'block', name);
  const q = (attr: string) => join(dir, 'queue', attr);
  const size = int(join(dir, 'size'));
  const logical = int(q('logical_block_size'));
  if (size === null || logical === null) return null;
  const physical = int(q('physical_block_size'));
  const ioMin = int(q('minimum_io_size'));
  const ioOpt = int(q('optimal_io_size'));
  const model = text(join(dir, 'device', 'model'));
  return {
    name,
    size512: size,
    removable: bool(join(dir, 'removable')),
    readOnly: bool(join(dir, 'ro')),
    rotational: bool(q('rotational')),
    model: model || null,
    logicalBlockSize: logical,
    physicalBlockSize: physical ?? logical,
    minimumIoSize: ioMin ?? 0,
    optimalIoSize: ioOpt ?? 0,
    alignmentOffset: int(join(dir, 'alignment_offset')),
    discardGranularity: int(q('discard_granularity')),
    majorMinor: text(join(dir, 'dev')),
    holders: list(join(dir, 'holders')),
    partitions: readPartitions(dir, name),
  };
}

export async function listDevices(sysfsRoot: string): Promise<string[]> {
  return list(join(sysfsRoot, 'block'));
}

/** Every block device under `<root>/block` (or only those named), skipping ones without media. */
export async function readTopology(sysfsRoot: string, names?: readonly string[]): Promise<RawDevice[]> {
  const wanted = names && names.length > 0 ? [...names] : await listDevices(sysfsRoot);
  const devices = await Promise.all(wanted.map((n) => readDevice(sysfsRoot, n)));
  return devices.filter((d): d is RawDevice => d !== null);
}

/**
 * Resolves "sda", "/dev/sda" or a partition ("sda1", "/dev/nvme0n1p2") to its disk's sysfs name.
 * Returns null when sysfs has no such device.
 */
export async function resolveDisk(
  sysfsRoot: string,
  arg: string,
): Promise<{ disk: string; partition: string | null } | null> {
  const name = arg.replace(/^\/dev\//, '');
  if (name.includes('/') || name === '' || name.startsWith('.')) return null;
  const disks = await listDevices(sysfsRoot);
  if (disks.includes(name)) return { disk: name, partition: null };
  for (const disk of disks) {
    if (!name.startsWith(disk)) continue;
    if (int(join(sysfsRoot, 'block', disk, name, 'partition')) !== null) return { disk, partition: name };
  }
  return null;
}
