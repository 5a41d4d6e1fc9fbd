import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { UserError } from '../../src/core/errors.js';
import { loadDocumentsFromFile } from '../../src/load/documents.js';
import { tempDir } from '../helpers/index.js';

describe('loadDocumentsFromFile', () => {
  test('multi-document YAML keeps each document line; Lists expand with item lines', async () => {
    const dir = await tempDir();
    try {
      const f = join(dir.path, 'a.yaml');
      await writeFile(
        f,
        'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\n# comment\napiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: b}\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: c}\n',
      );
      const docs = await loadDocumentsFromFile(f);
      assert.deepEqual(
        docs.map((d) => [(d.content as any).metadata.name, d.origin.line]),
        [
          ['a', 1],
          ['b', 9],
          ['c', 12],
        ],
      );
      assert.equal(docs[0]!.format, 'kubernetes');
    } finally {
      await dir.cleanup();
    }
  });

  test('malformed YAML names file, line and column', async () => {
    const dir = await tempDir();
    try {
      const f = join(dir.path, 'bad.yaml');
      await writeFile(f, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n');
      await assert.rejects(loadDocumentsFromFile(f), (e: unknown) => {
        assert.ok(e instanceof UserError);
        assert.match(e.message, /bad\.yaml:\d+:\d+: invalid YAML/);
        return true;
      });
    } finally {
      await dir.cleanup();
    }
  });

  test('an alias bomb is refused instead of expanded', async () => {
    const dir = await tempDir();
    try {
      const f = join(dir.path, 'bomb.yaml');
      const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
      for (let i = 1; i < 12; i++) {
        const prev = String.fromCharCode(96 + i);
        const cur = String.fromCharCode(97 + i);
        lines.push(`${cur}: &${cur} [${Array(10).fill(`*${prev}`).join(',')}]`);
      }
      await writeFile(f, `${lines.join('\n')}\n`);
      await assert.rejects(loadDocumentsFromFile(f), /invalid YAML/);
    } finally {
      await dir.cleanup();
    }
  });

  test('a large multi-document file is streamed document by document with correct lines', async () => {
    const dir = await tempDir();
    try {
      const f = join(dir.path, 'big.yaml');
      const doc = (i: number) =>
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\ndata:\n  blob: "${'x'.repeat(2000)}"\n`;
      const count = 2600; // ~5.3 MB, above the streaming threshold
      await writeFile(f, Array.from({ length: count }, (_, i) => doc(i)).join('---\n'));
      const docs = await loadDocumentsFromFile(f);
      assert.equal(docs.length, count);
      assert.equal((docs[1000]!.content as any).metadata.name, 'cm-1000');
      assert.equal(docs[1000]!.origin.line, 1000 * 7 + 1);
    } finally {
      await dir.cleanup();
    }
  });
});
