import type { Readable } from 'node:stream';
import type { ArchiveEntry } from './extract.js';

/** A file system entry of the source, named relative to its base directory (`name/sub/file`). */
export interface ManifestEntry {
  name: string;
  type: 'file' | 'directory' | 'symlink';
  size: number;
  mode: number;
}

/** One top-level thing to copy: `base/name` on the source side. */
export interface SourceItem {
  base: string;
  name: string;
}

export interface EntryWithData {
  entry: ArchiveEntry;
  data?: Readable;
}

/** Receives entries on the destination side. */
export interface Receiver {
  put(entry: ArchiveEntry, data?: Readable): Promise<void>;
  /** Completes the transfer (waits for the remote `tar x` to finish). */
  close(): Promise<void>;
  /** Abandons the transfer after a failure. */
  abort(): void;
}

/** One end of a copy: the local file system or a container reached through exec. */
export interface Side {
  readonly label: string;
  /** 'directory', 'file' (anything else that exists) or 'missing'. */
  kind(path: string): Promise<'directory' | 'file' | 'missing'>;
  /** Expands a source operand (remote globs) into items. */
  expand(path: string): Promise<SourceItem[]>;
  list(items: SourceItem[]): Promise<ManifestEntry[]>;
  /** Streams the entries under `names` (relative to base, recursive), in archive order. */
  entries(base: string, names: string[], manifest: Map<string, ManifestEntry>): AsyncIterable<EntryWithData>;
  receive(base: string): Promise<Receiver>;
  /** Streams a file's bytes from `offset`. */
  readFrom(base: string, name: string, offset: number, size: number): Promise<Readable>;
  /** Appends exactly `length` bytes to an existing file that currently has `offset` bytes. */
  append(
    base: string,
    name: string,
    offset: number,
    length: number,
    mode: number,
    data: Readable,
  ): Promise<void>;
  /** Current sizes of the given files (missing ones are absent). */
  sizes(base: string, names: string[]): Promise<Map<string, number>>;
  sha256(base: string, names: string[]): Promise<Map<string, string>>;
  /** Applies directory modes after a resumed transfer. */
  chmod(base: string, modes: Map<string, number>): Promise<void>;
}
