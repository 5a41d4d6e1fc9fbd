import assert from 'node:assert/strict';
import { copyFile, mkdir, rename, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { PolicyStore } from '../../src/serve/policy-set.js';
import { fixture, tempDir } from '../helpers/index.js';

const POLICIES = fixture('serve', 'fixtures', 'policies');

/** How the kubelet lays out a ConfigMap volume: files in a timestamped dir, `..data` and top-level symlinks. */
async function configMapVolume(root: string, version: string, files: string[]): Promise<void> {
  await mkdir(join(root, version), { recursive: true });
  for (const f of files) await copyFile(join(POLICIES, f), join(root, version, f));
  // The kubelet swaps ..data atomically: a new symlink renamed over the old one.
  await symlink(version, join(root, '..data_tmp'));
  await rename(join(root, '..data_tmp'), join(root, '..data'));
  for (const f of files) await symlink(join('..data', f), join(root, f)).catch(() => {});
}

test('a ConfigMap volume loads each policy once and reloads when the kubelet swaps ..data', async () => {
  const tmp = await tempDir();
  try {
    await configMapVolume(tmp.path, '..2026_01_01_00_00_00.000000001', ['require-team-label.yaml']);
    const reloaded: number[] = [];
    const store = new PolicyStore(
      { paths: [tmp.path], packs: [] },
      { onReload: (set) => reloaded.push(set.policies.length) },
    );
    assert.deepEqual(
      (await store.load()).policies.map((p) => p.name),
      ['require-team-label'],
    );
    await store.watch(50);
    try {
      await configMapVolume(tmp.path, '..2026_01_01_00_05_00.000000002', [
        'require-team-label.yaml',
        'protect-deletes.yaml',
      ]);
      const deadline = Date.now() + 10_000;
      while (!reloaded.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      // Both timestamped directories exist until the kubelet removes the old one: names stay unique.
      const names = store.current!.policies.map((p) => p.name);
      assert.ok(reloaded.length > 0, 'the swap triggered a reload');
      assert.deepEqual(names.sort(), ['protect-deletes', 'require-team-label']);
    } finally {
      store.close();
    }
  } finally {
    await tmp.cleanup();
  }
});
