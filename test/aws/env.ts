import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Result } from '../../src/core/result.js';

/**
 * Runs fn with every AWS_* variable of this machine removed and only `vars` set, plus HOME, so
 * neither real credentials nor real files leak into a test. Restores the environment afterwards.
 */
export async function withAwsEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

/** Writes HOME/.aws/config and credentials (mode 600) and returns the variables naming them. */
export async function awsHome(
  dir: string,
  files: { config?: string; credentials?: string },
): Promise<Record<string, string>> {
  const aws = join(dir, '.aws');
  await mkdir(aws, { recursive: true });
  const config = join(aws, 'config');
  const credentials = join(aws, 'credentials');
  await writeFile(config, files.config ?? '');
  await writeFile(credentials, files.credentials ?? '');
  await chmod(config, 0o600);
  await chmod(credentials, 0o600);
  return { HOME: dir, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials };
}

export function find(results: readonly Result[], rule: string): Result {
  const r = results.find((x) => x.rule === rule);
  if (!r) throw new Error(`no result ${rule} among ${results.map((x) => x.rule).join(', ')}`);
  return r;
}

export const outcome = (results: readonly Result[], provider: string) =>
  find(results, `credentials/${provider}`).properties?.outcome;
