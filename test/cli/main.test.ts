import assert from 'node:assert/strict';
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
