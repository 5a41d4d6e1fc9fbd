import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadPolicies } from '../../src/policy/load.js';
import { runSuiteFile } from '../../src/policy/testfile/gator/suite.js';
import { fixture, REPO_ROOT, runRampart } from '../helpers/index.js';

const library = join(REPO_ROOT, 'src', 'packs', 'gpu-isolation', 'gatekeeper');
const suite = fixture('packs', 'gpu-isolation-gatekeeper', 'suite.yaml');

describe('gpu-isolation pack as a Gatekeeper library', () => {
  test('the whole library loads: every constraint has its template, workloads expand to Pods', async () => {
    const loaded = await loadPolicies([library]);
    assert.deepEqual(loaded.invalid, []);
    assert.deepEqual(loaded.policies.map((p) => p.name).sort(), [
      'gpu-device-hostpath',
      'gpu-env-without-limit',
      'gpu-privileged-on-shared-node',
      'gpu-runtimeclass-without-limit',
    ]);
  });

  test('its gator suite passes, and covers every template with failing and passing cases', async () => {
    const outcome = await runSuiteFile(suite);
    assert.ok(outcome);
    const failed = outcome.tests.flatMap((t) =>
      t.cases.filter((c) => c.status !== 'pass').map((c) => `${t.name}/${c.name}: ${c.reason}`),
    );
    assert.deepEqual(failed, []);
    const templates = (await readdir(join(library, 'templates'))).length;
    assert.ok(outcome.tests.length >= templates);
    for (const t of outcome.tests) {
      assert.ok(
        t.cases.some((c) => c.messages.length > 0),
        `${t.name} has a violating case`,
      );
      assert.ok(
        t.cases.some((c) => c.messages.length === 0),
        `${t.name} has a compliant case`,
      );
    }
  });

  test('rampart test runs it green', async () => {
    const r = await runRampart(['test', fixture('packs', 'gpu-isolation-gatekeeper')]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^ok\t.*gpu-isolation-gatekeeper\/suite\.yaml/m);
  });
});
