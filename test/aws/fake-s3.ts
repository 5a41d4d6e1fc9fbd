import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small S3-protocol server for tests (path-style addressing), because s3rver stores the SDK's
 * default aws-chunked request bodies with their chunk framing and never checks checksums. It
 * decodes aws-chunked bodies and their trailers, verifies x-amz-checksum-sha256 (BadDigest on a
 * mismatch), and speaks ListObjectsV2, Head/Get/Put/DeleteObject, DeleteObjects and multipart.
 */
export interface StoredObject {
  body: Buffer;
  contentType?: string;
  cacheControl?: string;
  metadata: Record<string, string>;
  checksumSha256?: string;
  etag: string;
  lastModified: Date;
}

export interface FakeS3 {
  url: string;
  objects: Map<string, StoredObject>;
  /** "METHOD bucket/key[?op]" for every request, in order. */
  log: string[];
  /** Requests for which this returns true get their connection dropped (an interrupted publish). */
  dropIf?: (method: string, key: string) => boolean;
  close(): Promise<void>;
}

interface Upload {
  key: string;
  headers: IncomingMessage['headers'];
  parts: Map<number, { body: Buffer; sha256: Buffer }>;
}

const b64sha = (b: Buffer) => createHash('sha256').update(b).digest('base64');
const etagOf = (b: Buffer) => `"${createHash('md5').update(b).digest('hex')}"`;
const xml = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) =>
  res
    .writeHead(status, { 'Content-Type': 'application/xml', ...headers })
    .end(`<?xml version="1.0" encoding="UTF-8"?>${body}`);
const s3Error = (res: ServerResponse, status: number, code: string, message: string) =>
  xml(res, status, `<Error><Code>${code}</Code><Message>${message}</Message></Error>`);
const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Decodes `aws-chunked` framing; returns the payload and the trailing headers. */
export function decodeAwsChunked(raw: Buffer): { body: Buffer; trailers: Record<string, string> } {
  const parts: Buffer[] = [];
  const trailers: Record<string, string> = {};
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) throw new Error('bad aws-chunked framing');
    const size = Number.parseInt(raw.subarray(at, eol).toString('latin1').split(';')[0], 16);
    at = eol + 2;
    if (size === 0) break;
    parts.push(raw.subarray(at, at + size));
    at += size + 2;
  }
  for (const line of raw.subarray(at).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { body: Buffer.concat(parts), trailers };
}

