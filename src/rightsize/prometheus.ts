import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { UserError } from '../core/errors.js';

export interface PrometheusOptions {
  url: string;
  bearerToken?: string;
  basicAuth?: { username: string; password: string };
  headers?: Record<string, string>;
  /** PEM text of the CA bundle to trust instead of the system roots. */
  ca?: string;
  insecureSkipTlsVerify?: boolean;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Attempts after the first one for 5xx answers, timeouts and dropped connections. */
  retries?: number;
  retryBaseMs?: number;
  /** Queries in flight at once. */
  concurrency?: number;
}

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

export interface RangeSeries {
  metric: Record<string, string>;
  values: Array<[number, number]>;
}

/** A query Prometheus refused because of its own size limits; the caller can split it and retry. */
export class QueryTooLargeError extends Error {
  override name = 'QueryTooLargeError';
}

/** Parses Prometheus's sample strings, which include "NaN", "+Inf" and "-Inf". */
export function parseSampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly max: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

interface RawResponse {
  status: number;
  body: string;
}

class RetryableError extends Error {}

/**
 * A small client for the Prometheus HTTP API. Every failure becomes a UserError naming the server and
 * the cause, so a bad URL or credential never surfaces as a stack trace.
 */
export class PrometheusClient {
  readonly base: URL;
  private readonly limiter: Limiter;
  /** Milliseconds spent waiting for Prometheus, summed over requests (can exceed wall time when concurrent). */
  queryTimeMs = 0;
  /** Wall-clock milliseconds with at least one request in flight: the time spent waiting on Prometheus. */
  busyMs = 0;
  queries = 0;
  private inFlight = 0;
  private busySince = 0;

