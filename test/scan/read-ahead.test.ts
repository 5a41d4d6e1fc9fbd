import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { STREAM_THRESHOLD_BYTES } from '../../src/load/documents.js';
import { emptyConfig } from '../../src/scan/config.js';
import { PARALLEL_FILE_THRESHOLD, startReadAhead } from '../../src/scan/parallel.js';
import { READ_AHEAD_BATCHES } from '../../src/scan/read-ahead.js';
import {
  FIRST_PASS_PIECE_FILES,
  firstPassPieces,
  KeptTexts,
  loadCrossDocuments,
  loadShare,
  STREAM_BATCH_FILES,
  toBatches,
} from '../../src/scan/read-share.js';
import { runScan } from '../../src/scan/run.js';
import { runRampart, tempDir } from '../helpers/index.js';

const pod = (n: number, namespace: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p${n}\n  namespace: ${namespace}\nspec:\n  hostPID: ${n % 2 === 0}\n  containers:\n    - name: c\n      image: nginx:${n % 3 ? '1.27' : 'latest'}\n`;

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 20_000) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('the read-ahead thread', () => {
  let dir: string;
  let files: string[];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rampart-read-ahead-'));
    files = [];
    const name = (i: number) => join(dir, `f${String(i).padStart(3, '0')}.yaml`);
    // 20 batches; a Namespace and a LimitRange for the first pass, an unreadable file, and one file
    // large enough to be read in parts (its batch is left to the evaluating thread).
    for (let i = 0; i < STREAM_BATCH_FILES * 20; i++) {
      let text = `${pod(i, `team-${i % 3}`)}---\n${pod(i + 1000, 'team-0')}`;
      if (i === 3)
        text = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-1\n  labels: {tier: gold}\n';
      if (i === 40)
        text = 'apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr, namespace: team-2}\nspec: {}\n';
      if (i === 17) text = 'kind: Pod\nmetadata: {name: "unclosed\n';
      if (i === 50) {
        // A long annotation per document keeps their number (and the test's time) down.
        const one = pod(i, 'team-0').replace(
          'metadata:\n',
          `metadata:\n  annotations: {padding: ${'x'.repeat(3_400)}}\n`,
        );
        text = Array.from({ length: Math.ceil(STREAM_THRESHOLD_BYTES / one.length) + 1 }, () => one).join(
          '---\n',
        );
      }
      await writeFile(name(i), text);
      files.push(name(i));
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // A thread that stops answering would leave a test waiting: each gets a bound.
  test('gives the first pass, then every batch as loadShare reads it, in order; a large file is left to the caller', {
    timeout: 60_000,
  }, async () => {
    const readAhead = startReadAhead([dir], true)!;
    assert.ok(readAhead, 'compiled code starts a read-ahead thread');
    try {
      readAhead.begin(files);
      const large: string[] = [];
      const cross = await loadCrossDocuments(files, (f) => large.push(f));
      const first = await readAhead.crossDocuments();
      assert.deepEqual(first.crossDocuments, cross);
      assert.deepEqual(
        first.crossDocuments.map((d) => (d.content as { kind: string }).kind),
        ['Namespace', 'LimitRange'],
      );
      assert.deepEqual(first.largeFiles, [files[50]]);
      assert.deepEqual(large, first.largeFiles);
      const batches = toBatches(files);
      for (const [index, batch] of batches.entries()) {
        const share = await readAhead.take(index);
        if (batch.includes(files[50]!)) {
          assert.equal(share, undefined, `batch ${index} holds the large file`);
          continue;
        }
        assert.deepEqual(share, await loadShare(batch), `batch ${index}`);
      }
    } finally {
      readAhead.stop();
    }
  });

  test(`reads at most ${READ_AHEAD_BATCHES} batches ahead of the one taken last`, {
    timeout: 60_000,
  }, async () => {
    const readAhead = startReadAhead([dir], true)!;
    try {
      readAhead.begin(files);
      await readAhead.crossDocuments();
      await until(() => readAhead.ready() === READ_AHEAD_BATCHES, `${READ_AHEAD_BATCHES} batches`);
      // Given time, it reads no further until a batch is taken.
      await sleep(300);
      assert.equal(readAhead.ready(), READ_AHEAD_BATCHES);
      await readAhead.take(0);
      await readAhead.take(1);
      await until(() => readAhead.ready() === READ_AHEAD_BATCHES, 'two more batches');
      await sleep(300);
      assert.equal(readAhead.ready(), READ_AHEAD_BATCHES);
    } finally {
      readAhead.stop();
    }
  });

  test('a batch asked for after the thread ended is an error, not a wait that never ends', {
    timeout: 60_000,
  }, async () => {
    const readAhead = startReadAhead([dir], true)!;
    readAhead.begin(files);
    readAhead.stop();
    await assert.rejects(
      readAhead.take(toBatches(files).length - 1),
      /read-ahead thread exited \(code \d+\)/,
    );
  });

  test('a scan read ahead gives exactly the results, counts and errors of one read where it is evaluated', {
    timeout: 120_000,
  }, async () => {
    const options = { paths: [dir], config: emptyConfig(), threads: 1, includePassed: true };
    const here = await runScan({ ...options, readAhead: false });
    const ahead = await runScan({ ...options, readAhead: true });
    const results = [...here.results];
    assert.ok(results.some((r) => r.status === 'fail'));
    assert.ok(results.some((r) => r.origin?.file === files[50]));
    assert.deepEqual([...ahead.results], results);
    assert.deepEqual(ahead.summary, here.summary);
    assert.equal(ahead.documents, here.documents);
    assert.deepEqual(
      ahead.errors.map((e) => e.message),
      here.errors.map((e) => e.message),
    );
    assert.equal(here.errors.length, 1);
    assert.match(here.errors[0]!.message, /f017\.yaml/);
  });
});

describe('the bundled CLI', () => {
  test(`scanning ${PARALLEL_FILE_THRESHOLD} files (read ahead where there are 2+ cores) reports what one thread reading its own files finds`, async () => {
    const dir = await tempDir('rampart-read-ahead-cli-');
    try {
      for (let i = 0; i < PARALLEL_FILE_THRESHOLD; i++)
        await writeFile(join(dir.path, `f${String(i).padStart(3, '0')}.yaml`), pod(i, `team-${i % 4}`));
      const cli = await runRampart(['scan', dir.path, '-o', 'json']);
      assert.equal(cli.code, 1, cli.stderr);
      const here = await runScan({ paths: [dir.path], config: emptyConfig(), threads: 1, readAhead: false });
      const report = JSON.parse(cli.stdout) as { results: unknown[]; summary: unknown };
      assert.ok(report.results.length > PARALLEL_FILE_THRESHOLD);
      assert.deepEqual(report.results, JSON.parse(JSON.stringify([...here.results])));
      assert.deepEqual(report.summary, here.summary);
    } finally {
      await dir.cleanup();
    }
  });
});

describe('texts kept by the first pass', () => {
  test('are parsed by the second pass instead of the files, once each, within the budget', async () => {
    const { path: dir, cleanup } = await tempDir('rampart-kept-texts-');
    try {
      const files = [0, 1, 2].map((i) => join(dir, `f${i}.yaml`));
      const podNamed = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n`;
      for (const [i, f] of files.entries()) await writeFile(f, podNamed(`first-${i}`));
      // Room for the first two texts only.
      const kept = new KeptTexts(podNamed('first-0').length * 2);
      await loadCrossDocuments(files, undefined, kept);
      // Changed on disk after the first pass: only a file read again shows it.
      for (const [i, f] of files.entries()) await writeFile(f, podNamed(`second-${i}`));
      const names = async () =>
        (await loadShare(files, kept)).documents.map(
          (d) => (d.content as { metadata: { name: string } }).metadata.name,
        );
      assert.deepEqual(await names(), ['first-0', 'first-1', 'second-2']);
      assert.deepEqual(await names(), ['second-0', 'second-1', 'second-2'], 'each kept text is given once');
    } finally {
      await cleanup();
    }
  });
});

