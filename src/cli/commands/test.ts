import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UserError } from '../../core/errors.js';
import { discoverTestFiles } from '../../policy/testfile/discover.js';
import { renderSuites, suitesFailed } from '../../policy/testfile/gator/render.js';
import { runFilter, runSuiteFile, type SuiteOutcome } from '../../policy/testfile/gator/suite.js';
import { renderTestJson, renderTestJunit, renderTestTable, summarize } from '../../policy/testfile/report.js';
import { parseSelector, runTestFile, type TestOutcome } from '../../policy/testfile/run.js';
import { errorLine } from '../error-line.js';
import { oneOf, parseFlags } from '../flags.js';

const HELP = `Usage: rampart test PATH... [options]

Runs Kyverno CLI test files (cli.kyverno.io/v1alpha1 kind: Test, and the legacy untyped format)
found recursively under PATH (hidden folders such as .kyverno-test/ included), and OPA Gatekeeper
\`gator verify\` suites (suite.yaml, test.gatekeeper.sh/v1alpha1 Suite) found beside them.

Options:
  -f, --file-name NAME            test file name to look for (default kyverno-test.yaml)
  -t, --test-case-selector SEL    "policy=P,rule=R,resource=X" with * and ? wildcards
      --fail-only                 show only the rows that failed
      --detailed-results          add the rule's message to each row
      --require-tests             exit 2 when no test file is found
  -o, --output FORMAT             table (default), json, junit
      --run REGEX                 gator suites: run only tests/cases matching (TEST//CASE, as gator)
  -v, --verbose                   gator suites: a line per test and case

Exit codes: 0 every expected result matched, 1 a mismatch or a test that failed to load, 2 usage error.
Difference from Kyverno's CLI: an expectation for a resource no rule of the policy applied to is a
mismatch ("No result") unless it expects skip; Kyverno counts it as a pass (kyverno issue 11519).`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags<{
    'file-name'?: string;
    'test-case-selector'?: string;
    'fail-only'?: boolean;
    'detailed-results'?: boolean;
    'require-tests'?: boolean;
    'remove-color'?: boolean;
    output?: string;
    run?: string;
    verbose?: boolean;
    help?: boolean;
  }>(
    argv,
    {
      'file-name': { type: 'string', short: 'f' },
      'test-case-selector': { type: 'string', short: 't' },
      'fail-only': { type: 'boolean' },
      'detailed-results': { type: 'boolean' },
      'require-tests': { type: 'boolean' },
      'remove-color': { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      run: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
    'test',
  );
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT_OK;
  }
  if (positionals.length === 0) throw new UserError('test: at least one path is required');
  const format = oneOf(values.output, 'output', ['table', 'json', 'junit'] as const, 'table');
  const selector = parseSelector(values['test-case-selector']);
  const files = await discoverTestFiles(positionals, values['file-name'] ?? 'kyverno-test.yaml');
  const suites = await runGatorSuites(positionals, values.run);
  if (suites.length > 0) {
    // gator's text report; beside json or junit output for Kyverno tests it goes to stderr so that
    // stdout stays one parseable document.
    const gator = renderSuites(suites, values.verbose);
    if (files.length === 0 || format === 'table') process.stdout.write(gator);
    else process.stderr.write(gator);
    if (files.length === 0) return suitesFailed(suites) ? EXIT_FINDINGS : EXIT_OK;
  }
  if (files.length === 0) {
    if (values['require-tests'])
      throw new UserError(`test: no ${values['file-name'] ?? 'kyverno-test.yaml'} found`);
    process.stdout.write('No test yamls available\n');
    return EXIT_OK;
  }
  const outcomes: TestOutcome[] = [];
  for (const file of files) outcomes.push(...(await runTestFile(file, selector)));
  const color = process.stdout.isTTY && !process.env.NO_COLOR && !values['remove-color'];
  if (format === 'json') process.stdout.write(renderTestJson(outcomes));
  else if (format === 'junit') process.stdout.write(renderTestJunit(outcomes));
  else {
    process.stdout.write(
      renderTestTable(outcomes, {
        failOnly: values['fail-only'],
        detailed: values['detailed-results'],
        color,
      }),
    );
  }
  // A test document that could not be loaded or run is an input error: named on stderr, exit 2.
  for (const o of outcomes) if (o.error) process.stderr.write(errorLine('test', o.error));
  const s = summarize(outcomes);
  if (s.errors > 0) return EXIT_USAGE;
  return s.failed > 0 || suitesFailed(suites) ? EXIT_FINDINGS : EXIT_OK;
}

async function runGatorSuites(paths: string[], run: string | undefined): Promise<SuiteOutcome[]> {
  const filter = runFilter(run);
  const out: SuiteOutcome[] = [];
  for (const file of await discoverTestFiles(paths, 'suite.yaml')) {
    const outcome = await runSuiteFile(file, filter);
    if (outcome) out.push(outcome);
  }
  return out;
}
