import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UserError } from '../../src/core/errors.js';
import type { Result } from '../../src/core/result.js';
import { renderCsv } from '../../src/report/csv.js';
import { FormatRegistry } from '../../src/report/formats.js';
import { OUTPUT_FORMATS, parseOutputFormat, renderResults } from '../../src/report/index.js';
import { renderJsonDocument } from '../../src/report/json.js';
import { renderJunit, renderJunitChunks, renderJunitXml } from '../../src/report/junit.js';
import { renderTable } from '../../src/report/table.js';
import { alignColumns, boxTable } from '../../src/report/text-table.js';

const result = (status: Result['status'], message: string): Result => ({
  policy: 'p',
  rule: 'r',
  resource: { kind: 'Pod', namespace: 'ns', name: 'a', apiVersion: 'v1' },
  status,
  message,
  severity: 'high',
  category: 'pack',
  origin: { file: 'f.yaml', line: 3, column: 1, index: 0 },
});

describe('shared report writers', () => {
  test('alignColumns pads by code points and trims trailing blanks, also on ragged rows', () => {
    assert.deepEqual(alignColumns([['A', 'BB', 'C'], ['aaa', '→', ''], ['x']]), [
      'A    BB  C',
      'aaa  →',
      'x',
    ]);
  });

  test('boxTable draws a header and rows', () => {
    assert.equal(
      boxTable(['K', 'V'], [['a', 'bb']]),
      '┌───┬────┐\n│ K │ V  │\n├───┼────┤\n│ a │ bb │\n└───┴────┘',
    );
  });

  test('renderCsv quotes what RFC 4180 requires and leaves null empty', () => {
    assert.equal(
      renderCsv(
        ['a', 'b'],
        [
          ['x,y', null],
          ['say "hi"', 2],
        ],
      ),
      'a,b\r\n"x,y",\r\n"say ""hi""",2\r\n',
    );
  });

  test('renderJsonDocument indents and ends with a newline', () => {
    assert.equal(renderJsonDocument({ a: [1] }), '{\n  "a": [\n    1\n  ]\n}\n');
  });

  test('renderJunitXml counts per suite and in total, and escapes', () => {
    const xml = renderJunitXml(
      'n',
      [
        {
          name: 's<1>',
          cases: [
            { classname: 'c', name: 'ok', outcome: { status: 'pass' } },
            { classname: 'c', name: 'bad', outcome: { status: 'failure', message: 'a & b', text: 'why' } },
            { classname: 'c', name: 'skip', outcome: { status: 'skipped', message: 'later' } },
          ],
        },
      ],
      { countSkipped: true },
    );
    assert.match(xml, /<testsuites name="n" tests="3" failures="1" errors="0" skipped="1">/);
    assert.match(xml, /<testsuite name="s&lt;1&gt;" tests="3" failures="1" errors="0" skipped="1">/);
    assert.match(xml, /<failure message="a &amp; b">why<\/failure>/);
  });
  test('renderJunit, written a suite at a time, is renderJunitXml of the results grouped by policy', () => {
    const statuses: Result['status'][] = ['fail', 'pass', 'error', 'skip', 'warn'];
    // Policies interleaved: each suite gathers its cases in the order they came, suites first-seen first.
    const results = Array.from({ length: 23 }, (_, i) => ({
      ...result(statuses[i % 5]!, `message <${i}> & more`),
      policy: `policy-${(i * 7) % 3}`,
      rule: `rule-${i}`,
    }));
    const suites = ['policy-0', 'policy-1', 'policy-2'].map((policy) => ({
      name: policy,
      cases: results
        .filter((r) => r.policy === policy)
        .map((r) => ({
          classname: policy,
          name: `${r.rule} Pod/ns/a`,
          outcome:
            r.status === 'fail'
              ? { status: 'failure' as const, message: `${r.message} (f.yaml:3)`, type: r.severity }
              : r.status === 'error'
                ? { status: 'error' as const, message: `${r.message} (f.yaml:3)` }
                : r.status === 'skip'
                  ? { status: 'skipped' as const, message: `${r.message} (f.yaml:3)` }
                  : r.status === 'warn'
                    ? { status: 'output' as const, text: `WARN: ${r.message}` }
                    : { status: 'pass' as const },
        })),
    }));
    const written = [...renderJunitChunks(results)].join('');
    assert.equal(written, renderJunit(results));
    assert.match(written, /<testsuites name="rampart" tests="23" failures="5" errors="5" skipped="4">/);
    assert.equal(written, renderJunitXml('rampart', suites, { countSkipped: true }));
  });
});

