import { createPrivateKey, createPublicKey, createVerify, type KeyObject, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UserError } from '../core/errors.js';
import { gzipMember } from './gzip.js';
import type { TarEntry } from './tar.js';
import { tarBuffer } from './tar.js';

export type SignatureType = 'RSA' | 'RSA256' | 'RSA512';
export const SIGNATURE_TYPES: readonly SignatureType[] = ['RSA', 'RSA256', 'RSA512'];

const DIGEST: Record<SignatureType, string> = { RSA: 'sha1', RSA256: 'sha256', RSA512: 'sha512' };

export interface SigningKey {
  key: KeyObject;
  /** The public key's file name on clients (`/etc/apk/keys/<name>`), the `.SIGN.*.<name>` suffix. */
  keyName: string;
  type: SignatureType;
}

/** Loads a PEM RSA private key; the key name follows abuild-sign: `<private key file>.pub`. */
export function loadSigningKey(path: string, type: SignatureType = 'RSA256', keyName?: string): SigningKey {
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (error) {
    throw new UserError(`cannot read private key ${path}: ${(error as Error).message}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new UserError(`${path} is not a PEM private key: ${(error as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'rsa') throw new UserError(`${path}: apk signatures need an RSA key`);
  return { key, keyName: keyName ?? `${basename(path)}.pub`, type };
}

export interface RawSignature {
  type: SignatureType;
  keyName: string;
  signature: Buffer;
}

export function signBytes(data: Buffer, key: SigningKey): RawSignature {
  return { type: key.type, keyName: key.keyName, signature: sign(DIGEST[key.type], data, key.key) };
}

/**
 * The signature gzip member: one tar entry per signature, end-of-archive cut off, because apk
 * reads the members as one continuous tar and would stop at the zero blocks.
 */
export async function signatureMember(signatures: RawSignature[], mtime: number): Promise<Buffer> {
  const tar = await tarBuffer(
    signatures.map((s) => ({
      name: `.SIGN.${s.type}.${s.keyName}`,
      type: 'file' as const,
      mode: 0o644,
      mtime,
      data: s.signature,
    })),
    { cut: true },
  );
  return gzipMember(tar);
}

export interface ParsedSignatureName {
  type: string;
  keyName: string;
}

export function parseSignatureName(name: string): ParsedSignatureName | undefined {
  const m = /^\.SIGN\.([A-Z0-9]+)\.(.+)$/.exec(name);
  return m ? { type: m[1], keyName: m[2] } : undefined;
}

export interface SignatureVerdict {
  /** 'ok', 'untrusted' (no signature, or no key of that name: apk's UNTRUSTED), 'bad' (BAD signature). */
  status: 'ok' | 'untrusted' | 'bad';
  keyName?: string;
  type?: string;
  /** Every `.SIGN.*` entry found, in order. */
  signatures: ParsedSignatureName[];
  message: string;
}

function loadPublicKey(path: string): KeyObject | undefined {
  try {
    return createPublicKey(readFileSync(path));
  } catch {
    return undefined;
  }
}

/**
 * Checks signatures the way apk 2 does: the first entry of a known type whose key name exists as a
 * PEM public key in `keysDir` decides; there is no fallback to a later signature.
 */
export async function verifySignatures(
  entries: TarEntry[],
  keysDir: string,
  signedContent: () => AsyncIterable<Buffer>,
): Promise<SignatureVerdict> {
  const signatures = entries.map((e) => parseSignatureName(e.name)).filter((s) => s !== undefined);
  for (const entry of entries) {
    const parsed = parseSignatureName(entry.name);
    if (!parsed || !(SIGNATURE_TYPES as readonly string[]).includes(parsed.type)) continue;
    if (parsed.keyName.includes('/')) continue;
    const key = loadPublicKey(join(keysDir, parsed.keyName));
    if (!key) continue;
    const verifier = createVerify(DIGEST[parsed.type as SignatureType]);
    for await (const chunk of signedContent()) verifier.update(chunk);
    const ok = verifier.verify(key, entry.data);
    return {
      status: ok ? 'ok' : 'bad',
      keyName: parsed.keyName,
      type: parsed.type,
      signatures,
      message: ok
        ? `signature ${parsed.type} by ${parsed.keyName}: OK`
        : `BAD signature: ${parsed.type} by ${parsed.keyName} does not match the content (tampered, or signed by another key under that name)`,
    };
  }
  const message =
    signatures.length === 0
      ? 'UNTRUSTED signature: the file is not signed'
      : `UNTRUSTED signature: no trusted key in ${keysDir} for ${signatures.map((s) => s.keyName).join(', ')}`;
  return { status: 'untrusted', signatures, message };
}
