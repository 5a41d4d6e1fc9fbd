import { readFileSync } from 'node:fs';
import { type Agent, request } from 'node:https';
import { fixture } from '../helpers/index.js';

/** A real HTTPS client for the webhook tests, trusting the given CA like kube-apiserver's caBundle. */

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): any;
  reusedSocket: boolean;
}

export function post(
  url: string,
  ca: string | Buffer,
  body: string | Buffer,
  options: { contentType?: string; agent?: Agent; method?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'POST',
        ca,
        agent: options.agent,
        headers: {
          'content-type': options.contentType ?? 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (data += d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: data,
            json: () => JSON.parse(data),
            reusedSocket: req.reusedSocket,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function get(url: string, ca: string | Buffer): Promise<Reply> {
  return post(url, ca, '', { method: 'GET' });
}

/** A fixture AdmissionReview (as kube-apiserver sends it), parsed so a test can vary it. */
export function review(name: string): any {
  return JSON.parse(readFileSync(fixture('serve', 'fixtures', name), 'utf8'));
}

export const POD_CREATE = 'apiserver-shaped-pod-create.json';
export const POD_DELETE = 'apiserver-shaped-pod-delete.json';
export const POD_EXEC = 'apiserver-shaped-pods-exec-connect.json';
export const DOCS_SCALE = 'k8s-docs-admissionreview-v1-deployment-scale.json';