describe('table', () => {
  const at = (file: string, line: number, message: string): Result => ({
    ...result('fail', message),
    origin: { file, line, column: 1, index: 0 },
  });
  const unordered = [
    at('b.yaml', 9, 'b9'),
    at('B.yaml', 2, 'B2'),
    at('b.yaml', 1, 'b1'),
    at('a.yaml', 5, 'a5'),
  ];
  const ordered = [
    at('B.yaml', 2, 'B2'),
    at('a.yaml', 5, 'a5'),
    at('b.yaml', 1, 'b1'),
    at('b.yaml', 9, 'b9'),
  ];

  test('an array is put in report order: files by code unit, as json and sarif list them, then lines', () => {
    const text = renderTable(unordered);
    const order = [...text.matchAll(/^ {11}(\w+)$/gm)].map((m) => m[1]);
    assert.deepEqual(order, ['B2', 'a5', 'b1', 'b9']);
    assert.match(text, /^B\.yaml\n {2}2:1 .*\n {11}B2\n\na\.yaml\n/m);
  });

  test("a stream (a scan's results) is written as it comes, the same text as the array in that order", () => {
    function* stream() {
      yield* ordered;
    }
    assert.equal(
      renderTable(stream(), { summary: { pass: 0, fail: 4, warn: 0, error: 0, skip: 0 } }),
      renderTable(unordered),
    );
    assert.equal(
      renderTable(stream(), { compact: true, summary: { pass: 0, fail: 4, warn: 0, error: 0, skip: 0 } }),
      renderTable(unordered, { compact: true }),
    );
  });
});

describe('format registry', () => {
  test('results formats are registered once and parsed with a usage error for others', () => {
    assert.deepEqual([...OUTPUT_FORMATS], ['table', 'json', 'sarif', 'junit', 'policyreport']);
    assert.equal(parseOutputFormat(undefined), 'table');
    assert.equal(parseOutputFormat('junit'), 'junit');
    assert.throws(() => parseOutputFormat('sarif', ['table', 'json']), UserError);
    assert.throws(
      () => parseOutputFormat('xml'),
      /-o\/--output must be one of table, json, sarif, junit, policyreport/,
    );
    const json = JSON.parse(renderResults([result('fail', 'm')], 'json'));
    assert.deepEqual(json.summary, { pass: 0, fail: 1, warn: 0, error: 0, skip: 0 });
    assert.match(
      renderResults([result('fail', 'm')], 'junit'),
      /<failure message="m \(f.yaml:3\)" type="high"\/>/,
    );
  });

  test('a registry of another value type renders through its own entries', async () => {
    const registry = new FormatRegistry<number[], { sep: string }, 'csv' | 'sum'>({
      csv: { description: 'values', render: (v, o) => v.join(o.sep) },
      sum: { description: 'total', render: (v) => String(v.reduce((a, b) => a + b, 0)) },
    });
    assert.deepEqual(registry.names, ['csv', 'sum']);
    assert.equal(registry.render([1, 2], registry.parse('csv'), { sep: ';' }), '1;2');
    assert.equal(registry.render([1, 2], 'sum', { sep: '' }), '3');
    assert.ok(!registry.has('toString'));
    assert.throws(() => registry.parse('toString'), UserError);
  });
});
