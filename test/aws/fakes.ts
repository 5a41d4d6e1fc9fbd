import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Protocol-level fakes of AWS endpoints, bound to 127.0.0.1: no AWS is reachable from the tests. */
export interface FakeServer {
  url: string;
  requests: { method: string; path: string; headers: IncomingMessage['headers']; body: string }[];
  close(): Promise<void>;
}

async function serve(
  handler: (req: IncomingMessage, body: string, res: ServerResponse) => void | Promise<void>,
): Promise<FakeServer & { server: Server }> {
  const requests: FakeServer['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      Promise.resolve(handler(req, body, res)).catch((error: Error) => {
        res.writeHead(500).end(error.message);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface StsIdentity {
  secret: string;
  arn: string;
  account: string;
  userId: string;
  sessionToken?: string;
  /** Session credentials the fake treats as expired (ExpiredToken). */
  expired?: boolean;
}

export interface FakeStsOptions {
  identities: Record<string, StsIdentity>;
  /** Added to the fake's clock: a server an hour ahead sees our signatures as expired. */
  clockOffsetMs?: number;
  /** Forces an answer: e.g. an access-denied or a 500 for every call. */
  force?: { status: number; code: string; message: string };
  /** Never answers (for client timeouts). */
  hang?: boolean;
}

const stsXml = (action: string, inner: string) =>
  `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><${action}Result>${inner}</${action}Result><ResponseMetadata><RequestId>fake-request</RequestId></ResponseMetadata></${action}Response>`;

function stsError(res: ServerResponse, status: number, code: string, message: string, date?: Date): void {
  res
    .writeHead(status, { 'Content-Type': 'text/xml', ...(date ? { Date: date.toUTCString() } : {}) })
    .end(
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fake-request</RequestId></ErrorResponse>`,
    );
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s).digest();

/**
 * Checks a SigV4 Authorization header as AWS does (canonical request, string to sign, derived
 * key), so a wrong secret gives SignatureDoesNotMatch and not a pass.
 */
export function verifySigV4(
  req: { method: string; path: string; headers: IncomingMessage['headers'] },
  body: string,
  secret: string,
): boolean {
  const auth = String(req.headers.authorization ?? '');
  const m =
    /Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)/.exec(
      auth,
    );
  if (!m) return false;
  const [, , day, region, service, signedHeaders, signature] = m;
  const [path, query = ''] = req.path.split('?');
  const canonicalQuery = query
    .split('&')
    .filter(Boolean)
    .map((p) => p.split('='))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v = '']) => `${k}=${v}`)
    .join('&');
  const headers = signedHeaders
    .split(';')
    .map(
      (h) =>
        `${h}:${String(req.headers[h] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const payloadHash = String(req.headers['x-amz-content-sha256'] ?? sha256(body));
  const canonical = [req.method, path, canonicalQuery, headers, signedHeaders, payloadHash].join('\n');
  const amzDate = String(req.headers['x-amz-date']);
  const toSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    `${day}/${region}/${service}/aws4_request`,
    sha256(canonical),
  ].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
  return hmac(key, toSign).toString('hex') === signature;
}

function parseAmzDate(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : Number.NaN;
}

/** STS over its query protocol: GetCallerIdentity, AssumeRole, AssumeRoleWithWebIdentity. */
export async function startFakeSts(options: FakeStsOptions): Promise<FakeServer> {
  let issued = 0;
  const issue = (arn: string, account: string): { key: string; xml: string } => {
    issued++;
    const key = `ASIAFAKE${String(issued).padStart(12, '0')}`;
    const secret = `fake-session-secret-${issued}-0123456789`;
    const token = `fake-session-token-${issued}`;
    options.identities[key] = { secret, arn, account, userId: `AROAFAKE:${issued}`, sessionToken: token };
    const expiration = new Date(Date.now() + 3600_000).toISOString();
    return {
      key,
      xml: `<Credentials><AccessKeyId>${key}</AccessKeyId><SecretAccessKey>${secret}</SecretAccessKey><SessionToken>${token}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><Arn>${arn}</Arn><AssumedRoleId>AROAFAKE:${issued}</AssumedRoleId></AssumedRoleUser>`,
    };
  };
  return serve((req, body, res) => {
    if (options.hang) return;
    const params = new URLSearchParams(body);
    const action = params.get('Action') ?? '';
    const now = new Date(Date.now() + (options.clockOffsetMs ?? 0));
    if (action === 'AssumeRoleWithWebIdentity') {
      // Unsigned: the web identity token is the proof.
      const roleArn = params.get('RoleArn') ?? '';
      const token = params.get('WebIdentityToken') ?? '';
      if (!token.startsWith('eyJ'))
        return stsError(res, 400, 'InvalidIdentityToken', "Couldn't parse the token");
      const account = roleArn.split(':')[4];
      const session = params.get('RoleSessionName') ?? 'session';
      const r = issue(`arn:aws:sts::${account}:assumed-role/${roleArn.split('/').pop()}/${session}`, account);
      res
        .writeHead(200, { 'Content-Type': 'text/xml' })
        .end(
          stsXml(
            action,
            `${r.xml}<SubjectFromWebIdentityToken>system:serviceaccount:default:app</SubjectFromWebIdentityToken>`,
          ),
        );
      return;
    }
    const keyId = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
    if (!keyId)
      return stsError(res, 400, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
    const signed = parseAmzDate(String(req.headers['x-amz-date']));
    if (Math.abs(now.getTime() - signed) > 15 * 60_000) {
      return stsError(
        res,
        403,
        'SignatureDoesNotMatch',
        `Signature expired: ${req.headers['x-amz-date']} is now earlier than the allowed window`,
        now,
      );
    }
    const identity = options.identities[keyId];
    if (!identity)
      return stsError(
        res,
        403,
        'InvalidClientTokenId',
        'The security token included in the request is invalid.',
        now,
      );
    if (identity.sessionToken && req.headers['x-amz-security-token'] !== identity.sessionToken)
      return stsError(
        res,
        403,
        'InvalidClientTokenId',
        'The security token included in the request is invalid.',
        now,
      );
    if (
      !verifySigV4(
        { method: req.method ?? '', path: req.url ?? '/', headers: req.headers },
        body,
        identity.secret,
      )
    )
      return stsError(
        res,
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
        now,
      );
    if (identity.expired)
      return stsError(res, 403, 'ExpiredToken', 'The security token included in the request is expired', now);
    if (options.force)
      return stsError(res, options.force.status, options.force.code, options.force.message, now);
    if (action === 'GetCallerIdentity') {
      res
        .writeHead(200, { 'Content-Type': 'text/xml', Date: now.toUTCString() })
        .end(
          stsXml(
            action,
            `<Arn>${identity.arn}</Arn><UserId>${identity.userId}</UserId><Account>${identity.account}</Account>`,
          ),
        );
      return;
    }
    if (action === 'AssumeRole') {
      const roleArn = params.get('RoleArn') ?? '';
      const account = roleArn.split(':')[4];
      const r = issue(
        `arn:aws:sts::${account}:assumed-role/${roleArn.split('/').pop()}/${params.get('RoleSessionName')}`,
        account,
      );
      res.writeHead(200, { 'Content-Type': 'text/xml' }).end(stsXml(action, r.xml));
      return;
    }
    stsError(res, 400, 'InvalidAction', `unsupported action ${action}`);
  });
}

export interface TemporaryCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  Token: string;
  Expiration: string;
}

export function temporaryCredentials(n: number, minutes = 60): TemporaryCredentials {
  return {
    AccessKeyId: `ASIAREMOTE${String(n).padStart(10, '0')}`,
    SecretAccessKey: `remote-secret-${n}-abcdefghijklmnop`,
    Token: `remote-token-${n}`,
    Expiration: new Date(Date.now() + minutes * 60_000).toISOString(),
  };
}

/** IMDSv2: PUT /latest/api/token, then the role name and its credentials with that token. */
export async function startFakeImds(options: {
  role: string;
  credentials: TemporaryCredentials;
  region?: string;
  /** Replaces the credentials document (e.g. with something that is not JSON). */
  rawCredentialsBody?: string;
}): Promise<FakeServer> {
  const token = 'fake-imds-token';
  return serve((req, _body, res) => {
    if (req.method === 'PUT' && req.url === '/latest/api/token') {
      if (!req.headers['x-aws-ec2-metadata-token-ttl-seconds']) return void res.writeHead(400).end();
      return void res.writeHead(200, { 'Content-Type': 'text/plain' }).end(token);
    }
    if (req.headers['x-aws-ec2-metadata-token'] !== token) return void res.writeHead(401).end();
    const base = '/latest/meta-data/iam/security-credentials/';
    if (req.url === base) return void res.writeHead(200).end(options.role);
    if (req.url === `${base}${options.role}`) {
      const doc =
        options.rawCredentialsBody ??
        JSON.stringify({
          Code: 'Success',
          Type: 'AWS-HMAC',
          LastUpdated: new Date().toISOString(),
          ...options.credentials,
        });
      return void res.writeHead(200).end(doc);
    }
    if (req.url === '/latest/meta-data/placement/region' && options.region)
      return void res.writeHead(200).end(options.region);
    res.writeHead(404).end();
  });
}

/** The ECS task-role / EKS Pod Identity endpoint: GET with the Authorization token from the file. */
export async function startFakeContainerEndpoint(options: {
  token: string;
  credentials: TemporaryCredentials;
}): Promise<FakeServer> {
  return serve((req, _body, res) => {
    if (req.headers.authorization !== options.token)
      return void res.writeHead(401).end('{"message":"bad token"}');
    res
      .writeHead(200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ ...options.credentials, AccountId: '111122223333' }));
  });
}

/** IAM Identity Center portal: GetRoleCredentials with the cached access token. */
export async function startFakeSsoPortal(options: {
  accessToken: string;
  accountId: string;
  roleName: string;
  credentials: TemporaryCredentials;
}): Promise<FakeServer> {
  return serve((req, _body, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/federation/credentials') return void res.writeHead(404).end();
    if (req.headers['x-amz-sso_bearer_token'] !== options.accessToken)
      return void res
        .writeHead(401, { 'x-amzn-errortype': 'UnauthorizedException' })
        .end('{"message":"Session token not found or invalid"}');
    if (
      url.searchParams.get('account_id') !== options.accountId ||
      url.searchParams.get('role_name') !== options.roleName
    )
      return void res
        .writeHead(403, { 'x-amzn-errortype': 'ForbiddenException' })
        .end('{"message":"No access"}');
    const c = options.credentials;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(
      JSON.stringify({
        roleCredentials: {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          sessionToken: c.Token,
          expiration: Date.parse(c.Expiration),
        },
      }),
    );
  });
}
