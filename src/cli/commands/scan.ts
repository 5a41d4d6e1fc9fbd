import { closeSync, openSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { formatPosition } from '../../core/document.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UserError } from '../../core/errors.js';
import type { Result, ResultStatus } from '../../core/result.js';
import {
  parseSeverity,
  parseSeverityFilter,
  SEVERITIES,
  type Severity,
  severityRank,
} from '../../core/severity.js';
import { version } from '../../core/version.js';
import { listPackNames } from '../../packs/index.js';
import { loadPolicies } from '../../policy/load.js';
import { renderScanHtmlChunks } from '../../report/html.js';
import { type OutputFormat, parseOutputFormat } from '../../report/index.js';
import { renderJsonChunks } from '../../report/json.js';
import { renderJunitChunks } from '../../report/junit.js';
import { renderPolicyReportChunks } from '../../report/policyreport.js';
import { renderSarifChunks } from '../../report/sarif.js';
import { PackTally, renderScanSummary } from '../../report/summary.js';
import { renderTableChunks } from '../../report/table.js';
import { applyBaseline, readBaseline, writeBaseline } from '../../scan/baseline.js';
import { filesChangedSince } from '../../scan/changed.js';
import { loadConfig } from '../../scan/config.js';
import { runScan, type ScanOutcome } from '../../scan/run.js';
import { TERRAFORM_PACKS } from '../../terraform/model.js';
import { BufferedOutput, fileSink } from '../buffered-output.js';
import { errorLine } from '../error-line.js';
import { parseFlags } from '../flags.js';
import { checkOutputFile } from '../output-path.js';

const HELP = `Usage: rampart scan [PATH...|-] [options]

Scans Kubernetes manifests (YAML/JSON, Lists, Kustomize overlays, Helm charts) and Terraform with the
built-in guardrail packs (gpu-isolation, pod-security, resources, governance) plus your own policies.

Options:
      --policy PATH         also run these policies: Kyverno, CEL, Gatekeeper (repeatable)
      --pack NAME           run only this pack (repeatable)
      --skip-pack NAME      do not run this pack (repeatable)
      --rule ID             run only this rule (repeatable)
      --severity FILTER     only report findings matching e.g. ">=medium"
      --fail-on SEVERITY    exit 1 when a failure at or above this severity remains (default high)
      --config FILE         rampart.yaml to use (default: rampart.yaml in the first PATH)
      --skip-unreadable     scan what can be read and ignore unreadable inputs for the exit code
                            (default: an unreadable or invalid file exits 2)
  -o, --output FORMAT       table (default), json, sarif, junit, policyreport, html (one self-contained
                            page: charts by pack, severity and namespace, each finding with its source)
      --output-file FILE    write the report to FILE instead of stdout
      --compact             table: one line per finding (file:line:col, rule, resource, message)
  -q, --quiet               table: only the summary footer
      --changed-since REF   evaluate only files changed since this git ref (committed, uncommitted and
                            untracked); every file is still read for the cross-document rules
      --baseline FILE       report and fail only on findings not in this baseline; say how many of its
                            entries no longer occur (fixed)
      --write-baseline FILE record the current findings as the baseline (exit 0 unless input errors)
  -v, --verbose             also report passing and not-applicable results (json, junit, table);
                            policyreport output always includes them

Suppress a finding on a resource with the annotations
  rampart.dev/ignore: "rule-id,other-rule-id"
  rampart.dev/ignore-reason: "why this is acceptable"

Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 usage or input error.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags<{
    policy?: string[];
    pack?: string[];
    'skip-pack'?: string[];
    rule?: string[];
    severity?: string;
    'fail-on'?: string;
    config?: string;
    'skip-unreadable'?: boolean;
    output?: string;
    verbose?: boolean;
    compact?: boolean;
    quiet?: boolean;
    baseline?: string;
    'write-baseline'?: string;
    'changed-since'?: string;
    'output-file'?: string;
    help?: boolean;
  }>(
    argv,
    {
      policy: { type: 'string', multiple: true },
      pack: { type: 'string', multiple: true },
      'skip-pack': { type: 'string', multiple: true },
      rule: { type: 'string', multiple: true },
      severity: { type: 'string' },
      'fail-on': { type: 'string' },
      config: { type: 'string' },
      'skip-unreadable': { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      verbose: { type: 'boolean', short: 'v' },
      compact: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      baseline: { type: 'string' },
      'changed-since': { type: 'string' },
      'output-file': { type: 'string' },
      'write-baseline': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    'scan',
  );
  if (values.help) {
    process.stdout.write(
      `${HELP}\n\nPacks: Kubernetes ${listPackNames().join(', ')}; Terraform ${TERRAFORM_PACKS.join(', ')}.\n`,
    );
    return EXIT_OK;
  }
  const both = (values.pack ?? []).filter((p) => values['skip-pack']?.includes(p));
  if (both.length)
    throw new UserError(`scan: --pack ${both[0]} and --skip-pack ${both[0]} contradict each other`);
  const paths = positionals.length ? positionals : ['.'];
  const format: OutputFormat | 'html' = values.output === 'html' ? 'html' : parseOutputFormat(values.output);
  checkOutputFile(values['output-file'], '--output-file', 'scan');
  if ((values.compact || values.quiet) && format !== 'table')
    throw new UserError(`scan: --${values.compact ? 'compact' : 'quiet'} applies to the table output only`);
  if (values.compact && values.quiet)
    throw new UserError('scan: --compact and --quiet contradict each other');
  if (values.baseline && values['write-baseline'] && values.baseline === values['write-baseline'])
    throw new UserError('scan: --baseline and --write-baseline name the same file');
  const baseline = values.baseline ? await readBaseline(values.baseline) : undefined;
  const failOn = parseSeverity(values['fail-on'] ?? 'high', 'fail-on');
  const severity = values.severity ? parseSeverityFilter(values.severity) : undefined;
  const first = paths[0]!;
  const configDir =
    first === '-' ? '.' : (await stat(first).catch(() => undefined))?.isDirectory() ? first : dirname(first);
  const config = await loadConfig(configDir, values.config);

  let userPolicies: Awaited<ReturnType<typeof loadPolicies>>['policies'] = [];
  if (values.policy?.length) {
    const loaded = await loadPolicies(values.policy);
    if (loaded.invalid.length) throw loaded.invalid[0]!.error;
    userPolicies = loaded.policies;
  }
  const changedFiles = values['changed-since']
    ? await filesChangedSince(values['changed-since'], first === '-' ? '.' : configDir)
    : undefined;
  const outcome = await runScan({
    changedFiles,
    paths,
    config,
    packs: values.pack,
    skipPacks: values['skip-pack'],
    rules: values.rule,
    severity,
    userPolicies,
    includePassed: values.verbose || format === 'policyreport',
    // A large scan makes much short-lived garbage around little that lives long (skeletons, a bounded
    // spool of findings). V8 lets the heap grow to several times what is live before a full collection;
    // a tighter factor keeps peak memory near it (70,167 Pods in one file, -o json: 476 -> 286 MiB).
    // Not from the start: on the 20,000-document bench it costs 2-3 % CPU for 20 MiB.
    onLarge: () => setFlagsFromString('--heap-growing-percent=30'),
  });
  try {
    return await finish(outcome);
  } finally {
    outcome.close();
  }

  async function finish(outcome: ScanOutcome): Promise<number> {
    for (const n of outcome.notices) process.stderr.write(`rampart: notice: ${n.path}: ${n.message}\n`);
    for (const e of outcome.errors) process.stderr.write(errorLine('scan', e.message));
    if (values['write-baseline']) {
      const n = await writeBaseline(values['write-baseline'], outcome.results);
      process.stderr.write(`rampart: scan: wrote ${n} finding(s) to baseline ${values['write-baseline']}\n`);
    }
    const changedNote = outcome.changed
      ? `Only what changed since ${values['changed-since']}: ${outcome.changed.documents} document(s) in ${outcome.changed.files} changed file(s) evaluated; all ${outcome.changed.read} documents read for the namespace rules (Namespace, NetworkPolicy, ResourceQuota, LimitRange, PolicyException).`
      : undefined;
    if (changedNote && format !== 'table') process.stderr.write(`rampart: scan: ${changedNote}\n`);
    let baselineNote: string | undefined;
    // Failures at or above --fail-on: counted by the scan, less those the baseline accepts.
    let failing = 0;
    for (const s of SEVERITIES)
      if (severityRank(s) >= severityRank(failOn)) failing += outcome.counts[s].fail;
    let results: Iterable<Result> = outcome.results;
    let reported = 0;
    for (const byStatus of Object.values(outcome.counts))
      for (const n of Object.values(byStatus)) reported += n;
    if (baseline) {
      const applied = applyBaseline(outcome.results, baseline);
      for (const [severity, byStatus] of Object.entries(applied.known.bySeverity) as [
        Severity,
        Partial<Record<ResultStatus, number>>,
      ][]) {
        for (const [status, n] of Object.entries(byStatus) as [ResultStatus, number][]) {
          outcome.summary[status] -= n;
          if (status === 'fail' && severityRank(severity) >= severityRank(failOn)) failing -= n;
        }
      }
      reported -= applied.known.count;
      results = applied.results;
      baselineNote = `Baseline ${values.baseline}: ${applied.known.count} known finding(s) not shown; ${applied.fixed} baseline entr${applied.fixed === 1 ? 'y' : 'ies'} no longer occur (fixed).`;
      if (format !== 'table') process.stderr.write(`rampart: scan: ${baselineNote}\n`);
    }
    const toFile = values['output-file'] && values['output-file'] !== '-' ? values['output-file'] : undefined;
    // Pieces of the report; a large JSON report is produced piece by piece as it is written.
    const pieces: Iterable<string>[] = [];
    const tally = new PackTally();
    const color = !toFile && Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
    if (format === 'html') {
      pieces.push(
        renderScanHtmlChunks(results, {
          summary: outcome.summary,
          toolVersion: version(),
          title: `rampart scan ${paths.join(' ')}`,
          source: (file) => {
            try {
              return readFileSync(file, 'utf8');
            } catch {
              return undefined;
            }
          },
        }),
      );
    } else if (format === 'json') {
      pieces.push(renderJsonChunks(results, outcome.summary));
    } else if (format === 'sarif') {
      pieces.push(renderSarifChunks(results, { toolVersion: version() }));
    } else if (format === 'junit') {
      pieces.push(renderJunitChunks(results));
    } else if (format === 'policyreport') {
      pieces.push(renderPolicyReportChunks(results));
    } else if (format === 'table' && !values.quiet) {
      // The footer's counts are taken as the table reads the results, not in a second reading.
      pieces.push(
        renderTableChunks(tally.counting(results), {
          color,
          verbose: values.verbose,
          summary: outcome.summary,
          compact: values.compact,
        }),
      );
    }
    // An input that could not be read must not let CI pass (unless asked): exit 2 after reporting the rest.
    const unreadable = values['skip-unreadable'] ? 0 : outcome.errors.length;
    if (format === 'table') {
      if (changedNote) pieces.push([`${changedNote}\n`]);
      if (baselineNote) pieces.push([`${baselineNote}\n`]);
      // Made when written, after the table has counted the findings (with -q, no table: counted here).
      pieces.push({
        *[Symbol.iterator]() {
          if (values.quiet) for (const r of results) tally.add(r);
          yield renderScanSummary({ ...outcome, findings: tally }, failOn, failing, unreadable);
        },
      });
    }
    if (toFile) {
      const fd = openSync(toFile, 'w');
      try {
        const out = new BufferedOutput(fileSink(fd));
        for (const piece of pieces) for (const chunk of piece) out.write(chunk);
        out.flush();
      } finally {
        closeSync(fd);
      }
      process.stderr.write(`rampart: scan: wrote ${format} report to ${toFile}\n`);
    } else {
      const out = new BufferedOutput((chunk) => process.stdout.write(chunk));
      for (const piece of pieces) for (const chunk of piece) out.write(chunk);
      out.flush();
    }
    if (outcome.errors.length && format === 'table') {
      process.stderr.write(
        `rampart: scan: ${outcome.errors.length} input(s) could not be read: ${outcome.errors
          .map((e) =>
            e.position
              ? formatPosition({
                  file: e.position.file ?? '',
                  line: e.position.line ?? 1,
                  column: e.position.column ?? 1,
                })
              : '',
          )
          .filter(Boolean)
          .join(', ')}\n`,
      );
    }
    if (outcome.errors.length && reported === 0 && outcome.documents === 0)
      throw new UserError('scan: no input could be read');
    if (unreadable) return EXIT_USAGE;
    // Writing a baseline accepts what it found.
    if (values['write-baseline']) return EXIT_OK;
    return failing ? EXIT_FINDINGS : EXIT_OK;
  }
}