describe('a first pass made by several threads', () => {
  test('takes each piece once and, put back in order, finds what one pass over every file finds', async () => {
    const { path: dir, cleanup } = await tempDir('rampart-first-pass-');
    try {
      const files: string[] = [];
      // Three pieces and a bit, a cross-document kind in most of them.
      for (let i = 0; i < FIRST_PASS_PIECE_FILES * 3 + 5; i++) {
        const file = join(dir, `f${String(i).padStart(4, '0')}.yaml`);
        const text =
          i % 50 === 7
            ? `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-${i}\n`
            : `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\n  namespace: ns-7\n`;
        await writeFile(file, text);
        files.push(file);
      }
      const claims = new Int32Array(new SharedArrayBuffer(4));
      // Two takers on one counter (their reads interleave piece by piece, as two threads' would).
      const [a, b] = await Promise.all([firstPassPieces(files, claims), firstPassPieces(files, claims)]);
      const pieces = [...a!, ...b!].sort((x, y) => x.piece - y.piece);
      assert.deepEqual(
        pieces.map((p) => p.piece),
        [0, 1, 2, 3],
      );
      assert.ok(a!.length > 0 && b!.length > 0, 'both took pieces');
      const names = pieces.flatMap((p) =>
        p.crossDocuments.map((d) => (d.content as { metadata: { name: string } }).metadata.name),
      );
      assert.deepEqual(names, ['ns-7', 'ns-57', 'ns-107', 'ns-157']);
      assert.deepEqual(
        pieces.flatMap((p) => p.crossDocuments),
        await loadCrossDocuments(files),
      );
    } finally {
      await cleanup();
    }
  });
});
