import type { IncomingMessage } from 'node:http';
import { Readable, Writable } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import WebSocket from 'ws';
import {
  CLOSE,
  closeFrame,
  ERROR,
  EXEC_PROTOCOLS,
  type ExecOutcome,
  frame,
  isCommandNotFound,
  PROTOCOL_V5,
  parseExecStatus,
  parseFrame,
  RESIZE,
  STDERR,
  STDIN,
  STDOUT,
} from './channel.js';
import { ExecStreamError, KubeApiError, KubeConnectionError, statusMessage } from './errors.js';

/** What an exec needs from the client configuration: credentials and the server URL. */
export interface KubeTarget {
  kc: KubeConfig;
  server: string;
}

export interface ExecRequest {
  namespace: string;
  pod: string;
  /** Container name; the server picks the only (or default) container when omitted. */
  container?: string;
  /** The argv to run (no shell unless you ask for one, e.g. `['sh', '-c', script, 'sh', ...args]`). */
  command: string[];
  /** Open the stdin channel (default false). */
  stdin?: boolean;
  tty?: boolean;
  /** `exec` runs a new process; `attach` connects to the container's main process (command is ignored). */
  kind?: 'exec' | 'attach';
  /** Subprotocols to offer, most preferred first (default v5 then v4). */
  protocols?: readonly string[];
}

export interface ExecSession {
  /** The subprotocol the server chose. */
  protocol: string;
  /** True on v5: ending `stdin` sends the close frame so the remote process sees end of input. */
  canCloseStdin: boolean;
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  /** Settles when the server closes the stream: the exit code from the status channel, or ExecStreamError. */
  done: Promise<ExecOutcome>;
  /** Sends a terminal size (tty sessions). */
  resize(width: number, height: number): void;
  /** Drops the connection at once (the remote process gets SIGHUP or a closed stdin, as the runtime does). */
  abort(reason?: Error): void;
}

/** Frames larger than this are split: kubectl and the kubelet use 32 KiB buffers. */
const MAX_FRAME = 32 * 1024;
/** Above this many bytes queued on the socket, stdin writes wait for the socket to drain. */
const SEND_HIGH_WATER = 1024 * 1024;
const RECEIVE_HIGH_WATER = 1024 * 1024;

export function execUrl(server: string, request: ExecRequest): string {
  const kind = request.kind ?? 'exec';
  const base = server.replace(/\/+$/, '').replace(/^http/, 'ws');
  const path = `/api/v1/namespaces/${encodeURIComponent(request.namespace)}/pods/${encodeURIComponent(request.pod)}/${kind}`;
  const query = new URLSearchParams();
  if (kind === 'exec') for (const arg of request.command) query.append('command', arg);
  if (request.container) query.set('container', request.container);
  query.set('stdin', String(Boolean(request.stdin)));
  query.set('stdout', 'true');
  query.set('stderr', String(!request.tty));
  query.set('tty', String(Boolean(request.tty)));
  return `${base}${path}?${query.toString()}`;
}

/**
 * Opens an exec (or attach) stream over WebSocket. Resolves once the server accepted the upgrade;
 * HTTP errors (404 pod, 403, 400 container not running) reject as KubeApiError.
 */
