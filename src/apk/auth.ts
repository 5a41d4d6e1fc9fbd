import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UserError } from '../core/errors.js';

/** user → verifier; passwords are `{SHA}base64(sha1)` (htpasswd -s) or plain text. */
export type Credentials = Map<string, (password: string) => boolean>;

const same = (a: Buffer, b: Buffer) =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

export function parseCredentials(text: string, file = 'basic auth file'): Credentials {
  const creds: Credentials = new Map();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new UserError('expected "user:password"', { position: { file, line: i + 1 } });
    const user = line.slice(0, colon);
    const secret = line.slice(colon + 1);
    if (secret.startsWith('{SHA}')) {
      const want = Buffer.from(secret.slice(5), 'base64');
      creds.set(user, (pw) => same(createHash('sha1').update(pw).digest(), want));
    } else if (/^\$(apr1|2[aby]?|[156])\$/.test(secret)) {
      throw new UserError(
        `user "${user}": this password hash is not supported; use {SHA} (htpasswd -s) or plain`,
        {
          position: { file, line: i + 1 },
        },
      );
    } else {
      const want = Buffer.from(secret);
      creds.set(user, (pw) => same(Buffer.from(pw), want));
    }
  });
  if (creds.size === 0) throw new UserError(`${file}: no users`);
  return creds;
}

export function loadCredentials(path: string): Credentials {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read ${path}: ${(error as Error).message}`);
  }
  return parseCredentials(text, path);
}

/** The user name when the Authorization header carries valid Basic credentials. */
export function checkBasicAuth(header: string | undefined, creds: Credentials): string | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const user = decoded.slice(0, colon);
  const verify = creds.get(user);
  return verify?.(decoded.slice(colon + 1)) ? user : undefined;
}
