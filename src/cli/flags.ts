import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UserError } from '../core/errors.js';

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedFlags<T> {
  values: T;
  positionals: string[];
}

/**
 * Strict flag parsing shared by every command: unknown flags and missing values are usage errors
 * (exit 2) with a one-line message, never a stack trace.
 */
export function parseFlags<T = Record<string, string | boolean | string[] | undefined>>(
  argv: string[],
  options: FlagSpec,
  command: string,
): ParsedFlags<T> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as T, positionals };
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UserError(`${command}: ${message}\nRun "rampart ${command} --help" for usage.`);
  }
}

/** Parses a non-negative integer flag value. */
export function intFlag(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new UserError(`--${name} must be a non-negative integer, got "${value}"`);
  return Number(value);
}

export function oneOf<T extends string>(
  value: string | undefined,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UserError(`--${name} must be one of ${allowed.join(', ')}; got "${value}"`);
}
