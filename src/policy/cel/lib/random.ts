/**
 * Kyverno's random library (kyverno.random, pkg/cel/libs/random): `random(pattern)` returns a random string the
 * RE2 regular expression `pattern` matches, `random()` one of `[0-9a-z]{8}`. Generation is shared with the
 * JMESPath `random` function (vars/regen.ts); here each generated character costs one unit of the expression's
 * budget, and a bad pattern is an evaluation error.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { RegenError, randomFromPattern } from '../../vars/regen.js';
import { charge } from '../cost.js';
import { evalError } from './util.js';

const DEFAULT_PATTERN = '[0-9a-z]{8}';

function celRandom(pattern: string): string {
  try {
    return randomFromPattern(pattern, Math.random, charge);
  } catch (e) {
    throw e instanceof RegenError ? evalError(e.message) : e;
  }
}

export function registerRandom(env: Environment): void {
  env.registerFunction('random(string): string', (pattern: string) => celRandom(pattern));
  env.registerFunction('random(): string', () => celRandom(DEFAULT_PATTERN));
}
