import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface ToolOutcome {
  /** `missing`: not installed; `failed`: ran but could not answer (denied, not that kind of device). */
  status: 'ok' | 'missing' | 'failed';
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ToolRunner {
  run(tool: string, args: string[], input?: string): Promise<ToolOutcome>;
  /** Absolute path of the tool, or null when it is not installed. */
  which(tool: string): string | null;
}

// Disk tools live in sbin, which an unprivileged user's PATH often lacks.
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/local/bin', '/usr/bin', '/bin'];

export function locate(tool: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of [...path.split(delimiter).filter(Boolean), ...EXTRA_DIRS]) {
    const candidate = join(dir, tool);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next directory
    }
  }
  return null;
}

/**
 * Runs the real tools. A non-zero exit is data (blkid exits 2 for "nothing found", smartctl sets bits),
 * so it resolves with the code instead of rejecting.
 */
export function systemRunner(options: { timeoutMs?: number } = {}): ToolRunner {
  const cache = new Map<string, string | null>();
  const which = (tool: string) => {
    if (!cache.has(tool)) cache.set(tool, locate(tool));
    return cache.get(tool) ?? null;
  };
  return {
    which,
    run(tool, args, input) {
      const file = which(tool);
      if (!file)
        return Promise.resolve({
          status: 'missing',
          code: null,
          stdout: '',
          stderr: `${tool}: not installed`,
        });
      return new Promise((resolve) => {
        const child = execFile(
          file,
          args,
          {
            timeout: options.timeoutMs ?? 30_000,
            maxBuffer: 16 * 1024 * 1024,
            env: { ...process.env, LC_ALL: 'C' },
          },
          (error, stdout, stderr) => {
            const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
            resolve({ status: code === 0 ? 'ok' : 'failed', code, stdout, stderr });
          },
        );
        if (input !== undefined) child.stdin?.end(input);
        else child.stdin?.end();
      });
    },
  };
}

/** The first line a tool printed on stderr, for notes ("blkid: error: /dev/vda: Operation not permitted"). */
export function firstErrorLine(outcome: ToolOutcome): string {
  const line = (outcome.stderr || outcome.stdout).split('\n').find((l) => l.trim() !== '');
  return line?.trim() ?? `exit status ${outcome.code}`;
}
