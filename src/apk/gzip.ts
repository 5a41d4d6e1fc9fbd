import { gzipSync, inflateRawSync } from 'node:zlib';

/** One gzip member the way `gzip -n -9` writes it: no name, no timestamp. */
export function gzipMember(data: Buffer): Buffer {
  return gzipSync(data, { level: 9 });
}

export interface Member {
  start: number;
  end: number;
  content: Buffer;
}

const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;

/**
 * Finds the gzip member starting at `offset`: apk hashes the *compressed* bytes of each member,
 * so their exact boundaries matter. Returns undefined when `buf` ends before the member does.
 */
export function readMember(buf: Buffer, offset: number): Member | undefined {
  if (buf.length - offset < 10) return undefined;
  if (buf[offset] !== 0x1f || buf[offset + 1] !== 0x8b || buf[offset + 2] !== 8) {
    throw new Error(`not a gzip member at byte ${offset}`);
  }
  const flags = buf[offset + 3];
  let p = offset + 10;
  if (flags & FEXTRA) {
    if (buf.length < p + 2) return undefined;
    p += 2 + buf.readUInt16LE(p);
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (flags & flag) {
      const zero = buf.indexOf(0, p);
      if (zero < 0) return undefined;
      p = zero + 1;
    }
  }
  if (flags & FHCRC) p += 2;
  if (p > buf.length) return undefined;
  let result: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    result = inflateRawSync(buf.subarray(p), { info: true }) as unknown as typeof result;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR') return undefined;
    throw new Error(`corrupt gzip data at byte ${offset}: ${(error as Error).message}`);
  }
  const end = p + result.engine.bytesWritten + 8;
  if (end > buf.length) return undefined;
  return { start: offset, end, content: result.buffer };
}
