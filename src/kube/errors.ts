import { UserError } from '../core/errors.js';

/** The API server answered with an error Status (pod not found, forbidden, container not running, ...). */
export class KubeApiError extends UserError {
  /** HTTP status code: 404 not found, 403 forbidden, 400 bad request (e.g. no such container), ... */
  readonly status: number;
  /** Kubernetes' machine-readable reason (`NotFound`, `Forbidden`, `BadRequest`, ...). */
  readonly reason?: string;
  constructor(
    status: number,
    message: string,
    options: { reason?: string; cause?: unknown; exitCode?: number } = {},
  ) {
    super(message, { exitCode: options.exitCode ?? 1, cause: options.cause });
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = options.reason;
  }
  get notFound(): boolean {
    return this.status === 404;
  }
  get forbidden(): boolean {
    return this.status === 403 || this.status === 401;
  }
}

/** The exec stream broke before the command's status arrived (network drop, API server restart, timeout). */
export class ExecStreamError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'ExecStreamError';
  }
}

/** The API server could not be reached at all. */
export class KubeConnectionError extends UserError {
  constructor(server: string, cause: unknown) {
    super(
      `cannot reach the Kubernetes API server at ${server}: ${(cause as Error)?.message ?? String(cause)}`,
      {
        exitCode: 1,
        cause,
      },
    );
    this.name = 'KubeConnectionError';
  }
}

/** Turns an error Status body (JSON or text) into a readable message. */
export function statusMessage(status: number, body: string): { message: string; reason?: string } {
  try {
    const parsed = JSON.parse(body) as { message?: string; reason?: string };
    if (parsed && typeof parsed.message === 'string')
      return { message: parsed.message, reason: parsed.reason };
  } catch {
    // not JSON: fall through to the raw text
  }
  const text = body.trim();
  return { message: text ? `HTTP ${status}: ${text.slice(0, 500)}` : `HTTP ${status}` };
}
