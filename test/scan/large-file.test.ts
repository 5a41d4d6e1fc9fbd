import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Result } from '../../src/core/result.js';
import { STREAM_THRESHOLD_BYTES } from '../../src/load/documents.js';
import { emptyConfig } from '../../src/scan/config.js';
import { compareFindings } from '../../src/scan/findings.js';
import { runScan } from '../../src/scan/run.js';
import { LARGE_FILE_PART_DOCUMENTS } from '../../src/scan/share.js';

/** Documents big enough (a long annotation each) that a file of them is read in parts. */
const PODS = 1_300;
const PADDING = 'x'.repeat(3_400);

function document(i: number): string {
  if (i === 0) return 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n';
  const risky = i % 3 === 0 ? '  hostPID: true\n' : '';
  const privileged =
    i % 4 === 0
      ? '      securityContext:\n        privileged: true\n'
      : '      resources: {limits: {memory: 64Mi}}\n';
  // Comments between documents: the lines a part keeps to place findings must be the file's own.
  const comment = i % 7 === 0 ? `# pod ${i}: a comment line before the document\n\n` : '';
  return `${comment}apiVersion: v1
kind: Pod
metadata:
  name: pod-${i}
  namespace: ${i % 2 ? 'team-a' : 'team-b'}
  annotations:
    padding: ${PADDING}
spec:
${risky}  containers:
    - name: app
      image: ${i % 5 ? 'registry.example.com/app:1.2' : 'nginx:latest'}
${privileged}`;
}

/** The documents as one file, and the line and index each starts at. */
function joined(texts: readonly string[]): { text: string; lines: number[] } {
  const lines: number[] = [];
  let line = 1;
  for (const t of texts) {
    lines.push(line);
    line += t.split('\n').length; // its lines, and the `---` after it
  }
  return { text: texts.join('---\n'), lines };
}

describe('a file larger than the streaming threshold', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rampart-large-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('read and evaluated in parts, it gives the findings of the same documents read as small files', async () => {
    const texts = Array.from({ length: PODS }, (_, i) => document(i));
    const large = joined(texts);
    const largeFile = join(dir, 'large', 'all.yaml');
    await mkdir(join(dir, 'large'));
    await writeFile(largeFile, large.text);
    assert.ok((await stat(largeFile)).size > STREAM_THRESHOLD_BYTES);
    assert.ok(PODS > 2 * LARGE_FILE_PART_DOCUMENTS);

    // The same documents in files of 100, each far below the threshold.
    await mkdir(join(dir, 'small'));
    const chunks: { file: string; first: number; lines: number[] }[] = [];
    for (let first = 0; first < PODS; first += 100) {
      const file = join(dir, 'small', `part-${String(first).padStart(5, '0')}.yaml`);
      const chunk = joined(texts.slice(first, first + 100));
      await writeFile(file, chunk.text);
      chunks.push({ file, first, lines: chunk.lines });
    }

    let toldLarge = 0;
    let toldSmall = 0;
    const inParts = await runScan({
      paths: [largeFile],
      config: emptyConfig(),
      threads: 1,
      onLarge: () => toldLarge++,
    });
    const whole = await runScan({
      paths: [join(dir, 'small')],
      config: emptyConfig(),
      threads: 1,
      onLarge: () => toldSmall++,
    });
    assert.equal(toldLarge, 1, 'a scan reading a file in parts says once that it is large');
    assert.equal(toldSmall, 0, 'one of small files with few findings does not');
    try {
      // Each small file's findings moved to where its documents sit in the large file.
      const moved: Result[] = [...whole.results].map((r) => {
        const chunk = chunks.find((c) => c.file === r.origin?.file)!;
        const origin = r.origin!;
        const index = chunk.first + origin.index;
        const shift = large.lines[index]! - chunk.lines[origin.index]!;
        return { ...r, origin: { ...origin, file: largeFile, index, line: origin.line + shift } };
      });
      moved.sort(compareFindings);
      const found = [...inParts.results];
      assert.ok(found.length > PODS, `${found.length} findings`);
      assert.ok(
        found.some((r) => r.resource.kind === 'Namespace'),
        'the cross-document rules saw the Namespace',
      );
      assert.deepEqual(found, moved);
      assert.deepEqual(inParts.summary, whole.summary);
      assert.equal(inParts.documents, PODS);
      assert.deepEqual(inParts.errors, []);
    } finally {
      inParts.close();
      whole.close();
    }
  });

  test('invalid YAML half-way is reported at its line; the documents before it are still evaluated', async () => {
    const texts = Array.from({ length: PODS }, (_, i) => document(i));
    const broken = 900;
    texts[broken] = 'apiVersion: v1\nkind: Pod\nmetadata: {name: "unclosed\n';
    const large = joined(texts);
    const file = join(dir, 'broken.yaml');
    await writeFile(file, large.text);
    const outcome = await runScan({ paths: [file], config: emptyConfig(), threads: 1 });
    try {
      assert.equal(outcome.errors.length, 1);
      const error = outcome.errors[0]!;
      assert.match(error.message, /broken\.yaml/);
      assert.equal(error.position?.line, large.lines[broken]! + 2);
      const names = new Set([...outcome.results].map((r) => r.resource.name));
      assert.ok(names.has('pod-3') && names.has(`pod-${broken - 1}`));
      assert.ok(![...names].some((n) => Number(n.replace('pod-', '')) >= broken));
    } finally {
      outcome.close();
    }
  });
});