  constructor(private readonly options: PrometheusOptions) {
    let base: URL;
    try {
      base = new URL(options.url);
    } catch {
      throw new UserError(`--prometheus must be an http(s) URL, got "${options.url}"`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new UserError(`--prometheus must be an http(s) URL, got "${options.url}"`);
    }
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.base = base;
    this.limiter = new Limiter(Math.max(1, options.concurrency ?? 4));
  }

  async instant(query: string, time: number): Promise<Sample[]> {
    const data = await this.api('api/v1/query', { query, time: String(time) });
    if (data.resultType !== 'vector') {
      throw new UserError(`Prometheus answered a "${data.resultType}" to an instant query: ${query}`);
    }
    return (data.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((r) => ({
      metric: r.metric,
      value: parseSampleValue(r.value[1]),
    }));
  }

  async range(query: string, start: number, end: number, step: number): Promise<RangeSeries[]> {
    const data = await this.api('api/v1/query_range', {
      query,
      start: String(start),
      end: String(end),
      step: String(step),
    });
    return (data.result as Array<{ metric: Record<string, string>; values: Array<[number, string]> }>).map(
      (r) => ({ metric: r.metric, values: r.values.map(([t, v]) => [t, parseSampleValue(v)]) }),
    );
  }

  /** Label sets of the series matching a selector with samples in [start, end] (reads only the index). */
  async series(match: string, start: number, end: number): Promise<Array<Record<string, string>>> {
    const data = await this.api('api/v1/series', {
      'match[]': match,
      start: String(start),
      end: String(end),
    });
    return data as unknown as Array<Record<string, string>>;
  }

  private async api(
    path: string,
    params: Record<string, string>,
  ): Promise<{ resultType: string; result: unknown }> {
    const body = new URLSearchParams(params).toString();
    const url = new URL(path, this.base);
    const retries = this.options.retries ?? 3;
    const baseDelay = this.options.retryBaseMs ?? 250;
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await this.limiter.run(() => this.post(url, body));
        return this.decode(res, url, params.query ?? params['match[]'] ?? '');
      } catch (error) {
        if (!(error instanceof RetryableError) || attempt >= retries) {
          if (error instanceof RetryableError) {
            throw new UserError(
              `Prometheus at ${this.display()}: ${error.message} (after ${attempt + 1} attempts)`,
            );
          }
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, baseDelay * 2 ** attempt));
      }
    }
  }

  private display(): string {
    const u = new URL(this.base.href);
    u.username = '';
    u.password = '';
    return u.href.replace(/\/$/, '');
  }

  private decode(res: RawResponse, url: URL, query: string): { resultType: string; result: unknown } {
    const where = this.display();
    if (res.status === 401 || res.status === 403) {
      throw new UserError(
        `Prometheus at ${where} refused the request (HTTP ${res.status}); check --bearer-token, --basic-auth or --header`,
      );
    }
    let parsed: {
      status?: string;
      data?: { resultType: string; result: unknown };
      error?: string;
      errorType?: string;
    };
    try {
      parsed = JSON.parse(res.body);
    } catch {
      if (res.status === 404) {
        throw new UserError(
          `${where} has no Prometheus API at ${url.pathname} (HTTP 404); check --prometheus, including any path prefix`,
        );
      }
      throw new UserError(
        `${where} did not answer with Prometheus JSON (HTTP ${res.status}) at ${url.pathname}; is --prometheus a Prometheus server?`,
      );
    }
    if (parsed.status === 'success' && parsed.data) {
      if (Array.isArray(parsed.data) || Array.isArray(parsed.data.result)) return parsed.data;
    }
    const message = parsed.error ?? `HTTP ${res.status}`;
    if (/too many samples|maximum resolution|exceeded.*limit|too many.*series/i.test(message)) {
      throw new QueryTooLargeError(message);
    }
    if (parsed.errorType === 'timeout') throw new QueryTooLargeError(message);
    if (parsed.status === undefined) {
      throw new UserError(
        `${where} did not answer with Prometheus JSON (HTTP ${res.status}) at ${url.pathname}`,
      );
    }
    throw new UserError(
      `Prometheus at ${where} rejected a query (${parsed.errorType ?? res.status}: ${message}): ${query}`,
    );
  }

  private post(url: URL, body: string): Promise<RawResponse> {
    const o = this.options;
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(body)),
      accept: 'application/json',
      ...o.headers,
    };
    if (o.bearerToken) headers.authorization = `Bearer ${o.bearerToken}`;
    else if (o.basicAuth) {
      headers.authorization = `Basic ${Buffer.from(`${o.basicAuth.username}:${o.basicAuth.password}`).toString('base64')}`;
    } else if (url.username) {
      headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    }
    const target = new URL(url.href);
    target.username = '';
    target.password = '';
    const started = performance.now();
    this.queries++;
    if (this.inFlight++ === 0) this.busySince = started;
    const done = () => {
      if (--this.inFlight === 0) this.busyMs += performance.now() - this.busySince;
    };
    return new Promise<RawResponse>((resolve, reject) => {
      // A request can fail after its answer was handled; count it out of flight only once.
      let settled = false;
      const settle =
        <T>(fn: (v: T) => void) =>
        (v: T) => {
          if (!settled) {
            settled = true;
            done();
          }
          fn(v);
        };
      resolve = settle(resolve);
      reject = settle(reject);
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        target,
        {
          method: 'POST',
          headers,
          timeout: o.timeoutMs ?? 120_000,
          ...(target.protocol === 'https:' ? { ca: o.ca, rejectUnauthorized: !o.insecureSkipTlsVerify } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => reject(new RetryableError(e.message)));
          res.on('end', () => {
            this.queryTimeMs += performance.now() - started;
            const status = res.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString('utf8');
            // A 5xx in front of Prometheus is usually transient (restart, proxy, overload); a query
            // timeout is not, and is better answered by splitting the query.
            if (status >= 500 && !/"errorType":"timeout"/.test(text)) {
              reject(new RetryableError(`HTTP ${status}`));
            } else resolve({ status, body: text });
          });
        },
      );
      req.on('timeout', () =>
        req.destroy(new RetryableError(`no answer within ${o.timeoutMs ?? 120_000} ms`)),
      );
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e instanceof RetryableError) return reject(e);
        if (
          e.code === 'ECONNREFUSED' ||
          e.code === 'ENOTFOUND' ||
          e.code === 'EAI_AGAIN' ||
          e.code === 'EHOSTUNREACH'
        ) {
          reject(new UserError(`cannot reach Prometheus at ${this.display()}: ${e.message}`));
        } else if (/certificate|self.signed|CERT_|SSL|TLS/i.test(`${e.code} ${e.message}`)) {
          reject(
            new UserError(
              `TLS with Prometheus at ${this.display()} failed: ${e.message}; pass --ca-file or --insecure-skip-tls-verify`,
            ),
          );
        } else reject(new RetryableError(e.message));
      });
      req.end(body);
    });
  }
}
