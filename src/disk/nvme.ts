import { isObject } from '../core/document.js';
import type { NvmeInfo, NvmeLbaFormat } from './types.js';

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * Index of the LBA format in use, from FLBAS: bits 3:0 are the low index bits and bits 6:5 the high ones
 * (NVMe 2.0, for namespaces with more than 16 formats); bit 4 says metadata travels at the end of each LBA.
 */
export function decodeFlbas(flbas: number): { index: number; metadataAtEnd: boolean } {
  return { index: (flbas & 0xf) | (((flbas >> 5) & 0x3) << 4), metadataAtEnd: (flbas & 0x10) !== 0 };
}

/** Best 4096-byte format without metadata: lowest relative performance value wins, then lowest index. */
export function recommend4k(formats: readonly NvmeLbaFormat[]): number | null {
  const candidates = formats
    .filter((f) => f.dataSizeBytes === 4096 && f.metadataBytes === 0)
    .sort((a, b) => a.relativePerformance - b.relativePerformance || a.index - b.index);
  return candidates[0]?.index ?? null;
}

/** Parses `nvme id-ns -o json` of any nvme-cli 1.x/2.x (with or without the 2.14 `in_use` field). */
export function parseNvmeIdNs(json: unknown): NvmeInfo {
  if (!isObject(json) || !Array.isArray(json.lbafs)) {
    throw new Error('not nvme id-ns JSON: no "lbafs" array');
  }
  const flbas = num(json.flbas) ?? 0;
  const decoded = decodeFlbas(flbas);
  const hasInUse = json.lbafs.some((l) => isObject(l) && 'in_use' in l);
  const nlbaf = num(json.nlbaf);
  const formats: NvmeLbaFormat[] = [];
  json.lbafs.forEach((l, i) => {
    if (!isObject(l)) return;
    // nlbaf is 0-based: nlbaf = 1 means two formats.
    if (nlbaf !== null && i > nlbaf) return;
    const ds = num(l.ds) ?? 0;
    // ds = 0 marks an unused slot.
    if (ds === 0) return;
    const index = num(l.lbaf) ?? i;
    formats.push({
      index,
      dataSizeBytes: 2 ** ds,
      metadataBytes: num(l.ms) ?? 0,
      relativePerformance: num(l.rp) ?? 0,
      inUse: hasInUse ? num(l.in_use) === 1 : index === decoded.index,
    });
  });
  const inUse = formats.find((f) => f.inUse);
  return {
    formats,
    inUseIndex: inUse?.index ?? decoded.index,
    inUseFrom: hasInUse ? 'in_use' : 'flbas',
    metadataAtEndOfLba: decoded.metadataAtEnd,
    recommendedIndex: recommend4k(formats),
  };
}

/** /dev/nvme0n1 → nvme0 (the controller, which `nvme reset` and `ns-rescan` address). */
export function nvmeController(namespace: string): string | null {
  const m = /^(nvme\d+)n\d+$/.exec(namespace);
  return m ? m[1]! : null;
}
