import type { AlignmentCheck, SectorFormat } from './types.js';

export const MIB = 1024 * 1024;
/** sysfs `start`/`size` and blkid PART_ENTRY_* count 512-byte units on every device. */
export const SYSFS_SECTOR = 512;

export function classify(logical: number, physical: number): SectorFormat {
  if (logical === 512 && physical === 512) return '512n';
  if (logical === 512 && physical === 4096) return '512e';
  if (logical === 4096 && physical === 4096) return '4Kn';
  return 'other';
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/**
 * The disk's own alignment_offset says where its first aligned byte is (old 512e drives jumpered for
 * Windows XP report 3584); -1 means the kernel could not work it out, so 0 is the best assumption left.
 */
export function checkAlignment(
  startBytes: number,
  grainBytes: number,
  diskAlignment: number | null,
): AlignmentCheck {
  const base = diskAlignment !== null && diskAlignment > 0 ? diskAlignment : 0;
  const grain = Math.max(1, grainBytes);
  const offsetBytes = mod(startBytes - base, grain);
  return { grainBytes: grain, offsetBytes, aligned: offsetBytes === 0 };
}

export interface Limits {
  physicalBlockSizeBytes: number;
  minimumIoSizeBytes: number;
  optimalIoSizeBytes: number;
  alignmentOffsetBytes: number | null;
}

export function minimalGrain(l: Limits): number {
  return Math.max(l.minimumIoSizeBytes, l.physicalBlockSizeBytes);
}

export function optimalGrain(l: Limits): number {
  return Math.max(MIB, l.optimalIoSizeBytes);
}

export function partitionAlignment(startBytes: number, l: Limits) {
  return {
    physical: checkAlignment(startBytes, l.physicalBlockSizeBytes, l.alignmentOffsetBytes),
    minimumIo: checkAlignment(startBytes, minimalGrain(l), l.alignmentOffsetBytes),
    optimal: checkAlignment(startBytes, optimalGrain(l), l.alignmentOffsetBytes),
  };
}

/**
 * The kernel's queue_limit_alignment_offset(): g = max(physical, io_min),
 * (g + disk_alignment - (start*512 mod g)) mod g. Reproduced to cross-check what sysfs says.
 */
export function kernelAlignmentOffset(start512: number, l: Limits): number {
  const g = Math.max(1, minimalGrain(l));
  const disk = l.alignmentOffsetBytes !== null && l.alignmentOffsetBytes > 0 ? l.alignmentOffsetBytes : 0;
  return mod(g + disk - mod(start512 * SYSFS_SECTOR, g), g);
}

export const ALIGNMENT_TYPES = ['physical', 'minimal', 'optimal'] as const;
export type AlignmentType = (typeof ALIGNMENT_TYPES)[number];

/** One start against one grain, as `disk check-alignment` answers it. */
export function checkStart(startBytes: number, l: Limits, type: AlignmentType): AlignmentCheck {
  const grain =
    type === 'physical' ? l.physicalBlockSizeBytes : type === 'minimal' ? minimalGrain(l) : optimalGrain(l);
  return checkAlignment(startBytes, grain, l.alignmentOffsetBytes);
}
