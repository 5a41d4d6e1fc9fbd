import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Records (plain JSON data) held in memory up to a budget and on disk beyond it, so a scan with
 * hundreds of thousands of findings runs in bounded memory while a usual one never touches the disk.
 *
 * Records are added in segments, each with a key (numbers compared in order); reading yields the
 * segments in key order and each segment's records in the order they were added. So records can
 * arrive out of order (from several threads, or grouped while being written) and still be read in
 * order. A spool can be read any number of times. On disk it is one temporary file of JSON lines,
 * removed as soon as it is open: nothing is left behind, even when the process is killed.
 */
export type SegmentKey = readonly number[];

interface Segment<T> {
  key: SegmentKey;
  /** Held in memory, or ... */
  records?: T[];
  /** ... this byte range of the file. */
  offset: number;
  bytes: number;
}

/** Records held in memory before a spool moves to disk (a finding takes ~1 KB in memory). */
export const DEFAULT_MEMORY_RECORDS = 100_000;

const READ_BLOCK = 1 << 20;
const NEWLINE = 0x0a;

export function compareKeys(a: SegmentKey, b: SegmentKey): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export class RecordSpool<T> implements Iterable<T> {
  private readonly segments: Segment<T>[] = [];
  /** The segments by the first number of their key, for readGroup. */
  private readonly groups = new Map<number, Segment<T>[]>();
  private held = 0;
  private count = 0;
  private fd: number | undefined;
  private end = 0;
  private sorted = true;

  constructor(private readonly memoryRecords = DEFAULT_MEMORY_RECORDS) {}

  /** How many records were added. */
  get size(): number {
    return this.count;
  }

  /** Whether records went to disk. */
  get spilled(): boolean {
    return this.fd !== undefined;
  }

  /** Adds a segment; the spool takes the array (the caller must not change it afterwards). */
  add(key: SegmentKey, records: T[]): void {
    if (!records.length) return;
    this.count += records.length;
    const last = this.segments.at(-1);
    if (last && compareKeys(last.key, key) > 0) this.sorted = false;
    const segment: Segment<T> = { key, records, offset: 0, bytes: 0 };
    this.segments.push(segment);
    let group = this.groups.get(key[0]!);
    if (!group) this.groups.set(key[0]!, (group = []));
    group.push(segment);
    if (this.fd !== undefined) {
      this.write(segment);
      return;
    }
    this.held += records.length;
    if (this.held > this.memoryRecords) this.spill();
  }

  [Symbol.iterator](): Iterator<T> {
    return this.read(() => this.inOrder(this.segments, true));
  }

  /** Gives the file back; the spool is empty afterwards. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.segments.length = 0;
    this.groups.clear();
    this.held = 0;
    this.count = 0;
  }

  /** The records of the segments whose key starts with `first`, in key order. */
  readGroup(first: number): Generator<T> {
    return this.read(() => this.inOrder(this.groups.get(first) ?? [], false));
  }

  private *read(segments: () => Segment<T>[]): Generator<T> {
    for (const segment of segments()) {
      if (segment.records) yield* segment.records;
      else yield* this.readSegment(segment);
    }
  }

  /** Segments in key order; a copy, so segments added while reading go to the next read. */
  private inOrder(segments: Segment<T>[], all: boolean): Segment<T>[] {
    // Stable: segments with equal keys keep the order they were added in.
    const byKey = (a: Segment<T>, b: Segment<T>) => compareKeys(a.key, b.key);
    if (all ? !this.sorted : segments.some((s, i) => i > 0 && byKey(segments[i - 1]!, s) > 0)) {
      segments.sort(byKey);
      if (all) this.sorted = true;
    }
    return segments.slice();
  }

  private *readSegment(segment: Segment<T>): Generator<T> {
    const fd = this.fd;
    if (fd === undefined) return;
    let buffer = Buffer.allocUnsafe(Math.min(READ_BLOCK, segment.bytes));
    let position = segment.offset;
    const stop = segment.offset + segment.bytes;
    // Bytes of a line the last block cut short, moved to the buffer's start. A newline byte is never
    // part of a UTF-8 sequence, so every block is decoded up to its last newline, whole characters only.
    let kept = 0;
    while (position < stop) {
      if (kept === buffer.length) {
        // A record longer than a block: read on into a larger buffer.
        const larger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(larger, 0, 0, kept);
        buffer = larger;
      }
      const n = readSync(fd, buffer, kept, Math.min(buffer.length - kept, stop - position), position);
      if (n <= 0) throw new Error('spool: the temporary file ended early');
      position += n;
      const end = kept + n;
      const last = buffer.lastIndexOf(NEWLINE, end - 1);
      if (last < 0) {
        kept = end;
        continue;
      }
      const lines = buffer.toString('utf8', 0, last).split('\n');
      for (const line of lines) yield JSON.parse(line) as T;
      kept = end - last - 1;
      buffer.copy(buffer, 0, last + 1, end);
    }
    if (kept) yield JSON.parse(buffer.toString('utf8', 0, kept)) as T;
  }

  /** Moves a segment's records to the end of the file. */
  private write(segment: Segment<T>): void {
    let text = '';
    for (const r of segment.records!) text += `${JSON.stringify(r)}\n`;
    const bytes = Buffer.byteLength(text);
    let written = writeSync(this.fd!, text, this.end);
    if (written < bytes) {
      // A short write (a full disk gives an error instead): the rest from a buffer.
      const data = Buffer.from(text);
      while (written < bytes)
        written += writeSync(this.fd!, data, written, bytes - written, this.end + written);
    }
    segment.records = undefined;
    segment.offset = this.end;
    segment.bytes = bytes;
    this.end += bytes;
  }

  private spill(): void {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-spool-'));
    const file = join(dir, 'records.jsonl');
    try {
      this.fd = openSync(file, 'w+', 0o600);
    } finally {
      // Open files stay readable once removed (POSIX); nothing is left behind.
      rmSync(dir, { recursive: true, force: true });
    }
    for (const segment of this.segments) if (segment.records) this.write(segment);
    this.held = 0;
  }
}

