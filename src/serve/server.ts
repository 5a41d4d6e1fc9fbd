import { unwatchFile, watchFile } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { UserError } from '../core/errors.js';
import { readTlsFiles, type TlsFiles } from '../net/server.js';
import { decide, type Endpoint, type FailurePolicy } from './decide.js';
import type { ServeMetrics } from './metrics.js';
import type { NamespaceLabels } from './namespace-labels.js';
import type { PolicyStore } from './policy-set.js';
import { parseReview, ReviewError, responseReview } from './review.js';

/**
 * The admission webhook's HTTPS server: `/validate` and `/mutate` take AdmissionReviews, `/healthz`,
 * `/readyz` and `/metrics` serve probes and Prometheus. Bad input is a 4xx (or a closed connection for a
 * client too slow to send its request), never an exception; certificates reload in place.
 */

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface WebhookOptions {
  store: PolicyStore;
  metrics: ServeMetrics;
  namespaceLabels: NamespaceLabels;
  /** False while namespace labels are not in place yet (a Namespace informer before its first list). */
  namespaceLabelsReady?: () => boolean;
  tls: TlsFiles;
  failurePolicy?: FailurePolicy;
  /** A structured log line (denials, warnings, reloads, errors). */
  log?: (entry: Record<string, unknown>) => void;
  /** Slow-client limits, milliseconds. */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  maxConnections?: number;
  /** A TLS handshake not finished in this time is dropped (idle sockets that never speak). */
  handshakeTimeoutMs?: number;
  /** How often certificate files are checked for rotation. */
  certPollMs?: number;
}

