import { generateKeyPair } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../core/errors.js';

export interface KeygenOptions {
  /** Key name prefix, conventionally the packager's e-mail. */
  name: string;
  outDir: string;
  bits?: number;
  /** Seconds since the epoch; its hex form is the 8-hex suffix, as abuild-keygen does. */
  now?: number;
}

export interface KeygenResult {
  privateKey: string;
  publicKey: string;
  keyName: string;
}

async function writeNew(path: string, data: string, mode: number): Promise<void> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, 'wx', mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new UserError(`${path} already exists; not overwriting it`);
    throw new UserError(`cannot create ${path}: ${(error as Error).message}`);
  }
  try {
    await fh.writeFile(data);
    await fh.chmod(mode);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** An RSA key pair named like abuild-keygen's: `NAME-<8 hex>.rsa` and `NAME-<8 hex>.rsa.pub`. */
export async function generateKeys(options: KeygenOptions): Promise<KeygenResult> {
  if (!/^[A-Za-z0-9._@+-]+$/.test(options.name)) {
    throw new UserError(`invalid key name "${options.name}": use letters, digits and . _ @ + -`);
  }
  const bits = options.bits ?? 4096;
  if (bits < 2048) throw new UserError('RSA keys need at least 2048 bits');
  const stamp = (options.now ?? Math.floor(Date.now() / 1000)).toString(16).padStart(8, '0');
  const base = `${options.name}-${stamp}.rsa`;
  await mkdir(options.outDir, { recursive: true });
  const privateKey = join(options.outDir, base);
  const publicKey = `${privateKey}.pub`;
  const pair = await promisify(generateKeyPair)('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  await writeNew(privateKey, pair.privateKey as unknown as string, 0o600);
  try {
    await writeNew(publicKey, pair.publicKey as unknown as string, 0o644);
  } catch (error) {
    await rm(privateKey, { force: true });
    throw error;
  }
  return { privateKey, publicKey, keyName: `${base}.pub` };
}
