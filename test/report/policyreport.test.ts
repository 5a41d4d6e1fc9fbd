import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAllDocuments, stringify } from 'yaml';
import type { Result } from '../../src/core/result.js';
import { listItemYaml } from '../../src/report/block-yaml.js';
import { buildPolicyReports, renderPolicyReportChunks } from '../../src/report/policyreport.js';

/** Strings that yaml quotes, folds into block scalars or reads as something else when plain. */
const TRICKY = [
  'plain-name',
  'a message with spaces, "quotes" and it\'s',
  'key: value',
  'a #comment',
  'first line\nsecond line',
  'ends with a newline\n',
  'blank\n\nline between',
  '  leading spaces',
  'trailing space ',
  '',
  '123',
  '1e3',
  'true',
  'NULL',
  '~',
  '- dash',
  '"double"',
  "'single'",
  'tab\there',
  'ünïcödé → ✓',
  '--- document marker',
  '*alias',
  '&anchor',
  '{flow}',
  '[flow]',
  '%directive',
  '@reserved',
  '`backtick`',
];

function result(i: number): Result {
  const text = TRICKY[i % TRICKY.length]!;
  const namespace: string = i % 3 ? `ns-${i % 3}` : text || 'ns';
  return {
    policy: i % 2 ? 'pod-security' : text || 'p',
    rule: `rule-${i % 5}`,
    resource: {
      apiVersion: 'v1',
      kind: 'Pod',
      name: i % 3 ? `pod-${i}` : text || 'x',
      namespace: i % 4 ? namespace : '',
    },
    status: (['fail', 'warn', 'pass', 'error', 'skip'] as const)[i % 5]!,
    message: text,
    severity: (['critical', 'high', 'medium', 'low', 'info'] as const)[i % 5]!,
    category: 'pod-security',
    origin: { file: 'f.yaml', line: i + 1, column: 1, index: i },
    ...(i % 3 === 0 ? { properties: { qosClass: text, count: i, suppressed: 'reason: kept' } } : {}),
  };
}

test('PolicyReports written an entry at a time are the text yaml writes for the whole reports', () => {
  const results = Array.from({ length: TRICKY.length * 6 }, (_, i) => result(i));
  const expected = buildPolicyReports(results, 1_700_000_000)
    .map((r) => stringify(r, { lineWidth: 0 }))
    .join('---\n');
  const written = [...renderPolicyReportChunks(results, 1_700_000_000)].join('');
  assert.equal(written, expected);
  // And it reads back as the reports it was built from.
  const read = parseAllDocuments(written).map((d) => d.toJS());
  assert.deepEqual(read, JSON.parse(JSON.stringify(buildPolicyReports(results, 1_700_000_000))));
});

test('listItemYaml writes nested maps and lists as yaml does, and hands odd keys and values to yaml', () => {
  const items: Record<string, unknown>[] = [
    { a: 'x', nested: { b: 1, c: true, d: 'two\nlines' }, list: [{ e: 'f' }, { g: 'h: i' }] },
    { 'odd key': 'x' },
    { empty: {} },
    { none: [] },
    { nothing: null },
    { fraction: 1.5 },
    { scalars: ['a', 'b'] },
  ];
  for (const item of items) {
    for (const indent of [0, 2, 6]) {
      const expected = stringify([item], { lineWidth: 0 }).replace(/^(?=.)/gm, ' '.repeat(indent));
      assert.equal(listItemYaml(item, indent), expected, JSON.stringify(item));
    }
  }
});
