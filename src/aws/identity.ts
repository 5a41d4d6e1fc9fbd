import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { fromEnv } from '@aws-sdk/credential-providers';

type Credentials = Awaited<ReturnType<ReturnType<typeof fromEnv>>>;

export type FailureClass =
  | 'no-credentials'
  | 'expired-token'
  | 'invalid-credentials'
  | 'clock-skew'
  | 'access-denied'
  | 'dns'
  | 'connection'
  | 'timeout'
  | 'tls'
  | 'service-error'
  | 'request-error';

export interface Classified {
  class: FailureClass;
  /** Client side: the request never got a service answer. Service side: AWS (or the endpoint) answered. */
  side: 'client' | 'service';
  code: string;
  message: string;
  fix: string;
  httpStatus?: number;
}

export interface IdentityReport {
  ok: boolean;
  account?: string;
  arn?: string;
  userId?: string;
  partition?: string;
  endpoint?: string;
  failure?: Classified;
  /** Seconds the endpoint's clock is ahead of ours (from its Date header), when it answered. */
  clockOffsetSeconds?: number;
}

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired']);
const INVALID = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'InvalidAccessKeyId',
  'AuthFailure',
  'InvalidToken',
]);
const SKEW = new Set(['RequestTimeTooSkewed', 'RequestExpired', 'RequestInTheFuture']);
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);
const DNS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL']);
const CONNECTION = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);
const TIMEOUT = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'TimeoutError', 'RequestTimeout']);

interface SdkError extends Error {
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string> };
  cause?: { code?: string; message?: string };
}

/**
 * Sorts an error the way the SDKs' retry and error layers do: an answer from the service carries
 * `$metadata.httpStatusCode` and an error code; a local failure carries a Node error code.
 */
export function classifyError(
  error: unknown,
  endpoint: string | undefined,
  clockOffsetSeconds?: number,
): Classified {
  const e = error as SdkError;
  const status = e.$metadata?.httpStatusCode;
  const code = e.name && e.name !== 'Error' ? e.name : (e.code ?? e.cause?.code ?? 'Error');
  const nodeCode = e.code ?? e.cause?.code ?? '';
  const message = e.message;
  const where = endpoint ? ` (${endpoint})` : '';
  const skewed = clockOffsetSeconds !== undefined && Math.abs(clockOffsetSeconds) > 300;
  const service = (cls: FailureClass, fix: string): Classified => ({
    class: cls,
    side: 'service',
    code,
    message,
    fix,
    httpStatus: status,
  });
  const client = (cls: FailureClass, fix: string): Classified => ({
    class: cls,
    side: 'client',
    code: nodeCode || code,
    message,
    fix,
  });

  if (e.name === 'CredentialsProviderError')
    return client(
      'no-credentials',
      'give the SDK credentials: environment keys, a profile, SSO login (aws sso login), or a role on the machine',
    );
  if (status === undefined) {
    if (DNS.has(nodeCode))
      return client(
        'dns',
        `the endpoint's name does not resolve${where}: check DNS, the region name, VPC endpoints or --endpoint-url`,
      );
    if (CONNECTION.has(nodeCode))
      return client(
        'connection',
        `nothing accepted the connection${where}: check proxies (HTTPS_PROXY), security groups and --endpoint-url`,
      );
    if (TIMEOUT.has(nodeCode) || TIMEOUT.has(e.name))
      return client('timeout', `no answer in time${where}: check network egress, proxies and VPC endpoints`);
    if (/CERT|SSL|TLS|self.signed/i.test(nodeCode + message))
      return client(
        'tls',
        'the TLS certificate was not accepted: set AWS_CA_BUNDLE or ca_bundle for a TLS-inspecting proxy',
      );
    return client('request-error', 'the request failed before the service answered');
  }
  if (SKEW.has(code) || /signature expired|time.*skew/i.test(message) || (skewed && INVALID.has(code)))
    return service(
      'clock-skew',
      `this machine's clock is off${clockOffsetSeconds !== undefined ? ` by ${Math.round(clockOffsetSeconds)} s` : ''}: sync it (chronyd/NTP); SigV4 allows 5 minutes`,
    );
  if (EXPIRED.has(code))
    return service(
      'expired-token',
      'the session token expired: refresh it (aws sso login, re-run the credential process, or assume the role again)',
    );
  if (INVALID.has(code))
    return service(
      'invalid-credentials',
      code === 'SignatureDoesNotMatch'
        ? 'the secret key does not match the access key: re-copy the secret, and check for stray whitespace'
        : 'the access key is unknown: it was deleted or deactivated, or a session key is used without its session token',
    );
  if (DENIED.has(code))
    return service(
      'access-denied',
      'the identity may not call this: check identity policies, SCPs, permission boundaries and VPC endpoint policies',
    );
  return service(
    'service-error',
    status >= 500
      ? 'the service failed: retry later; it is not a local problem'
      : 'the service rejected the request',
  );
}

export async function callerIdentity(options: {
  credentials: Credentials;
  region: string;
  endpoint?: string;
  timeoutMs: number;
}): Promise<IdentityReport> {
  const client = new STSClient({
    region: options.region,
    credentials: options.credentials,
    endpoint: options.endpoint,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: options.timeoutMs, requestTimeout: options.timeoutMs },
  });
  let dateHeader: string | undefined;
  let endpoint: string | undefined;
  client.middlewareStack.add(
    (next) => async (args) => {
      const req = args.request as { protocol?: string; hostname?: string; port?: number; path?: string };
      if (req?.hostname)
        endpoint = `${req.protocol}//${req.hostname}${req.port ? `:${req.port}` : ''}${req.path ?? '/'}`;
      const out = await next(args).catch((error: SdkError) => {
        dateHeader = error.$response?.headers?.date;
        throw error;
      });
      dateHeader = (out.response as { headers?: Record<string, string> }).headers?.date;
      return out;
    },
    { step: 'deserialize', name: 'rampartDateObserver', priority: 'low' },
  );
  const offset = () => {
    if (!dateHeader) return undefined;
    const t = Date.parse(dateHeader);
    return Number.isNaN(t) ? undefined : (t - Date.now()) / 1000;
  };
  // The SDK's own request timeout does not cover a server that accepts and never answers.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeoutMs);
  try {
    const r = await client.send(new GetCallerIdentityCommand({}), { abortSignal: abort.signal });
    return {
      ok: true,
      account: r.Account,
      arn: r.Arn,
      userId: r.UserId,
      partition: r.Arn?.split(':')[1],
      endpoint,
      clockOffsetSeconds: offset(),
    };
  } catch (error) {
    const clockOffsetSeconds = offset();
    const seen = abort.signal.aborted
      ? Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { name: 'TimeoutError' })
      : error;
    return {
      ok: false,
      endpoint,
      failure: classifyError(seen, endpoint, clockOffsetSeconds),
      clockOffsetSeconds,
    };
  } finally {
    clearTimeout(timer);
    client.destroy();
  }
}
