import type { FilesystemInfo } from './types.js';

/** `blkid -p -o export`: KEY=value lines. */
export function parseBlkidExport(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

function emptyFs(type: string, source: FilesystemInfo['source']): FilesystemInfo {
  return {
    type,
    source,
    blockSizeBytes: null,
    sectorSizeBytes: null,
    logSectorSizeBytes: null,
    label: null,
    uuid: null,
    mountpoint: null,
    stripeUnitBytes: null,
    stripeWidthBytes: null,
  };
}

function intOrNull(s: string | undefined): number | null {
  return s !== undefined && /^\d+$/.test(s) ? Number(s) : null;
}

// libblkid sets BLOCK_SIZE from each superblock's own field: the block size for ext*, btrfs, f2fs and most
// others, but the sector size for XFS and for the DOS/Windows and optical formats.
const BLKID_SECTOR_SIZE_TYPES = new Set(['xfs', 'vfat', 'exfat', 'ntfs', 'iso9660', 'udf']);

/** Filesystem facts from `blkid -p`; a dedicated tool refines them for ext* and XFS. */
export function fsFromBlkid(tags: Record<string, string>): FilesystemInfo | null {
  const type = tags.TYPE;
  if (!type) return null;
  const fs = emptyFs(type, 'blkid');
  const bs = intOrNull(tags.BLOCK_SIZE);
  if (BLKID_SECTOR_SIZE_TYPES.has(type)) fs.sectorSizeBytes = bs;
  else fs.blockSizeBytes = bs;
  fs.label = tags.LABEL ?? null;
  fs.uuid = tags.UUID ?? null;
  return fs;
}

/** `dumpe2fs -h`: "Block size:  4096", "RAID stride: 16" (in blocks), volume name and UUID. */
export function parseDumpe2fs(text: string, type: string): FilesystemInfo {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (m) fields.set(m[1]!.trim(), m[2]!.trim());
  }
  const fs = emptyFs(type, 'dumpe2fs');
  fs.blockSizeBytes = intOrNull(fields.get('Block size'));
  const label = fields.get('Filesystem volume name');
  fs.label = label && label !== '<none>' ? label : null;
  fs.uuid = fields.get('Filesystem UUID') ?? null;
  const stride = intOrNull(fields.get('RAID stride'));
  const width = intOrNull(fields.get('RAID stripe width'));
  if (fs.blockSizeBytes !== null) {
    fs.stripeUnitBytes = stride !== null ? stride * fs.blockSizeBytes : null;
    fs.stripeWidthBytes = width !== null ? width * fs.blockSizeBytes : null;
  }
  return fs;
}

/**
 * `xfs_info`: sections start with "name=" at column 0 (meta-data, data, naming, log, realtime) and carry
 * on in lines starting with "=". sunit/swidth are printed in filesystem blocks ("blks").
 */
export function parseXfsInfo(text: string): FilesystemInfo {
  const sections = new Map<string, Map<string, string>>();
  let current = '';
  for (const line of text.split('\n')) {
    const head = /^(\S+?)\s*=/.exec(line);
    if (head) current = head[1]!;
    const body = line.replace(/^\S*\s*=/, '');
    let section = sections.get(current);
    if (!section) sections.set(current, (section = new Map()));
    for (const m of body.matchAll(/([a-z0-9_-]+)=([^\s,]+)/gi)) {
      if (!section.has(m[1]!)) section.set(m[1]!, m[2]!);
    }
  }
  const fs = emptyFs('xfs', 'xfs_info');
  const meta = sections.get('meta-data');
  const data = sections.get('data');
  const log = sections.get('log');
  fs.sectorSizeBytes = intOrNull(meta?.get('sectsz'));
  fs.blockSizeBytes = intOrNull(data?.get('bsize'));
  fs.logSectorSizeBytes = intOrNull(log?.get('sectsz'));
  const sunit = intOrNull(data?.get('sunit'));
  const swidth = intOrNull(data?.get('swidth'));
  if (fs.blockSizeBytes !== null) {
    fs.stripeUnitBytes = sunit ? sunit * fs.blockSizeBytes : null;
    fs.stripeWidthBytes = swidth ? swidth * fs.blockSizeBytes : null;
  }
  return fs;
}

export function statfsFs(type: string, blockSize: number, mountpoint: string): FilesystemInfo {
  const fs = emptyFs(type, 'statfs');
  fs.blockSizeBytes = blockSize;
  fs.mountpoint = mountpoint;
  return fs;
}

export const EXT_TYPES = new Set(['ext2', 'ext3', 'ext4']);
