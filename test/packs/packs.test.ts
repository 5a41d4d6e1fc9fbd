import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { listPackNames, loadPack, PACK_RULE_MODULES, packsRoot } from '../../src/packs/index.js';
import { discoverTestFiles } from '../../src/policy/testfile/discover.js';
import { runTestFile, type TestRow } from '../../src/policy/testfile/run.js';

describe('built-in packs', () => {
  test('the four packs exist and every policy carries its metadata', async () => {
    assert.deepEqual(listPackNames(), ['governance', 'gpu-isolation', 'pod-security', 'resources']);
    const ids = new Set<string>();
    for (const name of listPackNames()) {
      const pack = await loadPack(name);
      for (const p of pack.policies) {
        assert.ok(!ids.has(p.name), `duplicate rule id ${p.name}`);
        ids.add(p.name);
        for (const key of [
          'policies.kyverno.io/title',
          'policies.kyverno.io/severity',
          'policies.kyverno.io/description',
          'rampart.dev/fix',
          'rampart.dev/docs',
        ]) {
          assert.ok(p.annotations[key], `${name}/${p.name} lacks ${key}`);
        }
        assert.equal(p.annotations['policies.kyverno.io/category'], name, `${p.name} category`);
      }
      // The TypeScript rules must actually load, or the loop below checks nothing.
      const expected: Record<string, string[]> = {
        governance: ['namespace-default-deny', 'namespace-resourcequota', 'namespace-limitrange'],
        resources: ['qos-class', 'besteffort-in-production', 'critical-not-guaranteed'],
      };
      assert.deepEqual(
        pack.rules.map((r) => r.meta.id).sort(),
        (expected[name] ?? []).sort(),
        `${name}: TypeScript rules loaded`,
      );
      for (const r of pack.rules) {
        assert.ok(!ids.has(r.meta.id), `duplicate rule id ${r.meta.id}`);
        ids.add(r.meta.id);
        assert.ok(r.meta.rationale && r.meta.fix && r.meta.title);
      }
    }
  });

  test('every pack folder with TypeScript rules is listed where they are loaded from', () => {
    const withRules = listPackNames().filter((name) => existsSync(join(packsRoot(), name, 'rules.ts')));
    assert.ok(withRules.length >= 2);
    assert.deepEqual(Object.keys(PACK_RULE_MODULES).sort(), withRules);
  });

  test('every pack policy passes its own Kyverno tests, with 3+ passing and 3+ failing cases per policy', async () => {
    const files = await discoverTestFiles([packsRoot()]);
    assert.ok(files.length >= 4);
    const rows: TestRow[] = [];
    for (const f of files) {
      for (const outcome of await runTestFile(f)) {
        assert.equal(outcome.error, null, `${f}: ${outcome.error}`);
        rows.push(...outcome.rows);
      }
    }
    const mismatches = rows.filter((r) => !r.ok);
    assert.deepEqual(mismatches, []);
    for (const name of listPackNames()) {
      const pack = await loadPack(name);
      for (const p of pack.policies) {
        const mine = rows.filter((r) => r.policy === p.name);
        const passes = mine.filter((r) => r.actual === 'pass').length;
        const fails = mine.filter((r) => r.actual === 'fail' || r.actual === 'warn').length;
        assert.ok(
          passes >= 3 && fails >= 3,
          `${p.name}: ${passes} passing and ${fails} failing cases (need 3 each)`,
        );
      }
    }
    assert.ok(join(packsRoot()).length > 0);
  });
});
