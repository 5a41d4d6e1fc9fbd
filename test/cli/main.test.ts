import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, runRampart } from '../helpers/index.js';

test('--version prints the package version and exits 0', async () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  const r = await runRampart(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), `rampart ${pkg.version}`);
});

test('an unknown command is a usage error (exit 2) without a stack trace', async () => {
  const r = await runRampart(['frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command "frobnicate"/);
  assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+/);
});

test('no command prints usage and exits 2', async () => {
  const r = await runRampart([]);
  assert.equal(r.code, 2);
  assert.match(r.stdout, /Usage: rampart <command>/);
});

test('a reader that closes the pipe early ends the output quietly, without a stack trace', async () => {
  // Enough output that the pipe fills before the reader goes: a JSON report of the examples, verbose.
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin', 'rampart.js'), 'scan', 'examples', '-o', 'json', '--verbose'],
    { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' } },
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  // Read the first piece, then close our end, as `head -c 100` would.
  await once(child.stdout, 'data');
  child.stdout.destroy();
  const [code] = (await once(child, 'close')) as [number | null];
  assert.doesNotMatch(stderr, /EPIPE|node:events|\bat .*\.js:\d+/);
  assert.ok(code === 0 || code === 1, `exit ${code}`);
});
