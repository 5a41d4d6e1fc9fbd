import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, whether tests run from dist/test (compiled) or test/ (tsx). */
export const REPO_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!dir.endsWith('/test') || dir.endsWith('/dist/test')) {
    if (dir.endsWith('/dist/test')) return resolve(dir, '../..');
    dir = dirname(dir);
    if (dir === '/') break;
  }
  return resolve(dir, '..');
})();

/** Path of a file under the repository's test/ tree (fixtures are not copied to dist). */
export function fixture(...parts: string[]): string {
  return join(REPO_ROOT, 'test', ...parts);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `rampart` binary (compiled) as a child process. */
export function runRampart(
  args: string[],
  options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'rampart.js'), ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

/** A fresh temporary directory, removed by the returned cleanup. */
export async function tempDir(
  prefix = 'rampart-test-',
): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/**
 * Every string made of up to `maxPieces` pieces of `alphabet` (the empty string first), for tests
 * that hold a hand-written function to a reference on all short inputs.
 */
export function* everyString(alphabet: readonly string[], maxPieces: number): Generator<string> {
  for (let length = 0; length <= maxPieces; length++) {
    for (let k = 0; k < alphabet.length ** length; k++) {
      let s = '';
      for (let i = 0, x = k; i < length; i++, x = Math.floor(x / alphabet.length))
        s += alphabet[x % alphabet.length];
      yield s;
    }
  }
}
