/**
 * Kyverno's hash library (kyverno.hash): `sha1(string)`, `sha256(string)` and `md5(string)`, each the lowercase hex
 * digest of the string's UTF-8 bytes. Charged one cost unit per character, like the other string functions.
 */
import { createHash } from 'node:crypto';
import type { Environment } from '@marcbachmann/cel-js';
import { charge } from '../cost.js';

function digest(algorithm: 'sha1' | 'sha256' | 'md5'): (s: string) => string {
  return (s: string) => {
    charge(s.length);
    return createHash(algorithm).update(s, 'utf8').digest('hex');
  };
}

export function registerHash(env: Environment): void {
  env.registerFunction('sha1(string): string', digest('sha1'));
  env.registerFunction('sha256(string): string', digest('sha256'));
  env.registerFunction('md5(string): string', digest('md5'));
}
