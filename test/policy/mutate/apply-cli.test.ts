import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { replaceDocuments } from '../../../src/policy/mutate/output.js';
import { REPO_ROOT, runRampart, tempDir } from '../../helpers/index.js';

const suite = join(REPO_ROOT, 'test', 'policy', 'mutate', 'suites', 'rampart-pull-policy');
const untouched =
  '# comment kept\napiVersion: v1\nkind: Pod\nmetadata: {name: pinned, namespace: shop, labels: {team: "x"}}\nspec:\n  containers: [{name: web, image: "nginx:1.27"}]\n';
const mutated =
  'apiVersion: v1\nkind: Pod\nmetadata:\n  name: mixed\n  namespace: shop\nspec:\n  containers:\n  - name: web\n    image: nginx:latest\n';

test('replaceDocuments rewrites only the segments of patched documents', () => {
  const text = `${untouched}---\n${mutated}`;
  const out = replaceDocuments(text, new Map([[9, { kind: 'Pod', metadata: { name: 'mixed' } }]]));
  assert.ok(out.startsWith(`${untouched}---\n`));
  assert.equal(out.slice(untouched.length + 4), 'kind: Pod\nmetadata:\n  name: mixed\n');
});

test('rampart apply -o yaml prints mutated resources; --output-dir keeps untouched documents byte-identical', async () => {
  const dir = await tempDir();
  try {
    await mkdir(join(dir.path, 'in'));
    const input = join(dir.path, 'in', 'pods.yaml');
    await writeFile(input, `${untouched}---\n${mutated}`);
    const policy = join(suite, 'policy.yaml');
    const printed = await runRampart(['apply', policy, '-r', input, '-o', 'yaml']);
    assert.equal(printed.code, 0, printed.stderr);
    const docs = parseAllDocuments(printed.stdout).map((d) => d.toJS());
    assert.deepEqual(
      docs.map((d) => d.metadata.name),
      ['mixed'],
    );
    assert.equal(docs[0].spec.containers[0].imagePullPolicy, 'Always');
    assert.deepEqual(docs[0].metadata.labels, { team: 'shop' });
    assert.match(printed.stderr, /1 resource\(s\) mutated, 0 resource\(s\) generated/);

    const out = join(dir.path, 'out');
    const written = await runRampart(['apply', policy, '-r', input, '--output-dir', out], { cwd: dir.path });
    assert.equal(written.code, 0, written.stderr);
    const text = await readFile(join(out, 'in', 'pods.yaml'), 'utf8');
    assert.ok(text.startsWith(`${untouched}---\n`), text);
    assert.equal(parseAllDocuments(text)[1]!.toJS().spec.containers[0].imagePullPolicy, 'Always');
  } finally {
    await dir.cleanup();
  }
});
