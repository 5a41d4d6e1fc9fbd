import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** A file the probe wanted and could not read (permission, not a file): reported, never thrown. */
export interface ReadProblem {
  path: string;
  reason: string;
}

/**
 * Host files read under a root directory instead of `/` (a fixture, or a node's filesystem mounted
 * into a debug pod). Paths given to it are absolute host paths; problems are collected, not thrown.
 */
export class HostRoot {
  readonly problems: ReadProblem[] = [];
  constructor(readonly root: string) {}

  /** Where the host path `path` lies on this machine. */
  resolve(path: string): string {
    return this.root === '/' ? path : join(this.root, path);
  }

  /** File text, or null when absent; unreadable files become a problem and read as null. */
  async read(path: string): Promise<string | null> {
    try {
      return await readFile(this.resolve(path), 'utf8');
    } catch (error) {
      this.note(path, error);
      return null;
    }
  }

  /** Entry names of a directory, sorted; [] when absent or unreadable (the latter noted). */
  async list(path: string): Promise<string[]> {
    try {
      return (await readdir(this.resolve(path))).sort();
    } catch (error) {
      this.note(path, error);
      return [];
    }
  }

  async mode(path: string): Promise<{ mode: number; isCharDevice: boolean; isFile: boolean } | null> {
    try {
      const s = await stat(this.resolve(path));
      return { mode: s.mode & 0o7777, isCharDevice: s.isCharacterDevice(), isFile: s.isFile() };
    } catch (error) {
      this.note(path, error);
      return null;
    }
  }

  private note(path: string, error: unknown): void {
    const code = (error as NodeJS.ErrnoException).code;
    // Absence is an answer ("not configured"), not a problem worth a notice.
    if (code === 'ENOENT' || code === 'ENOTDIR') return;
    this.problems.push({ path, reason: code ? `${code}: ${(error as Error).message}` : String(error) });
  }
}
