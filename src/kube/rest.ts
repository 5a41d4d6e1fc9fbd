import http from 'node:http';
import https from 'node:https';
import { createInterface } from 'node:readline';
import { type KubeConfigOptions, loadKubeConfig, type ResolvedKubeConfig } from './config.js';
import { KubeApiError, KubeConnectionError, statusMessage } from './errors.js';

export type Json = Record<string, unknown>;
export type Query = Record<string, string | number | boolean | undefined>;

export interface RestRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Query;
  body?: unknown;
  /** What the call does, in words (`list pods in all namespaces`): it leads every error message. */
  what: string;
}

/** One event of a watch stream, as the API server sends it (one JSON object per line). */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Json;
}

export interface WatchHandle {
  /** Resolves when the server ends the stream (timeout, restart); rejects on an HTTP error or a broken stream. */
  done: Promise<void>;
  abort(): void;
}

/**
 * Plain JSON REST calls to the API server with the kubeconfig's TLS and credentials (applied by
 * `@kubernetes/client-node`, so every auth method works). Objects stay the JSON the server sent: the
 * generated typed clients rewrite known kinds (dates become Date objects, unknown fields drop), which
 * the policy engine must not see.
 */
export class KubeRest {
  constructor(
    readonly config: ResolvedKubeConfig,
    private readonly timeoutMs = 60_000,
  ) {}

  static fromOptions(options: KubeConfigOptions = {}): KubeRest {
    return new KubeRest(loadKubeConfig(options));
  }

  get server(): string {
    return this.config.server;
  }

  /** Sends one request; a non-2xx answer rejects with KubeApiError naming `what`, the status and its reason. */
  async request<T = Json>(req: RestRequest): Promise<T> {
    const { status, body } = await this.send(req);
    if (status >= 200 && status < 300) return (body ? JSON.parse(body) : {}) as T;
    throw apiError(req.what, status, body);
  }

  /**
   * Opens a watch (`watch=true` is added). Each line becomes one event; the handle's `done` settles when
   * the stream ends. A non-200 answer rejects `done` with KubeApiError (410 Gone included).
   */
  async watch(
    path: string,
    query: Query,
    onEvent: (event: WatchEvent) => void,
    what: string,
  ): Promise<WatchHandle> {
    const controller = new AbortController();
    const request = await this.open(
      { method: 'GET', path, query: { ...query, watch: true }, what },
      controller,
    );
    const done = new Promise<void>((resolve, reject) => {
      request.on('error', (error) => reject(connectionError(error, this.server)));
      request.once('response', (res) => {
        if (res.statusCode !== 200) {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => reject(apiError(what, res.statusCode ?? 0, text)));
          res.on('error', () => reject(apiError(what, res.statusCode ?? 0, text)));
          return;
        }
        const lines = createInterface({ input: res, crlfDelay: Number.POSITIVE_INFINITY });
        // readline re-emits the input's errors; the response's own handler below settles `done`.
        lines.on('error', () => undefined);
        lines.on('line', (line) => {
          if (!line.trim()) return;
          let event: WatchEvent;
          try {
            event = JSON.parse(line) as WatchEvent;
          } catch {
            return; // a torn last line of a dropped stream; the reconnect re-reads from resourceVersion
          }
          onEvent(event);
        });
        res.on('error', (error) => reject(connectionError(error, this.server)));
        res.once('close', () => (res.complete ? resolve() : reject(new Error('watch stream broken'))));
      });
      request.end();
    });
    done.catch(() => undefined);
    return { done, abort: () => controller.abort() };
  }

  private async send(req: RestRequest): Promise<{ status: number; body: string }> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const request = await this.open(req, controller);
      return await new Promise((resolve, reject) => {
        request.on('error', (error) => reject(connectionError(error, this.server)));
        request.once('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.once('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          res.on('error', (error) => reject(connectionError(error, this.server)));
        });
        request.end(req.body === undefined ? undefined : JSON.stringify(req.body));
      });
    } finally {
      clearTimeout(timer);
    }
  }

  private async open(req: RestRequest, controller: AbortController): Promise<http.ClientRequest> {
    const url = new URL(this.server + req.path);
    for (const [k, v] of Object.entries(req.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const options: https.RequestOptions = {};
    await this.config.kc.applyToHTTPSOptions(options);
    const plain = url.protocol === 'http:';
    // The library builds an https agent for every cluster; plain-HTTP servers (kubectl proxy) need none.
    if (plain) delete options.agent;
    const headers: http.OutgoingHttpHeaders = {
      ...(options.headers as http.OutgoingHttpHeaders | undefined),
      Accept: 'application/json',
    };
    if (req.body !== undefined) headers['Content-Type'] = 'application/json';
    return (plain ? http : https).request(url, {
      ...options,
      method: req.method,
      headers,
      signal: controller.signal,
    });
  }
}

function apiError(what: string, status: number, body: string): KubeApiError {
  const { message, reason } = statusMessage(status, body);
  const hint =
    status === 401
      ? ' (the credentials in the kubeconfig were rejected)'
      : status === 403
        ? ' (the user or service account lacks RBAC permission for this)'
        : '';
  return new KubeApiError(status, `${what}: ${message}${hint}`, { reason });
}

function connectionError(error: unknown, server: string): Error {
  if ((error as Error)?.name === 'AbortError')
    return new KubeConnectionError(server, new Error('request timed out'));
  return new KubeConnectionError(server, error);
}