/** A group's records that go to the spool together (see groupRecords). */
const GROUP_BUFFER_RECORDS = 1024;
/** Records waiting in groupRecords' buffers before all of them go to the spool. */
const WAITING_RECORDS = 32_768;

/** Groups of records in the order their keys sort, each group's records in the order they came. */
export interface RecordGroup<K, T> {
  key: K;
  /** How many records the group has. */
  size: number;
  records: Iterable<T>;
}

/**
 * Splits records into groups by a key, in bounded memory: a group's records are held in memory up to
 * the spool's budget, and on disk beyond it. `order` sorts the group keys (default: first seen first).
 * The source is read once; the groups can be read any number of times until `close` is called.
 */
export function groupRecords<K, T>(
  source: Iterable<T>,
  keyOf: (record: T) => K,
  order?: (a: K, b: K) => number,
  memoryRecords = DEFAULT_MEMORY_RECORDS,
): { groups: RecordGroup<K, T>[]; close(): void } {
  const ids = new Map<K, number>();
  const keys: K[] = [];
  const sizes: number[] = [];
  const spool = new RecordSpool<T>(memoryRecords);
  // Records wait in per-group buffers and go to the spool a buffer at a time, so a group's segments
  // stay few and long even when the groups are interleaved: a buffer goes when it is full, and all of
  // them when too many records wait (with thousands of groups, each buffer holds few).
  let pending: T[][] = [];
  let waiting = 0;
  let seq = 0;
  const flush = () => {
    for (const [id, list] of pending.entries()) if (list?.length) spool.add([id, seq++], list);
    pending = [];
    waiting = 0;
  };
  for (const record of source) {
    const key = keyOf(record);
    let id = ids.get(key);
    if (id === undefined) {
      id = keys.length;
      ids.set(key, id);
      keys.push(key);
      sizes.push(0);
    }
    sizes[id]!++;
    const list = (pending[id] ??= []);
    list.push(record);
    waiting++;
    if (list.length >= GROUP_BUFFER_RECORDS) {
      spool.add([id, seq++], list);
      pending[id] = [];
      waiting -= list.length;
    } else if (waiting >= WAITING_RECORDS) flush();
  }
  flush();
  const rank = keys.map((_, i) => i);
  if (order) rank.sort((a, b) => order(keys[a]!, keys[b]!));
  const groups = rank.map((id) => ({
    key: keys[id]!,
    size: sizes[id]!,
    // A group's segments are [id, seq]: together, and in the order they were written.
    records: { [Symbol.iterator]: () => spool.readGroup(id) },
  }));
  return { groups, close: () => spool.close() };
}
