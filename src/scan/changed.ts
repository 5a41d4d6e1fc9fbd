import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { UserError } from '../core/errors.js';

function git(args: string[], cwd: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile('git', args, { cwd, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const reason =
          (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'git is not on PATH' : stderr.trim();
        reject(new UserError(`scan: --changed-since: ${reason || error.message}`));
      } else resolvePromise(stdout);
    });
  });
}

/**
 * Files changed since a git ref, as absolute paths: committed and uncommitted changes against it,
 * plus untracked files (a new manifest in a pull request is a change too). Deleted files are left out.
 */
export async function filesChangedSince(ref: string, cwd: string): Promise<string[]> {
  const top = (await git(['rev-parse', '--show-toplevel'], cwd)).trim();
  await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], top).catch(() => {
    throw new UserError(`scan: --changed-since ${ref}: not a commit in ${top}`);
  });
  const changed = await git(['diff', '--name-only', '--diff-filter=d', '-z', ref, '--'], top);
  const untracked = await git(['ls-files', '--others', '--exclude-standard', '-z'], top);
  const files = new Set<string>();
  for (const f of `${changed}${untracked}`.split('\0')) if (f) files.add(resolve(top, f));
  return [...files].sort();
}
