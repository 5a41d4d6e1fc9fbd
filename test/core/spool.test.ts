import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, test } from 'node:test';
import { compareKeys, groupRecords, RecordSpool } from '../../src/core/spool.js';

interface Rec {
  id: number;
  text: string;
}

/** Segments added out of key order, with records that survive a trip through JSON lines. */
function fill(spool: RecordSpool<Rec>): Rec[] {
  const keys: [number, number][] = [
    [2, 0],
    [0, 1],
    [1, 0],
    [0, 0],
    [2, 1],
    [1, 0], // equal keys keep the order they were added in
  ];
  const bySegment = keys.map(([a, b], s) =>
    Array.from({ length: 3 + s }, (_, i) => ({ id: s * 100 + i, text: `seg ${a}.${b}\nline "${i}" ✓` })),
  );
  keys.forEach((key, s) => {
    spool.add(key, bySegment[s]!.slice());
  });
  const order = keys
    .map((key, s) => ({ key, s }))
    .sort((x, y) => compareKeys(x.key, y.key) || x.s - y.s)
    .flatMap(({ s }) => bySegment[s]!);
  return order;
}

const spoolFiles = () => readdirSync(tmpdir()).filter((f) => f.startsWith('rampart-spool-'));

describe('RecordSpool', () => {
  test('reads segments in key order, the same whether held in memory or spilled to disk', () => {
    const inMemory = new RecordSpool<Rec>(1_000);
    const spilled = new RecordSpool<Rec>(5);
    const expected = fill(inMemory);
    fill(spilled);
    assert.equal(inMemory.spilled, false);
    assert.equal(spilled.spilled, true);
    assert.deepEqual([...inMemory], expected);
    assert.deepEqual([...spilled], expected);
    // Read again: still there, still in order; and readGroup yields one first key's segments.
    assert.deepEqual([...spilled], expected);
    assert.deepEqual(
      [...spilled.readGroup(1)],
      expected.filter((r) => r.text.startsWith('seg 1.')),
    );
    assert.equal(spilled.size, expected.length);
    spilled.close();
    inMemory.close();
    assert.deepEqual([...spilled], []);
  });

  test('records read back whole across read blocks: multi-byte characters, and one longer than a block', () => {
    const spool = new RecordSpool<Rec>(1);
    const records: Rec[] = Array.from({ length: 3_000 }, (_, i) => ({
      id: i,
      text: `${'ünïcödé ✓ 😀 '.repeat(40)}${i}`,
    }));
    records.splice(1_500, 0, { id: -1, text: `${'→'.repeat(600_000)}end` });
    for (let i = 0; i < records.length; i += 250) spool.add([i], records.slice(i, i + 250));
    assert.equal(spool.spilled, true);
    const read = [...spool];
    assert.equal(read.length, records.length);
    assert.deepEqual(read, records);
    spool.close();
  });

  test('a spilled spool leaves no file behind, even before it is closed', () => {
    const before = spoolFiles();
    const spool = new RecordSpool<Rec>(1);
    spool.add(
      [0],
      [
        { id: 1, text: 'a' },
        { id: 2, text: 'b' },
      ],
    );
    assert.equal(spool.spilled, true);
    assert.deepEqual(spoolFiles(), before);
    assert.deepEqual(
      [...spool].map((r) => r.id),
      [1, 2],
    );
    spool.close();
  });

  test('compareKeys orders by each number in turn, a shorter prefix first', () => {
    assert.ok(compareKeys([1, 2], [1, 3]) < 0);
    assert.ok(compareKeys([2], [1, 9]) > 0);
    assert.ok(compareKeys([1], [1, 0]) < 0);
    assert.equal(compareKeys([4, 4], [4, 4]), 0);
  });
});

describe('groupRecords', () => {
  for (const budget of [1_000_000, 7]) {
    test(`groups interleaved records by key, each group in arrival order (memory budget ${budget})`, () => {
      const records: Rec[] = Array.from({ length: 10_000 }, (_, i) => ({
        id: i,
        text: ['b', 'a', 'c', ''][(i * 7) % 4]!,
      }));
      const grouped = groupRecords(
        records,
        (r) => r.text,
        (a, b) => a.localeCompare(b),
        budget,
      );
      try {
        assert.deepEqual(
          grouped.groups.map((g) => g.key),
          ['', 'a', 'b', 'c'],
        );
        for (const group of grouped.groups) {
          const expected = records.filter((r) => r.text === group.key);
          assert.equal(group.size, expected.length);
          assert.deepEqual([...group.records], expected);
          assert.deepEqual([...group.records], expected, 'a group can be read twice');
        }
      } finally {
        grouped.close();
      }
    });
  }

  test('thousands of groups, one much larger than the rest: each group whole and in order, on disk', () => {
    const records: Rec[] = Array.from({ length: 40_000 }, (_, i) => ({
      id: i,
      text: i % 3 === 0 ? 'big' : `k${(i * 7) % 2_000}`,
    }));
    const expected = new Map<string, Rec[]>();
    for (const r of records) {
      if (!expected.has(r.text)) expected.set(r.text, []);
      expected.get(r.text)!.push(r);
    }
    const grouped = groupRecords(records, (r) => r.text, undefined, 1_000);
    try {
      assert.deepEqual(
        grouped.groups.map((g) => g.key),
        [...expected.keys()],
      );
      for (const group of grouped.groups) assert.deepEqual([...group.records], expected.get(group.key));
    } finally {
      grouped.close();
    }
  });

  test('without an order, groups come in the order their keys were first seen', () => {
    const grouped = groupRecords([3, 1, 3, 2, 1], (n) => n);
    assert.deepEqual(
      grouped.groups.map((g) => [g.key, [...g.records]]),
      [
        [3, [3, 3]],
        [1, [1, 1]],
        [2, [2]],
      ],
    );
    grouped.close();
  });
});
