import { escapeMarkup } from '../core/markup.js';
import type { Result } from '../core/result.js';
import { groupRecords } from '../core/spool.js';

const xmlEscape = (text: string) => escapeMarkup(text, '&apos;');

/** How one JUnit test case ended; `output` is a pass with text (a warning) in system-out. */
export type JunitOutcome =
  | { status: 'pass' }
  | { status: 'failure'; message: string; type?: string; text?: string }
  | { status: 'error'; message: string }
  | { status: 'skipped'; message: string }
  | { status: 'output'; text: string };

export interface JunitCase {
  classname: string;
  name: string;
  outcome: JunitOutcome;
}

export interface JunitSuite {
  name: string;
  cases: readonly JunitCase[];
}

function caseBody(o: JunitOutcome): string {
  switch (o.status) {
    case 'failure': {
      const type = o.type !== undefined ? ` type="${xmlEscape(o.type)}"` : '';
      const open = `<failure message="${xmlEscape(o.message)}"${type}`;
      return o.text === undefined ? `${open}/>` : `${open}>${xmlEscape(o.text)}</failure>`;
    }
    case 'error':
      return `<error message="${xmlEscape(o.message)}"/>`;
    case 'skipped':
      return `<skipped message="${xmlEscape(o.message)}"/>`;
    case 'output':
      return `<system-out>${xmlEscape(o.text)}</system-out>`;
    default:
      return '';
  }
}

/**
 * The JUnit XML document every command writes: suites of cases, with tests, failures and errors counted
 * per suite and in total (and skipped, where the caller reports skips).
 */
export function renderJunitXml(
  name: string,
  suites: readonly JunitSuite[],
  options: { countSkipped?: boolean } = {},
): string {
  const counts = (cases: readonly JunitCase[]) => {
    const n = (status: JunitOutcome['status']) => cases.filter((c) => c.outcome.status === status).length;
    const skipped = options.countSkipped ? ` skipped="${n('skipped')}"` : '';
    return `tests="${cases.length}" failures="${n('failure')}" errors="${n('error')}"${skipped}`;
  };
  const body = suites.map((suite) => {
    const cases = suite.cases.map(
      (c) =>
        `    <testcase classname="${xmlEscape(c.classname)}" name="${xmlEscape(c.name)}">${caseBody(c.outcome)}</testcase>`,
    );
    return `  <testsuite name="${xmlEscape(suite.name)}" ${counts(suite.cases)}>\n${cases.join('\n')}\n  </testsuite>`;
  });
  const all = suites.flatMap((s) => s.cases);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xmlEscape(name)}" ${counts(all)}>\n${body.join('\n')}\n</testsuites>\n`;
}

function resultOutcome(r: Result): JunitOutcome {
  const where = r.origin ? ` (${r.origin.file}:${r.origin.line})` : '';
  const message = r.message + where;
  switch (r.status) {
    case 'fail':
      return { status: 'failure', message, type: r.severity };
    case 'error':
      return { status: 'error', message };
    case 'skip':
      return { status: 'skipped', message };
    case 'warn':
      return { status: 'output', text: `WARN: ${r.message}` };
    default:
      return { status: 'pass' };
  }
}

/** JUnit XML: one test suite per policy, one test case per rule × resource. */
export function renderJunit(results: Iterable<Result>, suiteName = 'rampart'): string {
  return [...renderJunitChunks(results, suiteName)].join('');
}

interface CaseCounts {
  tests: number;
  failure: number;
  error: number;
  skipped: number;
}

const noCases = (): CaseCounts => ({ tests: 0, failure: 0, error: 0, skipped: 0 });

function countCase(c: CaseCounts, r: Result): void {
  c.tests++;
  if (r.status === 'fail') c.failure++;
  else if (r.status === 'error') c.error++;
  else if (r.status === 'skip') c.skipped++;
}

/** The results as they pass, each counted in its policy's suite and in the whole. */
function* counted(
  results: Iterable<Result>,
  suites: Map<string, CaseCounts>,
  all: CaseCounts,
): Generator<Result> {
  for (const r of results) {
    let c = suites.get(r.policy);
    if (!c) suites.set(r.policy, (c = noCases()));
    countCase(c, r);
    countCase(all, r);
    yield r;
  }
}

const countsText = (c: CaseCounts) =>
  `tests="${c.tests}" failures="${c.failure}" errors="${c.error}" skipped="${c.skipped}"`;

/**
 * renderJunit's text (the same as renderJunitXml's with skips counted) a test case at a time: results
 * are counted as they are grouped by policy in bounded memory (see groupRecords), then each suite is
 * written, so a scan with very many findings is written without holding them.
 */
export function* renderJunitChunks(results: Iterable<Result>, suiteName = 'rampart'): Generator<string> {
  const counts = new Map<string, CaseCounts>();
  const all = noCases();
  const byPolicy = groupRecords(counted(results, counts, all), (r) => r.policy);
  try {
    yield `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xmlEscape(suiteName)}" ${countsText(all)}>\n`;
    for (const [i, { key: policy, records }] of byPolicy.groups.entries()) {
      let text = `${i ? '\n' : ''}  <testsuite name="${xmlEscape(policy)}" ${countsText(counts.get(policy)!)}>\n`;
      let first = true;
      for (const r of records) {
        const name = `${r.rule} ${[r.resource.kind, r.resource.namespace, r.resource.name].filter(Boolean).join('/')}`;
        text += `${first ? '' : '\n'}    <testcase classname="${xmlEscape(policy)}" name="${xmlEscape(name)}">${caseBody(resultOutcome(r))}</testcase>`;
        first = false;
        if (text.length >= 1 << 16) {
          yield text;
          text = '';
        }
      }
      yield `${text}\n  </testsuite>`;
    }
    yield '\n</testsuites>\n';
  } finally {
    byPolicy.close();
  }
}
