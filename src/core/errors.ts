import type { SourcePosition } from './document.js';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

/**
 * An error caused by the user's input or invocation. The CLI prints its message (never a stack trace)
 * and exits with its code.
 */
export class UserError extends Error {
  readonly exitCode: number;
  readonly position?: Partial<SourcePosition>;
  constructor(
    message: string,
    options: { exitCode?: number; position?: Partial<SourcePosition>; cause?: unknown } = {},
  ) {
    super(options.position ? `${positionPrefix(options.position)}${message}` : message, {
      cause: options.cause,
    });
    this.name = 'UserError';
    this.exitCode = options.exitCode ?? EXIT_USAGE;
    this.position = options.position;
  }
}

function positionPrefix(p: Partial<SourcePosition>): string {
  if (!p.file) return '';
  if (p.line === undefined) return `${p.file}: `;
  return `${p.file}:${p.line}:${p.column ?? 1}: `;
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