export async function openExec(target: KubeTarget, request: ExecRequest): Promise<ExecSession> {
  const options: WebSocket.ClientOptions = {};
  await target.kc.applyToHTTPSOptions(options);
  const url = execUrl(target.server, request);
  const ws = new WebSocket(url, [...(request.protocols ?? EXEC_PROTOCOLS)], {
    ...options,
    perMessageDeflate: false,
    maxPayload: 64 * 1024 * 1024,
  });
  return new Promise<ExecSession>((resolve, reject) => {
    const fail = (error: Error) => {
      ws.removeAllListeners('open');
      reject(error);
    };
    ws.once('open', () => {
      ws.removeAllListeners('unexpected-response');
      // Wrap synchronously: frames that came with the upgrade response are emitted right after 'open'.
      resolve(wrapSocket(ws));
    });
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      readBody(res).then((body) => {
        const { message, reason } = statusMessage(res.statusCode ?? 0, body);
        fail(new KubeApiError(res.statusCode ?? 0, message, { reason }));
        ws.terminate();
      }, fail);
    });
    ws.once('error', (error) => fail(new KubeConnectionError(target.server, error)));
  });
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function wrapSocket(ws: WebSocket): ExecSession {
  const protocol = ws.protocol;
  const canCloseStdin = protocol === PROTOCOL_V5;
  const statusChunks: Buffer[] = [];
  let socketPaused = false;
  let finished = false;
  let abortReason: Error | undefined;

  // Output: both streams share one socket, so the socket pauses when either consumer falls behind and
  // resumes when both have room again; TCP then pushes back on the server.
  let recheck: NodeJS.Timeout | undefined;
  const resumeIfDrained = () => {
    if (!socketPaused || finished) return;
    if (stdout.readableLength < RECEIVE_HIGH_WATER && stderr.readableLength < RECEIVE_HIGH_WATER) {
      socketPaused = false;
      ws.resume();
    } else if (!recheck) {
      // A reader took only part of a full buffer: _read will not be called again until we push, so look again.
      recheck = setTimeout(() => {
        recheck = undefined;
        resumeIfDrained();
      }, 5);
    }
  };
  // Readable calls _read before it removes the chunk being consumed, so check the levels a tick later.
  const onRead = () => process.nextTick(resumeIfDrained);
  const stdout = new Readable({ highWaterMark: RECEIVE_HIGH_WATER, read: onRead });
  const stderr = new Readable({ highWaterMark: RECEIVE_HIGH_WATER, read: onRead });
  // Consumers learn of a broken stream through `done` or their pipeline; an unobserved error event must not crash.
  stdout.on('error', () => undefined);
  const deliver = (stream: Readable, data: Buffer) => {
    if (data.length === 0 || stream.destroyed) return;
    // ws reuses no buffers, but the frame is a view into the message: keep it as is.
    if (!stream.push(data) && !socketPaused) {
      socketPaused = true;
      ws.pause();
    }
  };

  // Input: chunked into frames; a write completes at once while the socket's backlog is small and
  // otherwise when the frame reached the socket, so a fast producer waits for a slow network.
  const sendOnce = (data: Buffer, callback: (error?: Error | null) => void) => {
    if (ws.readyState !== WebSocket.OPEN) {
      callback(abortReason ?? new ExecStreamError('exec stream closed while writing stdin'));
      return;
    }
    let called = false;
    const once = (error?: Error | null) => {
      if (called) return;
      called = true;
      callback(error ?? null);
    };
    // A late error after an early callback still surfaces: the socket closes and `done` rejects.
    ws.send(data, { binary: true }, (error) => once(error));
    if (ws.bufferedAmount < SEND_HIGH_WATER) once();
  };
  const stdin = new Writable({
    highWaterMark: SEND_HIGH_WATER,
    write(chunk: Buffer, _encoding, callback) {
      let offset = 0;
      const next = (error?: Error | null) => {
        if (error) return callback(error);
        if (offset >= chunk.length) return callback();
        const piece = chunk.subarray(offset, offset + MAX_FRAME);
        offset += piece.length;
        sendOnce(frame(STDIN, piece), next);
      };
      next();
    },
    final(callback) {
      // v4 has no way to half-close: the remote sees end of input only when the connection ends.
      if (!canCloseStdin || ws.readyState !== WebSocket.OPEN) return callback();
      ws.send(closeFrame(STDIN), { binary: true }, (error) => callback(error ?? null));
    },
  });
  const done = new Promise<ExecOutcome>((resolve, reject) => {
    ws.on('message', (message: Buffer, isBinary: boolean) => {
      const buffer = isBinary ? message : Buffer.from(message);
      const parsed = parseFrame(buffer);
      if (!parsed) return;
      switch (parsed.channel) {
        case STDOUT:
          deliver(stdout, parsed.data);
          break;
        case STDERR:
          deliver(stderr, parsed.data);
          break;
        case ERROR:
          statusChunks.push(parsed.data);
          break;
        case CLOSE:
          // The server closed one of its output channels (v5): end that stream early.
          if (parsed.data[0] === STDOUT) stdout.push(null);
          if (parsed.data[0] === STDERR) stderr.push(null);
          break;
        default:
          // stdin echo or resize: nothing for a client to do.
          break;
      }
    });
    ws.on('close', (code, reason) => {
      finished = true;
      stdin.destroy();
      if (statusChunks.length > 0) {
        if (!stdout.readableEnded) stdout.push(null);
        if (!stderr.readableEnded) stderr.push(null);
        resolve(parseExecStatus(Buffer.concat(statusChunks).toString('utf8')));
        return;
      }
      const error =
        abortReason ??
        new ExecStreamError(
          `exec stream closed before the command finished (WebSocket close ${code}${reason.length ? `: ${reason.toString()}` : ''})`,
        );
      // stdout fails so a pipeline reading it never mistakes a truncated stream for a complete one; stderr
      // only ends (diagnostics are best effort, and an unhandled stream error would crash the process).
      stdout.destroy(error);
      if (!stderr.readableEnded) stderr.push(null);
      reject(error);
    });
    ws.on('error', (error) => {
      // 'close' always follows and settles the promise; keep the cause for its message.
      if (!finished)
        abortReason ??= new ExecStreamError(`exec stream failed: ${error.message}`, { cause: error });
    });
  });
  // Callers that only read the streams must not crash the process with an unhandled rejection.
  done.catch(() => undefined);

  return {
    protocol,
    canCloseStdin,
    stdin,
    stdout,
    stderr,
    done,
    resize(width: number, height: number) {
      if (ws.readyState === WebSocket.OPEN)
        ws.send(frame(RESIZE, Buffer.from(JSON.stringify({ Width: width, Height: height }))));
    },
    abort(reason?: Error) {
      abortReason ??= reason ?? new ExecStreamError('exec aborted');
      ws.terminate();
    },
  };
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** The exit code; undefined when the command never ran (see `commandNotFound` and `message`). */
  exitCode: number | undefined;
  /** The binary is missing in the container (runtime "executable file not found", or a shell's 127). */
  commandNotFound: boolean;
  reason?: string;
  message?: string;
}

