import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { listPackNames, loadPack } from '../../src/packs/index.js';
import { renderPackDocs } from '../../src/rules/docs.js';
import { REPO_ROOT } from '../helpers/index.js';

const docsFile = join(REPO_ROOT, 'docs', 'packs.md');

async function ruleIds(): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const name of listPackNames()) {
    const pack = await loadPack(name);
    for (const p of pack.policies) ids.set(p.name, p.annotations['rampart.dev/docs'] ?? '');
    for (const r of pack.rules) ids.set(r.meta.id, r.meta.docs ?? `docs/packs.md#${r.meta.id}`);
  }
  return ids;
}

describe('docs/packs.md', () => {
  test('is up to date with the packs (regenerate with: npx tsx scripts/gen-pack-docs.ts)', async () => {
    const committed = await readFile(docsFile, 'utf8');
    const rendered = await renderPackDocs();
    assert.equal(rendered, committed);
  });

  test('rendering is deterministic', async () => {
    assert.equal(await renderPackDocs(), await renderPackDocs());
  });

  test('every rule id has exactly one anchor section, and every docs link points at it', async () => {
    const page = await readFile(docsFile, 'utf8');
    const headings = page
      .split('\n')
      .filter((l) => l.startsWith('### '))
      .map((l) => l.slice(4).trim());
    const ids = await ruleIds();
    assert.ok(ids.size >= 20, `expected the built-in packs' rules, found ${ids.size}`);
    for (const [id, docs] of ids) {
      assert.equal(headings.filter((h) => h === id).length, 1, `### ${id} section`);
      assert.equal(docs, `docs/packs.md#${id}`, `${id} docs link`);
    }
    // Every policy file and TypeScript rule is documented, nothing more.
    assert.deepEqual([...headings].sort(), [...ids.keys()].sort());
  });

  test('documents each rule with its severity, fix and the parameters it reads', async () => {
    const page = await readFile(docsFile, 'utf8');
    const section = (id: string) => {
      const start = page.indexOf(`\n### ${id}\n`);
      assert.ok(start >= 0, id);
      const end = page.indexOf('\n### ', start + 1);
      return page.slice(start, end < 0 ? undefined : end);
    };
    const gpu = await loadPack('gpu-isolation');
    const privileged = gpu.policies.find((p) => p.name === 'gpu-privileged-on-shared-node')!;
    const s = section(privileged.name);
    assert.match(s, new RegExp(`Severity: \`${privileged.annotations['policies.kyverno.io/severity']}\``));
    assert.match(s, /`critical` for rule `gpu-pod`/);
    assert.ok(s.includes(`Fix: ${privileged.annotations['rampart.dev/fix']}`));
    assert.match(section('require-labels'), /Parameters: `requiredLabels` \(default `\[team\]`\)/);
    // TypeScript rules are documented whether the loader runs from source or from dist.
    assert.match(section('qos-class'), /src\/packs\/resources\/rules\/qos-class\.ts/);
    for (const heading of [
      '## Configuration: rampart.yaml',
      '## Suppressing a finding',
      'rampart.dev/ignore-reason',
    ])
      assert.ok(page.includes(heading), heading);
  });
});