function payload(req: IncomingMessage, raw: Buffer): { body: Buffer; sha256?: string } {
  const chunked =
    String(req.headers['content-encoding'] ?? '').includes('aws-chunked') ||
    String(req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');
  const { body, trailers } = chunked
    ? decodeAwsChunked(raw)
    : { body: raw, trailers: {} as Record<string, string> };
  const sha256 =
    trailers['x-amz-checksum-sha256'] ?? (req.headers['x-amz-checksum-sha256'] as string | undefined);
  return { body, sha256 };
}

export async function startFakeS3(bucket: string): Promise<FakeS3> {
  const objects = new Map<string, StoredObject>();
  const uploads = new Map<string, Upload>();
  const log: string[] = [];
  const state: FakeS3 = { url: '', objects, log, close: async () => {} };

  const handle = (req: IncomingMessage, raw: Buffer, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const [, b, ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const method = req.method ?? 'GET';
    const op = ['uploads', 'uploadId', 'partNumber', 'delete', 'list-type']
      .filter((q) => url.searchParams.has(q))
      .join('&');
    log.push(`${method} ${b}/${key}${op ? `?${op}` : ''}`);
    if (state.dropIf?.(method, key)) {
      req.socket.destroy();
      return;
    }
    if (b !== bucket) return s3Error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist');
    if (!req.headers.authorization?.startsWith('AWS4-HMAC-SHA256 '))
      return s3Error(res, 403, 'AccessDenied', 'missing SigV4 authorization');

    if (key === '' && method === 'GET' && url.searchParams.get('list-type') === '2') {
      const prefix = url.searchParams.get('prefix') ?? '';
      const max = Number(url.searchParams.get('max-keys') ?? 1000);
      const after = url.searchParams.get('continuation-token') ?? url.searchParams.get('start-after') ?? '';
      const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
      const page = keys.slice(0, max);
      const truncated = keys.length > page.length;
      const contents = page
        .map((k) => {
          const o = objects.get(k)!;
          return `<Contents><Key>${escapeXml(k)}</Key><Size>${o.body.length}</Size><ETag>${escapeXml(o.etag)}</ETag><LastModified>${o.lastModified.toISOString()}</LastModified><StorageClass>STANDARD</StorageClass></Contents>`;
        })
        .join('');
      return xml(
        res,
        200,
        `<ListBucketResult><Name>${bucket}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${truncated ? `<NextContinuationToken>${escapeXml(page[page.length - 1])}</NextContinuationToken>` : ''}${contents}</ListBucketResult>`,
      );
    }
    if (key === '' && method === 'POST' && url.searchParams.has('delete')) {
      const keys = [...raw.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) =>
        m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'),
      );
      for (const k of keys) objects.delete(k);
      return xml(
        res,
        200,
        `<DeleteResult>${keys.map((k) => `<Deleted><Key>${escapeXml(k)}</Key></Deleted>`).join('')}</DeleteResult>`,
      );
    }
    if (key === '') return s3Error(res, 400, 'InvalidRequest', 'unsupported bucket operation');

    const uploadId = url.searchParams.get('uploadId');
    if (method === 'POST' && url.searchParams.has('uploads')) {
      const id = randomUUID();
      uploads.set(id, { key, headers: req.headers, parts: new Map() });
      return xml(
        res,
        200,
        `<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`,
      );
    }
    if (uploadId) {
      const upload = uploads.get(uploadId);
      if (!upload) return s3Error(res, 404, 'NoSuchUpload', 'The specified upload does not exist');
      if (method === 'PUT') {
        const { body, sha256 } = payload(req, raw);
        const digest = createHash('sha256').update(body).digest();
        if (sha256 && sha256 !== digest.toString('base64'))
          return s3Error(
            res,
            400,
            'BadDigest',
            'The SHA256 you specified did not match the calculated checksum.',
          );
        upload.parts.set(Number(url.searchParams.get('partNumber')), { body, sha256: digest });
        return res
          .writeHead(200, { ETag: etagOf(body), ...(sha256 ? { 'x-amz-checksum-sha256': sha256 } : {}) })
          .end();
      }
      if (method === 'POST') {
        const numbers = [...raw.toString('utf8').matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) =>
          Number(m[1]),
        );
        if (numbers.length === 0 || numbers.some((n) => !upload.parts.has(n)))
          return s3Error(res, 400, 'InvalidPart', 'One or more of the specified parts could not be found.');
        const parts = numbers.map((n) => upload.parts.get(n)!);
        const body = Buffer.concat(parts.map((p) => p.body));
        const composite = `${createHash('sha256')
          .update(Buffer.concat(parts.map((p) => p.sha256)))
          .digest('base64')}-${parts.length}`;
        store(key, body, upload.headers, upload.headers['x-amz-checksum-algorithm'] ? composite : undefined);
        uploads.delete(uploadId);
        return xml(
          res,
          200,
          `<CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${escapeXml(key)}</Key><ETag>${escapeXml(objects.get(key)!.etag)}</ETag></CompleteMultipartUploadResult>`,
        );
      }
      if (method === 'DELETE') {
        uploads.delete(uploadId);
        return res.writeHead(204).end();
      }
    }
    if (method === 'PUT') {
      const { body, sha256 } = payload(req, raw);
      if (sha256 && sha256 !== b64sha(body))
        return s3Error(
          res,
          400,
          'BadDigest',
          'The SHA256 you specified did not match the calculated checksum.',
        );
      store(key, body, req.headers, sha256);
      return res.writeHead(200, { ETag: objects.get(key)!.etag }).end();
    }
    if (method === 'DELETE') {
      objects.delete(key);
      return res.writeHead(204).end();
    }
    if (method === 'GET' || method === 'HEAD') {
      const o = objects.get(key);
      if (!o) {
        if (method === 'HEAD') return res.writeHead(404).end();
        return s3Error(res, 404, 'NoSuchKey', 'The specified key does not exist.');
      }
      const headers: Record<string, string> = {
        'Content-Length': String(o.body.length),
        ETag: o.etag,
        'Last-Modified': o.lastModified.toUTCString(),
      };
      if (o.contentType) headers['Content-Type'] = o.contentType;
      if (o.cacheControl) headers['Cache-Control'] = o.cacheControl;
      for (const [k, v] of Object.entries(o.metadata)) headers[`x-amz-meta-${k}`] = v;
      if (o.checksumSha256 && req.headers['x-amz-checksum-mode'] === 'ENABLED')
        headers['x-amz-checksum-sha256'] = o.checksumSha256;
      res.writeHead(200, headers);
      return res.end(method === 'GET' ? o.body : undefined);
    }
    s3Error(res, 405, 'MethodNotAllowed', method);
  };

  function store(key: string, body: Buffer, headers: IncomingMessage['headers'], sha256?: string) {
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers))
      if (k.startsWith('x-amz-meta-')) metadata[k.slice(11)] = String(v);
    objects.set(key, {
      body,
      contentType: headers['content-type'],
      cacheControl: headers['cache-control'],
      metadata,
      checksumSha256: sha256,
      etag: etagOf(body),
      lastModified: new Date(),
    });
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        handle(req, Buffer.concat(chunks), res);
      } catch (error) {
        s3Error(res, 500, 'InternalError', (error as Error).message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
