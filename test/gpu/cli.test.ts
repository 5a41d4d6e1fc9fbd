import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fixture, runRampart } from '../helpers/index.js';

const root = (name: string) => fixture('gpu', 'fixtures', name);

describe('rampart gpu probe (binary)', () => {
  test('exit 1 on the leaky node with json results; 0 on the well-configured node', async () => {
    const leaky = await runRampart(['gpu', 'probe', '--root', root('leaky'), '-o', 'json']);
    assert.equal(leaky.code, 1, leaky.stderr);
    const parsed = JSON.parse(leaky.stdout) as { results: { rule: string; status: string }[] };
    const failed = parsed.results
      .filter((r) => r.status === 'fail')
      .map((r) => r.rule)
      .sort();
    assert.deepEqual(failed, [
      'default-runtime',
      'device-plugin-strategy',
      'toolkit-envvar-unprivileged',
      'toolkit-volume-mounts',
    ]);
    const good = await runRampart(['gpu', 'probe', '--root', root('well-configured')]);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /0 failed/);
  });

  test('sarif and junit outputs come from the shared reporters', async () => {
    const sarif = await runRampart(['gpu', 'probe', '--root', root('leaky'), '-o', 'sarif']);
    const log = JSON.parse(sarif.stdout) as { runs: { results: { ruleId: string }[] }[] };
    assert.ok(log.runs[0]!.results.some((r) => /toolkit-envvar-unprivileged/.test(r.ruleId)));
    const junit = await runRampart(['gpu', 'probe', '--root', root('leaky'), '-o', 'junit']);
    assert.match(junit.stdout, /<testsuites/);
    assert.match(junit.stdout, /<failure/);
  });

  test('usage errors exit 2 without a stack trace', async () => {
    const typo = await runRampart(['gpu', 'probe', '--root', '/nonexistent-root']);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /--root \/nonexistent-root is not a directory/);
    assert.doesNotMatch(typo.stderr, /at .*\.js/);
    assert.equal((await runRampart(['gpu', 'probe', '-o', 'yaml'])).code, 2);
    assert.equal((await runRampart(['gpu', 'frobnicate'])).code, 2);
  });
});
