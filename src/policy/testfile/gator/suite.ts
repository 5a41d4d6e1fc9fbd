/**
 * `gator verify` suites (test.gatekeeper.sh/v1alpha1 Suite): each test names a ConstraintTemplate and a
 * Constraint file, each case an object (and inventory objects) with assertions on the violations —
 * `violations: yes | no | N`, optionally only those whose message matches a regular expression. Runs through
 * Rampart's engine, so Gatekeeper and Kyverno policies are tested by the same code. Every violation counts,
 * whatever the constraint's enforcement action, as in gator. A bad template or constraint is a usage
 * error (exit 2), not a failed case.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { type Document, isObject } from '../../../core/document.js';
import { UserError } from '../../../core/errors.js';
import { loadDocumentsFromFile } from '../../../load/documents.js';
import { evaluate } from '../../engine/evaluate.js';
import type { LoadedPolicy } from '../../engine/kind.js';
import { loadPolicyDocuments } from '../../parse.js';

export const SUITE_API_VERSION = 'test.gatekeeper.sh/v1alpha1';

export interface Assertion {
  /** `yes` (at least one), `no` (none) or an exact count. */
  violations: 'yes' | 'no' | number;
  message?: RegExp;
}

export interface CaseOutcome {
  name: string;
  status: 'pass' | 'fail' | 'skip';
  /** Why it failed or was skipped. */
  reason?: string;
  /** The violation messages the case produced. */
  messages: string[];
  seconds: number;
}

export interface TestOutcome {
  name: string;
  status: 'pass' | 'fail' | 'skip';
  reason?: string;
  cases: CaseOutcome[];
  seconds: number;
}

export interface SuiteOutcome {
  file: string;
  tests: TestOutcome[];
  seconds: number;
}

/** `--run`: `TEST//CASE` regular expressions, or one that selects a test or a case by name. */
export interface RunFilter {
  test(name: string): boolean;
  case(test: string, name: string): boolean;
}

export function runFilter(pattern: string | undefined): RunFilter {
  if (!pattern) return { test: () => true, case: () => true };
  const compile = (p: string) => {
    try {
      return new RegExp(p);
    } catch (e) {
      throw new UserError(`--run: invalid regular expression "${p}": ${(e as Error).message}`);
    }
  };
  const sep = pattern.indexOf('//');
  if (sep >= 0) {
    const t = compile(pattern.slice(0, sep));
    const c = compile(pattern.slice(sep + 2));
    return { test: (n) => t.test(n), case: (test, n) => t.test(test) && c.test(n) };
  }
  const re = compile(pattern);
  return {
    test: () => true,
    case: (test, n) => re.test(test) || re.test(n),
  };
}

function resolvePath(base: string, p: unknown, field: string, file: string): string {
  if (typeof p !== 'string' || p === '') throw new UserError(`${file}: ${field}: a file path is required`);
  return isAbsolute(p) ? p : resolve(base, p);
}

function parseAssertion(a: unknown, field: string, file: string): Assertion {
  const o = isObject(a) ? a : {};
  const v = o.violations ?? 'yes';
  let violations: Assertion['violations'];
  if (v === 'yes' || v === 'no') violations = v;
  else if (typeof v === 'number' && Number.isInteger(v) && v >= 0) violations = v;
  else if (typeof v === 'string' && /^\d+$/.test(v)) violations = Number(v);
  else
    throw new UserError(`${file}: ${field}.violations: must be yes, no or a count, got ${JSON.stringify(v)}`);
  let message: RegExp | undefined;
  if (o.message !== undefined) {
    try {
      message = new RegExp(String(o.message));
    } catch (e) {
      throw new UserError(`${file}: ${field}.message: invalid regular expression: ${(e as Error).message}`);
    }
  }
  return { violations, message };
}

/** Whether an assertion holds; otherwise the reason in gator's words. */
export function checkAssertion(a: Assertion, messages: readonly string[]): string | undefined {
  const matching = a.message ? messages.filter((m) => a.message?.test(m)) : messages;
  const n = matching.length;
  const what = a.message ? ` matching ${JSON.stringify(a.message.source)}` : '';
  const got = `got messages ${JSON.stringify(messages)}`;
  if (a.violations === 'yes' && n === 0) return `got 0 violations${what} but want at least 1: ${got}`;
  if (a.violations === 'no' && n > 0) return `got ${n} violations${what} but want none: ${got}`;
  if (typeof a.violations === 'number' && n !== a.violations)
    return `got ${n} violations${what} but want exactly ${a.violations}: ${got}`;
  return undefined;
}

/**
 * The test's template and constraint, and ExpansionTemplates (in either file, or in the file a test's
 * `expansion` names: a Rampart addition that gator ignores). A problem with the
 * template is a usage error; one with the constraint is too, unless the test says `invalid: true`.
 */
async function policiesFrom(
  template: string,
  constraint: string,
  expansion: string | undefined,
  suite: string,
  test: string,
): Promise<{ policies: LoadedPolicy[]; constraintProblem?: string }> {
  const docs: Document[] = [];
  for (const f of [template, constraint, ...(expansion ? [expansion] : [])])
    docs.push(...(await loadDocumentsFromFile(f)));
  const loaded = loadPolicyDocuments(docs);
  const fromTemplate = loaded.invalid.find((i) => i.origin?.file !== constraint);
  if (fromTemplate) throw new UserError(`${suite}: test "${test}": ${fromTemplate.error.message}`);
  return { policies: loaded.policies, constraintProblem: loaded.invalid[0]?.error.message };
}

