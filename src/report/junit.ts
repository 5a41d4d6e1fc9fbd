import type { Result } from '../core/result.js';

export function xmlEscape(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

/** JUnit XML: one test suite per policy, one test case per rule × resource. */
export function renderJunit(results: readonly Result[], suiteName = 'rampart'): string {
  const byPolicy = new Map<string, Result[]>();
  for (const r of results) {
    let list = byPolicy.get(r.policy);
    if (!list) byPolicy.set(r.policy, (list = []));
    list.push(r);
  }
  const suites: string[] = [];
  let total = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  for (const [policy, list] of byPolicy) {
    const cases = list.map((r) => {
      const res = [r.resource.kind, r.resource.namespace, r.resource.name].filter(Boolean).join('/');
      const where = r.origin ? ` (${r.origin.file}:${r.origin.line})` : '';
      const name = xmlEscape(`${r.rule} ${res}`);
      const msg = xmlEscape(r.message + where);
      let body = '';
      if (r.status === 'fail') body = `<failure message="${msg}" type="${xmlEscape(r.severity)}"/>`;
      else if (r.status === 'error') body = `<error message="${msg}"/>`;
      else if (r.status === 'skip') body = `<skipped message="${msg}"/>`;
      else if (r.status === 'warn') body = `<system-out>${xmlEscape(`WARN: ${r.message}`)}</system-out>`;
      return `    <testcase classname="${xmlEscape(policy)}" name="${name}">${body}</testcase>`;
    });
    const f = list.filter((r) => r.status === 'fail').length;
    const e = list.filter((r) => r.status === 'error').length;
    const s = list.filter((r) => r.status === 'skip').length;
    total += list.length;
    failures += f;
    errors += e;
    skipped += s;
    suites.push(
      `  <testsuite name="${xmlEscape(policy)}" tests="${list.length}" failures="${f}" errors="${e}" skipped="${s}">\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xmlEscape(suiteName)}" tests="${total}" failures="${failures}" errors="${errors}" skipped="${skipped}">\n${suites.join('\n')}\n</testsuites>\n`;
}
