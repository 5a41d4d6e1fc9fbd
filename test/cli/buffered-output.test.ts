import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BufferedOutput, fileSink } from '../../src/cli/buffered-output.js';
import { tempDir } from '../helpers/index.js';

test('BufferedOutput passes every byte through in order, across buffer boundaries and multi-byte text', () => {
  const chunks: Buffer[] = [];
  const out = new BufferedOutput((c) => chunks.push(c), 64);
  const pieces = ['{"a": 1}', ',\n', 'é'.repeat(30), '😀 x', 'y'.repeat(200), '', 'end\n'];
  for (const p of pieces) out.write(p);
  out.flush();
  assert.equal(Buffer.concat(chunks).toString('utf8'), pieces.join(''));
  // Nothing larger than the buffer except a piece written on its own, and no empty flushes.
  for (const c of chunks) assert.ok(c.length > 0 && (c.length <= 64 || c.toString() === 'y'.repeat(200)));
  // Each flush hands over its own buffer: an earlier chunk is not overwritten by later writes.
  assert.equal(chunks[0]!.toString('utf8'), '{"a": 1},\n');
});

test('fileSink writes whole chunks to a file', async () => {
  const dir = await tempDir();
  try {
    const file = join(dir.path, 'out.txt');
    const fd = openSync(file, 'w');
    const out = new BufferedOutput(fileSink(fd), 16);
    for (let i = 0; i < 100; i++) out.write(`line ${i}\n`);
    out.flush();
    closeSync(fd);
    const expected = Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join('');
    assert.equal(readFileSync(file, 'utf8'), expected);
  } finally {
    await dir.cleanup();
  }
});
