import { UserError } from '../core/errors.js';

/**
 * `rampart cp` exit codes, distinct so scripts can tell what went wrong (documented in docs/cp.md).
 * 0 ok, 1 other failure, 2 usage, 3 internal error (runCli), then:
 */
export const EXIT_NOT_FOUND = 4;
export const EXIT_PERMISSION = 5;
export const EXIT_VERIFY = 6;
export const EXIT_TRANSFER = 7;
export const EXIT_TOOLS = 8;
export const EXIT_UNSAFE = 9;

export class CopyError extends UserError {
  constructor(message: string, exitCode: number, options: { cause?: unknown } = {}) {
    super(message, { exitCode, cause: options.cause });
    this.name = 'CopyError';
  }
}

/** An archive entry that would escape the destination (the kubectl cp CVE family). Nothing was written for it. */
export class UnsafeArchiveError extends CopyError {
  readonly entry: string;
  constructor(entry: string, why: string) {
    super(
      `refusing archive entry "${entry}": ${why}; nothing was written outside the destination`,
      EXIT_UNSAFE,
    );
    this.name = 'UnsafeArchiveError';
    this.entry = entry;
  }
}

/** Maps a remote shell's error text to the matching exit code. */
export function classifyRemoteFailure(text: string): number {
  if (
    /no such file or directory|not found|cannot stat|can't stat|can't cd|cannot cd|can't access/i.test(text)
  )
    return EXIT_NOT_FOUND;
  if (/permission denied|operation not permitted|read-only file system/i.test(text)) return EXIT_PERMISSION;
  return 1;
}

/** Maps a local errno to the matching exit code. */
export function classifyLocalError(error: unknown): number {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return EXIT_NOT_FOUND;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return EXIT_PERMISSION;
  return 1;
}
