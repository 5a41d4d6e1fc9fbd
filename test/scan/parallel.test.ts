import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { emptyConfig } from '../../src/scan/config.js';
import { defaultThreads, estimatedBytes, threadPlan } from '../../src/scan/parallel.js';
import { runScan } from '../../src/scan/run.js';
import { fixture, REPO_ROOT } from '../helpers/index.js';

describe('parallel evaluation', () => {
  test('worker threads give exactly the results of a single thread, in the same order', async () => {
    const paths = [join(REPO_ROOT, 'examples', 'platform'), fixture('scan', 'fixtures', 'repo')];
    const one = await runScan({ paths, config: emptyConfig(), threads: 1, includePassed: true });
    const three = await runScan({ paths, config: emptyConfig(), threads: 3, includePassed: true });
    assert.ok([...one.results].length > 100);
    assert.deepEqual([...three.results], [...one.results]);
    assert.deepEqual(three.summary, one.summary);
  });
});

describe('parallel evaluation with unreadable inputs', () => {
  test('errors from the main thread share and a worker share are both reported, as with one thread', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-parallel-'));
    try {
      const pod = (n: number) =>
        `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p${n}\n  namespace: team\nspec:\n  containers:\n    - name: c\n      image: nginx:latest\n`;
      for (let n = 0; n < 6; n++) {
        // The first file falls in the main thread's share, the last in the worker's.
        const text = n === 0 || n === 5 ? 'kind: Pod\nmetadata: {name: "unclosed\n' : pod(n);
        await writeFile(join(dir, `f${n}.yaml`), text);
      }
      const one = await runScan({ paths: [dir], config: emptyConfig(), threads: 1 });
      const two = await runScan({ paths: [dir], config: emptyConfig(), threads: 2 });
      assert.equal(one.errors.length, 2);
      assert.deepEqual(
        two.errors.map((e) => e.message),
        one.errors.map((e) => e.message),
      );
      assert.ok(two.errors.some((e) => e.message.includes('f0.yaml')));
      assert.ok(two.errors.some((e) => e.message.includes('f5.yaml')));
      assert.deepEqual([...two.results], [...one.results]);
      assert.equal(two.documents, 4);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("a large scan leaves one core to V8's compiler and collector, and uses at most four threads", () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 16].map((cores) => defaultThreads(cores)),
      [1, 1, 2, 3, 4, 4],
    );
  });

  test('the core left to V8 is taken when the input is large; threads asked for are kept', () => {
    const plan = (files: number, threads: number | undefined, cores: number) =>
      threadPlan(files, Math.ceil(files / 16), threads, cores);
    // Chosen on several cores: where one thread evaluates, the files are read ahead on the core left over.
    assert.deepEqual(plan(5000, undefined, 2), { workers: 0, addIfLarge: 1, readAhead: true });
    assert.deepEqual(plan(5000, undefined, 4), { workers: 2, addIfLarge: 1, readAhead: true });
    assert.deepEqual(plan(5000, undefined, 8), { workers: 3, addIfLarge: 0, readAhead: true });
    assert.deepEqual(plan(5000, undefined, 1), { workers: 0, addIfLarge: 0, readAhead: false });
    assert.deepEqual(plan(5000, 2, 2), { workers: 1, addIfLarge: 0, readAhead: false });
    assert.deepEqual(plan(5000, 1, 8), { workers: 0, addIfLarge: 0, readAhead: false });
    // Few files: this thread alone, whatever their size.
    assert.deepEqual(plan(100, undefined, 8), { workers: 0, addIfLarge: 0, readAhead: false });
    // Never more threads than batches.
    assert.deepEqual(plan(20, 4, 8), { workers: 1, addIfLarge: 0, readAhead: false });
  });

  test('an input is sized from a sample of its files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-size-'));
    try {
      const files: string[] = [];
      for (let i = 0; i < 300; i++) {
        const file = join(dir, `f${String(i).padStart(3, '0')}.yaml`);
        await writeFile(file, 'x'.repeat(i % 2 ? 1000 : 3000));
        files.push(file);
      }
      // Every other file is three times as large: the sample (every fourth file here) sees only the
      // large ones, so the estimate errs by the input's own unevenness, not by more.
      const estimate = estimatedBytes(files);
      assert.ok(estimate >= 600_000 && estimate <= 900_000, `estimate ${estimate}`);
      assert.equal(estimatedBytes(files.slice(1, 2)), 1000);
      assert.equal(estimatedBytes([join(dir, 'missing.yaml')]), 0);
      assert.equal(estimatedBytes([]), 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
