import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { freePort } from '../../src/rightsize/demo/prometheus.js';
import { REPO_ROOT, runRampart } from '../helpers/index.js';

const built = existsSync(join(REPO_ROOT, 'dist', 'src', 'cli', 'commands', 'rightsize.js'));

describe('rampart rightsize (compiled CLI)', { skip: built ? false : 'needs npm run build' }, () => {
  test('--help documents the flags and exits 0', async () => {
    const r = await runRampart(['rightsize', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--prometheus URL/);
    assert.match(r.stdout, /--patch-dir DIR/);
  });

  test('usage errors exit 2 with one line and no stack trace', async () => {
    const missing = await runRampart(['rightsize']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--prometheus URL is required/);
    const unknown = await runRampart(['rightsize', '--prometheus', 'http://127.0.0.1:1', '--bogus']);
    assert.equal(unknown.code, 2);
    const port = await freePort();
    const down = await runRampart(['rightsize', '--prometheus', `http://127.0.0.1:${port}`, '--no-progress']);
    assert.equal(down.code, 2);
    assert.match(down.stderr, /cannot reach Prometheus/);
    assert.doesNotMatch(down.stderr, /\n\s+at /);
  });

  test('--prometheus-url is accepted as krr spells it', async () => {
    const port = await freePort();
    const down = await runRampart([
      'rightsize',
      '--prometheus-url',
      `http://127.0.0.1:${port}`,
      '--no-progress',
    ]);
    assert.equal(down.code, 2);
    assert.match(down.stderr, new RegExp(`cannot reach Prometheus.*127\\.0\\.0\\.1:${port}`));
    assert.doesNotMatch(down.stderr, /Unknown option/);
  });
});
