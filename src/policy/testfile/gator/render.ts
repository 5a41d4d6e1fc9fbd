/**
 * gator verify's output: Go test style. Quiet, a passing suite is one `ok` line; a failing one lists its
 * failing tests and cases with the reason. With `verbose`, every test and case gets `=== RUN` and
 * `--- PASS/FAIL/SKIP` lines. The last line is PASS or FAIL.
 */
import type { SuiteOutcome } from './suite.js';

const time = (s: number) => `(${s.toFixed(3)}s)`;

export function renderSuites(suites: readonly SuiteOutcome[], verbose = false): string {
  const out: string[] = [];
  let failed = false;
  for (const s of suites) {
    const suiteFailed = s.tests.some((t) => t.status === 'fail');
    failed ||= suiteFailed;
    for (const t of s.tests) {
      if (!verbose && t.status !== 'fail') continue;
      if (verbose) out.push(`=== RUN   ${t.name}`);
      for (const c of t.cases) {
        if (!verbose && c.status !== 'fail') continue;
        if (verbose) out.push(`    === RUN   ${c.name}`);
        out.push(`    --- ${c.status.toUpperCase()}: ${c.name}\t${time(c.seconds)}`);
        if (c.reason && c.status !== 'pass') out.push(`        ${c.reason}`);
      }
      out.push(`--- ${t.status.toUpperCase()}: ${t.name}\t${time(t.seconds)}`);
      if (t.reason && t.cases.length === 0) out.push(`    ${t.reason}`);
    }
    out.push(`${suiteFailed ? 'FAIL' : 'ok'}\t${s.file}\t${s.seconds.toFixed(3)}s`);
  }
  out.push(failed ? 'FAIL' : 'PASS');
  return `${out.join('\n')}\n`;
}

export function suitesFailed(suites: readonly SuiteOutcome[]): boolean {
  return suites.some((s) => s.tests.some((t) => t.status === 'fail'));
}
