import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SEVERITIES } from '../../src/core/severity.js';
import { listPacks, listRules, scanRuleIds } from '../../src/rules/registry.js';
import { REPO_ROOT } from '../helpers/index.js';

describe('rule registry', () => {
  test('lists the Kubernetes and the Terraform packs', () => {
    const packs = listPacks();
    const names = (target: string) => packs.filter((p) => p.target === target).map((p) => p.name);
    assert.deepEqual(names('kubernetes'), ['governance', 'gpu-isolation', 'pod-security', 'resources']);
    assert.deepEqual(names('terraform'), ['terraform-iam', 'worker-fleet', 'terraform-state', 'aft']);
  });

  test('every rule has a unique id, complete metadata and a source file that exists', async () => {
    const rules = await listRules();
    const ids = rules.map((r) => r.meta.id);
    assert.equal(new Set(ids).size, ids.length, 'duplicate rule ids');
    for (const { meta, source } of rules) {
      assert.ok(meta.title.length > 0, meta.id);
      assert.ok((SEVERITIES as readonly string[]).includes(meta.severity), meta.id);
      assert.ok(meta.pack.length > 0, meta.id);
      assert.ok(existsSync(join(REPO_ROOT, source)), `${meta.id}: ${source}`);
    }
    const byPack = (pack: string) => rules.filter((r) => r.meta.pack === pack).map((r) => r.meta.id);
    assert.equal(byPack('aft').length, 10);
    assert.equal(byPack('iam').length, 16);
    assert.ok(byPack('iam').includes('IAM000'));
    assert.ok(byPack('resources').includes('qos-class'));
    assert.ok(byPack('terraform-state').includes('tf-state-bucket-versioning'));
    assert.ok(byPack('disk').includes('sector-format'));
  });

  test('rules written as code carry a docs link, and Terraform ones a fix', async () => {
    for (const { meta, definedAs } of await listRules()) {
      if (definedAs === 'kyverno-policy' || meta.id === 'tool-unavailable') continue;
      assert.ok(meta.docs, `${meta.id} has no docs link`);
      if (meta.pack.startsWith('terraform') || meta.pack === 'aft' || meta.pack === 'worker-fleet')
        assert.ok(meta.fix, `${meta.id} has no fix`);
    }
  });

  test('the ids rampart.yaml rules settings may name: every pack rule and the IAM lint ids, not disk rules', async () => {
    const ids = await scanRuleIds();
    for (const id of [
      'disallow-latest-tag',
      'qos-class',
      'tf-state-bucket-versioning',
      'aft-account-email',
      'IAM000',
    ])
      assert.ok(ids.has(id), id);
    assert.ok(!ids.has('sector-format'));
    assert.ok(!ids.has('tf-no-such-rule'));
  });
});
