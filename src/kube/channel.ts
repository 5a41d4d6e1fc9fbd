/**
 * The Kubernetes remote-command framing over WebSocket (`*.channel.k8s.io`), shared by the exec client and
 * the test server. Every binary message is one channel byte followed by that channel's data.
 *
 * - v4: channels 0 stdin, 1 stdout, 2 stderr, 3 error (a JSON `metav1.Status` sent once at the end),
 *   4 resize (terminal size JSON).
 * - v5 adds channel 255, a control message `[255, channel]` that closes the given channel for writing, so
 *   the remote process sees end of input on stdin (`tar x` needs it) while its output keeps flowing.
 */
export const PROTOCOL_V5 = 'v5.channel.k8s.io';
export const PROTOCOL_V4 = 'v4.channel.k8s.io';
/** Offered in order of preference; the server picks the first it speaks. */
export const EXEC_PROTOCOLS = [PROTOCOL_V5, PROTOCOL_V4] as const;

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
export const CLOSE = 255;

export function frame(channel: number, data?: Uint8Array): Buffer {
  const header = Buffer.of(channel);
  return data && data.length > 0 ? Buffer.concat([header, data]) : header;
}

export function closeFrame(channel: number): Buffer {
  return Buffer.of(CLOSE, channel);
}

/** Splits a received message into its channel and payload (a view, no copy). */
export function parseFrame(message: Buffer): { channel: number; data: Buffer } | undefined {
  if (message.length === 0) return undefined;
  return { channel: message[0] as number, data: message.subarray(1) };
}

/** The Kubernetes `metav1.Status` sent on the error channel when the command ends. */
export interface ExecStatusObject {
  kind?: string;
  apiVersion?: string;
  status?: 'Success' | 'Failure' | string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: { reason?: string; message?: string; field?: string }[] };
}

export interface ExecOutcome {
  /** The process's exit code; undefined when it never ran (no such binary, container gone). */
  exitCode: number | undefined;
  /** Kubernetes' failure reason (`NonZeroExitCode`, `InternalError`, ...) when the status was a Failure. */
  reason?: string;
  /** Kubernetes' message, e.g. the runtime's "executable file not found in $PATH". */
  message?: string;
}

/**
 * Reads the exit code the way client-go does: Success is 0; a Failure with reason NonZeroExitCode
 * carries the code as the message of its `ExitCode` cause; any other Failure means the process did not run.
 */
export function parseExecStatus(payload: string): ExecOutcome {
  let status: ExecStatusObject;
  try {
    status = JSON.parse(payload) as ExecStatusObject;
  } catch {
    // v1 servers sent plain text on this channel; treat it as a failure message.
    return { exitCode: undefined, reason: 'InternalError', message: payload.trim() };
  }
  if (status.status === 'Success') return { exitCode: 0 };
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = cause?.message !== undefined ? Number.parseInt(cause.message, 10) : Number.NaN;
    return {
      exitCode: Number.isFinite(code) ? code : 1,
      reason: status.reason,
      message: status.message,
    };
  }
  return {
    exitCode: undefined,
    reason: status.reason ?? 'InternalError',
    message: status.message ?? payload,
  };
}

/** Builds the Status object a server sends for an exit code (used by the test server). */
export function statusForExit(exitCode: number): ExecStatusObject {
  if (exitCode === 0) return { metadata: {}, status: 'Success' } as ExecStatusObject;
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [...], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  } as ExecStatusObject;
}

/** True when the runtime reported that the command's binary does not exist in the container. */
export function isCommandNotFound(outcome: ExecOutcome, stderr = ''): boolean {
  const text = `${outcome.message ?? ''}\n${stderr}`;
  if (outcome.exitCode === undefined && /executable file not found|no such file or directory/i.test(text))
    return true;
  // Through a shell: `sh: tar: not found` (busybox) or `tar: command not found` (bash), exit 127.
  return outcome.exitCode === 127;
}
