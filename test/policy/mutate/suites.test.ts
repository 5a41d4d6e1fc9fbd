import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runTestFile } from '../../../src/policy/testfile/run.js';

const root = fileURLToPath(new URL('../../../../test/policy/', import.meta.url));
const files = ['mutate/suites', 'generate/suites'].flatMap((d) =>
  (readdirSync(join(root, d), { recursive: true }) as string[])
    .filter((f) => f.endsWith('kyverno-test.yaml'))
    .map((f) => join(root, d, f)),
);

test('the mutate and generate Kyverno test suites pass with every row checked', async () => {
  assert.ok(files.length >= 3, `found ${files.length} suites`);
  for (const file of files) {
    const outcomes = await runTestFile(file);
    for (const o of outcomes) {
      assert.equal(o.error, null, `${file}: ${o.error}`);
      assert.ok(o.rows.length > 0, `${file}: no rows`);
      for (const r of o.rows)
        assert.ok(r.ok, `${file}: ${r.policy}/${r.rule} ${r.resourceKey}: ${r.reason} ${r.diff ?? ''}`);
    }
  }
});