async function oneObject(file: string, field: string, suite: string): Promise<Document> {
  const docs = (await loadDocumentsFromFile(file)).filter((d) => isObject(d.content));
  if (docs.length !== 1)
    throw new UserError(`${suite}: ${field}: ${file} must hold exactly one object, found ${docs.length}`);
  return docs[0] as Document;
}

async function runCase(
  c: Record<string, unknown>,
  at: string,
  base: string,
  file: string,
  policies: readonly LoadedPolicy[],
): Promise<CaseOutcome> {
  const started = performance.now();
  const name = String(c.name ?? at);
  const seconds = () => (performance.now() - started) / 1000;
  const written = Array.isArray(c.assertions) ? c.assertions : [];
  // gator: a case without assertions expects the object to produce no violations.
  const assertions: Assertion[] =
    written.length === 0
      ? [{ violations: 'no' }]
      : written.map((a, i) => parseAssertion(a, `${at}.assertions[${i}]`, file));
  if (c.skip === true)
    return { name, status: 'skip', reason: 'skip: true', messages: [], seconds: seconds() };
  const object = await oneObject(resolvePath(base, c.object, `${at}.object`, file), `${at}.object`, file);
  const inventory: Document[] = [];
  const inv = Array.isArray(c.inventory) ? c.inventory : [];
  for (const [i, p] of inv.entries())
    inventory.push(...(await loadDocumentsFromFile(resolvePath(base, p, `${at}.inventory[${i}]`, file))));
  const responses = evaluate(policies, [object], { resourceSet: [object, ...inventory] });
  const unsupported = responses.find((r) => r.properties?.unsupported === 'true');
  if (unsupported)
    return { name, status: 'skip', reason: unsupported.message, messages: [], seconds: seconds() };
  const errors = responses.filter((r) => r.status === 'error').map((r) => r.message);
  const messages = responses.filter((r) => r.status === 'fail' || r.status === 'warn').map((r) => r.message);
  if (errors.length > 0)
    return {
      name,
      status: 'fail',
      reason: `evaluation error: ${errors.join('; ')}`,
      messages,
      seconds: seconds(),
    };
  for (const a of assertions) {
    const reason = checkAssertion(a, messages);
    if (reason) return { name, status: 'fail', reason, messages, seconds: seconds() };
  }
  return { name, status: 'pass', messages, seconds: seconds() };
}

/** Whether a document is a gator Suite. */
export function isSuiteDocument(content: unknown): boolean {
  return isObject(content) && content.kind === 'Suite' && content.apiVersion === SUITE_API_VERSION;
}

export async function runSuiteFile(
  file: string,
  filter: RunFilter = runFilter(undefined),
): Promise<SuiteOutcome | null> {
  const started = performance.now();
  const [doc] = await loadDocumentsFromFile(file);
  if (!doc || !isSuiteDocument(doc.content)) return null;
  const suite = doc.content as Record<string, unknown>;
  const base = dirname(file);
  const tests: TestOutcome[] = [];
  if (suite.skip === true) return { file, tests, seconds: 0 };
  const list = Array.isArray(suite.tests) ? suite.tests : [];
  for (const [ti, t] of list.entries()) {
    const test = isObject(t) ? t : {};
    const name = String(test.name ?? `tests[${ti}]`);
    if (!filter.test(name)) continue;
    const testStart = performance.now();
    const cases = (Array.isArray(test.cases) ? test.cases : []).filter(isObject);
    const selected = cases
      .map((c, ci) => ({ c, at: `tests[${ti}].cases[${ci}]` }))
      .filter(({ c, at }) => filter.case(name, String(c.name ?? at)));
    if (selected.length === 0 && cases.length > 0) continue;
    if (test.skip === true) {
      tests.push({ name, status: 'skip', reason: 'skip: true', cases: [], seconds: 0 });
      continue;
    }
    const constraintFile = resolvePath(base, test.constraint, `tests[${ti}].constraint`, file);
    const { policies, constraintProblem } = await policiesFrom(
      resolvePath(base, test.template, `tests[${ti}].template`, file),
      constraintFile,
      test.expansion === undefined
        ? undefined
        : resolvePath(base, test.expansion, `tests[${ti}].expansion`, file),
      file,
      name,
    );
    if (test.invalid === true) {
      // gator: the constraint must be rejected by its template (a missing or mistyped parameter...).
      tests.push({
        name,
        status: constraintProblem ? 'pass' : 'fail',
        ...(constraintProblem ? {} : { reason: 'the constraint is valid but the test wants invalid: true' }),
        cases: [],
        seconds: (performance.now() - testStart) / 1000,
      });
      continue;
    }
    if (constraintProblem) throw new UserError(`${file}: test "${name}": ${constraintProblem}`);
    if (policies.length === 0)
      throw new UserError(
        `${file}: test "${name}": the constraint file holds no Constraint of the template's kind`,
      );
    const outcomes: CaseOutcome[] = [];
    for (const { c, at } of selected) outcomes.push(await runCase(c, at, base, file, policies));
    const failed = outcomes.some((o) => o.status === 'fail');
    const allSkipped = outcomes.length > 0 && outcomes.every((o) => o.status === 'skip');
    tests.push({
      name,
      status: failed ? 'fail' : allSkipped ? 'skip' : 'pass',
      ...(allSkipped ? { reason: outcomes[0]?.reason } : {}),
      cases: outcomes,
      seconds: (performance.now() - testStart) / 1000,
    });
  }
  return { file, tests, seconds: (performance.now() - started) / 1000 };
}
