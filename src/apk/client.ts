import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { UserError } from '../core/errors.js';

export interface ClientSetupOptions {
  /** Repository URL: `<base>/<branch>/<repo>`, the line that goes into /etc/apk/repositories. */
  url: string;
  keyFile: string;
  packages?: string[];
  tag?: string;
}

/** Client instructions: trust the key under its exact name, add the repository, a Dockerfile snippet. */
export function clientSetup(o: ClientSetupOptions): string {
  let parsed: URL;
  try {
    parsed = new URL(o.url);
  } catch {
    throw new UserError(`invalid repository URL "${o.url}"`);
  }
  if (!['http:', 'https:'].includes(parsed.protocol)) {
    throw new UserError(`repository URL must be http:// or https://, got "${o.url}"`);
  }
  let pem: string;
  try {
    pem = readFileSync(o.keyFile, 'utf8');
    createPublicKey(pem);
  } catch (error) {
    throw new UserError(`${o.keyFile} is not a readable PEM public key: ${(error as Error).message}`);
  }
  if (pem.includes('PRIVATE KEY'))
    throw new UserError(`${o.keyFile} is a private key; pass the .rsa.pub file`);
  const keyName = basename(o.keyFile);
  const url = o.url.replace(/\/+$/, '');
  const line = o.tag ? `@${o.tag} ${url}` : url;
  const pkgs = (o.packages ?? []).join(' ') || 'your-package';
  // A tagged repository is only used for packages pinned to it with @tag.
  const toAdd = o.tag
    ? pkgs
        .split(' ')
        .map((p) => `${p}@${o.tag}`)
        .join(' ')
    : pkgs;
  const shown = parsed.username ? url.replace(/\/\/[^@]*@/, '//USER:PASSWORD@') : url;
  return [
    `# 1. Trust the signing key. apk finds it by file name only: keep the name ${keyName}`,
    `install -m 0644 ${keyName} /etc/apk/keys/${keyName}`,
    '',
    '# 2. Add the repository',
    `echo '${line}' >> /etc/apk/repositories`,
    '',
    '# 3. Refresh and install (-U: apk 2.14.9/2.14.10 otherwise reuse a cached index for up to 4 h)',
    `apk -U add ${toAdd}`,
    '',
    '# Dockerfile',
    `COPY ${keyName} /etc/apk/keys/${keyName}`,
    `RUN echo '${line}' >> /etc/apk/repositories \\`,
    `    && apk add --no-cache ${toAdd}`,
    '',
    '# Notes',
    `# - Repository URL: ${shown} (index: ${shown}/<arch>/APKINDEX.tar.gz)`,
    '# - Basic Auth: put credentials in the URL (https://user:token@host/...); apk sends them pre-emptively.',
    '#   In Docker builds, pass them as a build secret instead of baking them into a layer.',
    '# - The key file content, for hosts without the file:',
    ...pem
      .trim()
      .split('\n')
      .map((l) => `#   ${l}`),
    '',
  ].join('\n');
}
