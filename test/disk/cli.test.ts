import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { run } from '../../src/cli/commands/disk.js';
import { isUserError } from '../../src/core/errors.js';
import { PROC, SYSFS } from './helpers.js';

/** Runs the command in-process (no build needed) and returns its exit code and stdout; usage errors give 2. */
async function disk(...argv: string[]): Promise<{ code: number; stdout: string; error?: string }> {
  let stdout = '';
  try {
    return { code: await run(argv, (text) => void (stdout += text)), stdout };
  } catch (error) {
    if (isUserError(error)) return { code: error.exitCode, stdout, error: error.message };
    throw error;
  }
}

describe('rampart disk (command)', () => {
  test('check-alignment: 0 aligned, 1 not, 2 for a start without a unit', async () => {
    const ok = await disk('check-alignment', '/dev/vdb', '2048s', '--sysfs-root', SYSFS);
    assert.equal(ok.code, 0);
    assert.match(ok.stdout, /vdb: minimal aligned: start 1048576 B/);
    const bad = await disk('check-alignment', 'vdb', '63s', '--sysfs-root', SYSFS);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /3584 B past a multiple of 4096 B/);
    assert.equal(
      (await disk('check-alignment', 'vdb', '1028s', '--type', 'optimal', '--sysfs-root', SYSFS)).code,
      1,
    );
    const typo = await disk('audit', '--sysfs-root', '/nonexistent-sysfs');
    assert.equal(typo.code, 2);
    assert.match(typo.error ?? '', /is not a sysfs tree/);
    const usage = await disk('check-alignment', 'vdb', '63', '--sysfs-root', SYSFS);
    assert.equal(usage.code, 2);
    assert.match(usage.error ?? '', /needs a unit/);
  });

  test('audit: json with device data, exit 1 on findings, --fail-on raises the bar', async () => {
    const all = await disk('audit', '--sysfs-root', SYSFS, '--proc-root', PROC, '-o', 'json');
    assert.equal(all.code, 1);
    const json = JSON.parse(all.stdout);
    assert.equal(json.disk.devices.length, 9);
    assert.ok(json.results.some((r: { rule: string }) => r.rule === 'partition-physical-alignment'));
    // vdb's worst finding (LBA 63 on a 512e disk) is "high".
    assert.equal((await disk('audit', 'vdb', '--sysfs-root', SYSFS, '--fail-on', 'critical')).code, 0);
    assert.equal((await disk('audit', 'vdb', '--sysfs-root', SYSFS, '--fail-on', 'high')).code, 1);
    assert.equal((await disk('audit', 'nosuch', '--sysfs-root', SYSFS)).code, 2);
    assert.equal((await disk('audit', '--sysfs-root', SYSFS, '-o', 'junit')).code, 2);
  });

  test('plan prints DESTRUCTIVE steps; --execute without the matching confirmation is refused', async () => {
    const printed = await disk('plan', 'sda', '--to', '4kn', '--sysfs-root', SYSFS, '--proc-root', PROC);
    assert.equal(printed.code, 0);
    assert.match(printed.stdout, /\[DESTRUCTIVE\] low-level format to 4096-byte logical blocks/);
    const refused = await disk(
      'plan',
      'sda',
      '--to',
      '4kn',
      '--execute',
      '--sysfs-root',
      SYSFS,
      '--proc-root',
      PROC,
    );
    assert.equal(refused.code, 2);
    assert.match(refused.error ?? '', /--yes-i-will-lose-all-data-on \/dev\/sda/);
    assert.equal((await disk('plan', 'sda', '--sysfs-root', SYSFS)).code, 2);
    assert.equal((await disk('bogus')).code, 2);
    assert.equal((await disk('--help')).code, 0);
  });
});
