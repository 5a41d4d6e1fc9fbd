import { type JunitCase, type JunitSuite, renderJunitXml } from '../../report/junit.js';
import { boxTable } from '../../report/text-table.js';
import type { TestOutcome, TestRow } from './run.js';

export interface TestSummary {
  passed: number;
  failed: number;
  errors: number;
}

export function summarize(outcomes: readonly TestOutcome[]): TestSummary {
  let passed = 0;
  let failed = 0;
  let errors = 0;
  for (const o of outcomes) {
    if (o.error) errors++;
    for (const r of o.rows) r.ok ? passed++ : failed++;
  }
  return { passed, failed, errors };
}

export function renderTestJson(outcomes: readonly TestOutcome[]): string {
  const tests = outcomes.map((o) => ({
    file: o.file,
    name: o.name,
    error: o.error,
    results: o.rows.map((r) => ({
      policy: r.policy,
      rule: r.rule,
      kind: r.kind,
      namespace: r.namespace,
      resource: r.resource,
      expected: r.expected,
      actual: r.actual,
      ok: r.ok,
      message: r.message,
    })),
  }));
  return `${JSON.stringify({ tests, summary: summarize(outcomes) }, null, 2)}\n`;
}

export interface TableOptions {
  failOnly?: boolean;
  detailed?: boolean;
  color?: boolean;
}

export function renderTestTable(outcomes: readonly TestOutcome[], options: TableOptions = {}): string {
  const paint = (code: string, s: string) => (options.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const out: string[] = [];
  for (const o of outcomes) {
    out.push(`Loading test ${o.name || '(unnamed)'} ( ${o.file} ) ...`);
    for (const n of o.notices) out.push(`  notice: ${n}`);
    if (o.error) {
      out.push(`  ${paint('31', 'Error')}: ${o.error}`);
      continue;
    }
    const rows = o.rows.filter((r) => !options.failOnly || !r.ok);
    if (!rows.length) {
      out.push(options.failOnly ? '  all results matched' : '  no results');
      continue;
    }
    const header = [
      'ID',
      'POLICY',
      'RULE',
      'RESOURCE',
      'RESULT',
      'REASON',
      ...(options.detailed ? ['MESSAGE'] : []),
    ];
    const body = rows.map((r: TestRow, i) => [
      String(i + 1),
      r.policy,
      r.rule,
      r.resourceKey,
      r.ok ? (r.expected === 'skip' ? 'Skip' : 'Pass') : 'Fail',
      r.reason,
      ...(options.detailed ? [r.message.replace(/\s+/g, ' ')] : []),
    ]);
    out.push(boxTable(header, body));
    rows.forEach((r, i) => {
      if (r.diff)
        out.push(
          `  Resource diff for row ${i + 1} (${r.resourceKey}):`,
          ...r.diff
            .trimEnd()
            .split('\n')
            .map((l) => `    ${l}`),
        );
    });
  }
  const s = summarize(outcomes);
  out.push('');
  if (s.errors) out.push(`Test errors: ${s.errors} test document(s) could not be loaded or run`);
  out.push(`Test Summary: ${s.passed} tests passed and ${s.failed} tests failed`);
  return `${out.join('\n')}\n`;
}

export function renderTestJunit(outcomes: readonly TestOutcome[]): string {
  const suites = outcomes.map((o): JunitSuite => {
    const cases: JunitCase[] = o.rows.map((r) => ({
      classname: o.name || o.file,
      name: `${r.policy}/${r.rule}/${r.resourceKey}`,
      outcome: r.ok ? { status: 'pass' } : { status: 'failure', message: r.reason, text: r.message },
    }));
    if (o.error)
      cases.push({ classname: o.file, name: 'load', outcome: { status: 'error', message: o.error } });
    return { name: o.name || o.file, cases };
  });
  return renderJunitXml('rampart test', suites);
}
