import { UserError } from '../core/errors.js';

const BINARY: Record<string, number> = {
  B: 1,
  KIB: 1024,
  MIB: 1024 ** 2,
  GIB: 1024 ** 3,
  TIB: 1024 ** 4,
  K: 1024,
  M: 1024 ** 2,
  G: 1024 ** 3,
  T: 1024 ** 4,
};

/** "4096 B (4 KiB)": exact bytes first, a readable size only where it adds something. */
export function formatBytes(bytes: number): string {
  if (bytes < 0) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = '';
  for (const u of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = u;
  }
  if (!unit) return `${bytes} B`;
  const text = Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${bytes} B (${text} ${unit})`;
}

/** Short human size for tables: 256 GiB, 4 KiB, 512 B. */
export function shortBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[i]}`;
}

/**
 * A partition start with an explicit unit. Bare numbers are refused on purpose: whether "2048" means
 * bytes, 512-byte units (sysfs, lsblk, blkid) or logical sectors (fdisk, parted) is the trap this avoids.
 *  - `NNNs`    logical sectors of the device (parted's and fdisk's unit)
 *  - `NNNs512` 512-byte units (sysfs `start`, lsblk START, blkid PART_ENTRY_OFFSET)
 *  - `NNNB`, `NNNKiB`, `NNNMiB`, `NNNGiB`, `NNNTiB` bytes
 */
export function parseStart(text: string, logicalBlockSize: number): number {
  const m = /^(\d+)\s*(s512|s|B|KiB|MiB|GiB|TiB|K|M|G|T)$/i.exec(text.trim());
  if (!m) {
    throw new UserError(
      `partition start "${text}" needs a unit: "s" (logical sectors), "s512" (512-byte units, as in sysfs), or B/KiB/MiB/GiB`,
    );
  }
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  if (unit === 's') return n * logicalBlockSize;
  if (unit === 's512') return n * 512;
  return n * BINARY[unit.toUpperCase()]!;
}