export interface Webhook {
  server: Server;
  url: string;
  /** Ready: policies, certificates and namespace labels loaded, not shutting down. */
  ready(): boolean;
  /** Re-reads the certificate and key now (also done automatically when the files change). */
  reloadCertificates(): boolean;
  /** Stops accepting, lets in-flight reviews finish (up to graceMs), then closes every connection. */
  shutdown(graceMs?: number): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sendError(res: ServerResponse, status: number, message: string): void {
  send(res, status, JSON.stringify({ error: message }));
}

/** Reads the body up to the limit: a larger body is a 413 and the connection is closed. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new ReviewError(`body larger than ${limit} bytes`, 413));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new ReviewError(`body larger than ${limit} bytes`, 413));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startWebhook(
  options: WebhookOptions,
  listen: { host: string; port: number },
): Promise<Webhook> {
  const { store, metrics } = options;
  const log = options.log ?? (() => {});
  const failurePolicy = options.failurePolicy ?? 'Fail';
  let certificatesLoaded = false;
  let stopping = false;
  let inFlight = 0;

  async function review(endpoint: Endpoint, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return sendError(res, 405, 'admission reviews are POSTed');
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      metrics.badRequests.inc({ code: '415' });
      req.resume();
      return sendError(res, 415, 'content type must be application/json');
    }
    const set = store.current;
    if (!set) return sendError(res, 503, 'policies are not loaded yet');
    const started = performance.now();
    let body: unknown;
    try {
      const raw = await readBody(req, MAX_BODY_BYTES);
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (error) {
        throw new ReviewError(`malformed JSON: ${(error as Error).message}`);
      }
      const { apiVersion, request } = parseReview(body);
      const scope = metrics.scope(request);
      const evaluated = decide(set, request, endpoint, {
        namespaceLabels: options.namespaceLabels,
        failurePolicy,
        observe: (policy, responses, seconds) => {
          scope.policyDuration(policy, seconds);
          for (const r of responses) scope.result(policy, r);
        },
      });
      const { decision } = evaluated;
      const seconds = (performance.now() - started) / 1000;
      scope.admission(decision.allowed, seconds);
      if (!decision.allowed || decision.warnings.length)
        log({
          level: decision.allowed ? 'warn' : 'info',
          msg: decision.allowed ? 'admission warned' : 'admission denied',
          endpoint,
          uid: request.uid,
          operation: request.operation,
          kind: request.kind.kind,
          namespace: request.namespace ?? '',
          name: request.name ?? '',
          user: request.userInfo.username ?? '',
          dryRun: request.dryRun,
          allowed: decision.allowed,
          ...(decision.allowed ? {} : { message: decision.message }),
          warnings: decision.warnings,
          durationMs: Math.round(seconds * 1e6) / 1e3,
        });
      send(res, 200, JSON.stringify(responseReview(apiVersion, request.uid, decision)));
    } catch (error) {
      if (!(error instanceof ReviewError)) throw error;
      metrics.badRequests.inc({ code: String(error.status) });
      if (error.status === 413) res.setHeader('connection', 'close');
      sendError(res, error.status, error.message);
      if (error.status === 413) req.destroy();
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    switch (path) {
      case '/validate':
        return review('validate', req, res);
      case '/mutate':
        return review('mutate', req, res);
      case '/healthz':
        return send(res, 200, 'ok\n', 'text/plain');
      case '/readyz':
        return ready() ? send(res, 200, 'ok\n', 'text/plain') : send(res, 503, 'not ready\n', 'text/plain');
      case '/metrics':
        return send(res, 200, await metrics.registry.metrics(), metrics.registry.contentType);
      default:
        req.resume();
        return sendError(res, 404, `no such endpoint ${path}`);
    }
  }

  function ready(): boolean {
    return (
      !stopping &&
      certificatesLoaded &&
      store.current !== undefined &&
      (options.namespaceLabelsReady?.() ?? true)
    );
  }

  const server = createHttpsServer(
    {
      ...readTlsFiles(options.tls),
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 65_000,
      handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
      maxHeaderSize: 16 * 1024,
      // Node checks header/request timeouts on this interval (30 s by default): check often enough to honour them.
      connectionsCheckingInterval: Math.min(1000, Math.max(50, (options.headersTimeoutMs ?? 10_000) / 4)),
    },
    (req, res) => {
      inFlight++;
      // Draining: the answer closes the connection, so the client reconnects to a pod that stays.
      if (stopping) res.shouldKeepAlive = false;
      res.on('close', () => inFlight--);
      handle(req, res).catch((error: Error) => {
        log({ level: 'error', msg: 'request failed', error: error.message });
        sendError(res, 500, 'internal error');
      });
    },
  );
  server.maxConnections = options.maxConnections ?? 20_000;
  // A TLS handshake that fails or never completes (handshakeTimeout) is dropped.
  server.on('tlsClientError', (_error, socket) => socket.destroy());
  // Every TCP connection, so shutdown can end the ones http does not track (still in their handshake).
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // Node times out headers only once a request's first byte arrives: a connection that finishes its
  // handshake and then says nothing would be held forever. It gets twice the header timeout for its first
  // request: a client that started one is answered 408 by node first.
  const waitingForFirstRequest = new WeakMap<Socket, NodeJS.Timeout>();
  const firstRequestMs = 2 * (options.headersTimeoutMs ?? 10_000);
  server.on('secureConnection', (socket: Socket) => {
    const timer = setTimeout(() => socket.destroy(), firstRequestMs);
    timer.unref();
    waitingForFirstRequest.set(socket, timer);
    socket.once('close', () => clearTimeout(timer));
  });
  server.on('request', (req: IncomingMessage) => {
    const timer = waitingForFirstRequest.get(req.socket);
    if (timer) {
      clearTimeout(timer);
      waitingForFirstRequest.delete(req.socket);
    }
  });
  // Malformed requests and clients too slow with their headers or body: answer if possible, then close.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    if (socket.writable)
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\n\r\n`, () => socket.destroy());
    else socket.destroy();
  });
  certificatesLoaded = true;

  function reloadCertificates(): boolean {
    try {
      server.setSecureContext(readTlsFiles(options.tls));
      certificatesLoaded = true;
      log({ level: 'info', msg: 'certificates reloaded', cert: options.tls.cert });
      return true;
    } catch (error) {
      // Half-written files during a rotation: keep the old context, the next change retries.
      log({ level: 'error', msg: 'certificate reload failed', error: (error as Error).message });
      return false;
    }
  }
  const poll = options.certPollMs ?? 2_000;
  const onCertChange = () => reloadCertificates();
  // watchFile polls stat by path, so it follows the symlink swaps Kubernetes secret volumes make.
  watchFile(options.tls.cert, { interval: poll }, onCertChange);
  watchFile(options.tls.key, { interval: poll }, onCertChange);

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: Error) =>
      reject(new UserError(`cannot listen on ${listen.host}:${listen.port}: ${error.message}`)),
    );
    // A deep accept queue: a burst of connections (every API server replica reconnecting) is not dropped.
    server.listen({ port: listen.port, host: listen.host, backlog: 4096 }, () => resolve());
  });
  const address = server.address() as AddressInfo;

  async function shutdown(graceMs = 10_000): Promise<void> {
    stopping = true;
    unwatchFile(options.tls.cert, onCertChange);
    unwatchFile(options.tls.key, onCertChange);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const deadline = Date.now() + graceMs;
    while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    server.closeAllConnections();
    for (const socket of sockets) socket.destroy();
    await closed;
  }

  return {
    server,
    url: `https://${address.address}:${address.port}`,
    ready,
    reloadCertificates,
    shutdown,
  };
}