export interface ExecOptions extends Omit<ExecRequest, 'stdin' | 'command'> {
  /** Bytes to write to the command's stdin, which is then closed (v5) — the command must not need EOF on v4. */
  input?: string | Buffer;
  /** Abort and reject with ExecStreamError after this long (default: no limit). */
  timeoutMs?: number;
}

/** Runs a command to completion and collects its output as text. */
export async function exec(target: KubeTarget, command: string[], options: ExecOptions): Promise<ExecResult> {
  const bytes = await execBytes(target, command, options);
  return { ...bytes, stdout: bytes.stdout.toString('utf8'), stderr: bytes.stderr.toString('utf8') };
}

/** Runs a command to completion and collects its output as bytes. */
export async function execBytes(
  target: KubeTarget,
  command: string[],
  options: ExecOptions,
): Promise<Omit<ExecResult, 'stdout' | 'stderr'> & { stdout: Buffer; stderr: Buffer }> {
  const session = await openExec(target, { ...options, command, stdin: options.input !== undefined });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  session.stdout.on('data', (c: Buffer) => out.push(c));
  session.stderr.on('data', (c: Buffer) => err.push(c));
  session.stdout.on('error', () => undefined);
  session.stderr.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  if (options.timeoutMs !== undefined) {
    timer = setTimeout(
      () => session.abort(new ExecStreamError(`exec timed out after ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
  }
  try {
    if (options.input !== undefined) {
      session.stdin.on('error', () => undefined);
      session.stdin.end(options.input);
    }
    const outcome = await session.done;
    const stderr = Buffer.concat(err);
    return {
      stdout: Buffer.concat(out),
      stderr,
      exitCode: outcome.exitCode,
      commandNotFound: isCommandNotFound(outcome, stderr.toString('utf8')),
      reason: outcome.reason,
      message: outcome.message,
    };
  } finally {
    if (timer) clearTimeout(timer);
  }
}
