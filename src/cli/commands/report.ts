import { stringify } from 'yaml';
import { EXIT_OK, UserError } from '../../core/errors.js';
import { intFlag, oneOf, parseFlags } from '../flags.js';

const HELP = `Usage: rampart report --policy PATH... [--pack NAME...] [--kubeconfig FILE] [options]

Background scan, as Kyverno's reports controller runs it: lists the cluster's resources, applies every
background policy (Kyverno policies with spec.background not false, ValidatingPolicies,
ValidatingAdmissionPolicies, built-in packs; validate and verifyImages rules) and writes
wgpolicyk8s.io/v1alpha2 PolicyReports (one per namespace, "rampart-policy-report") and a
ClusterPolicyReport ("rampart-cluster-policy-report"): created, or updated in place, never duplicated.

Options:
  -p, --policy PATH      policy file or directory (repeatable; PolicyExceptions in it apply)
      --pack NAME        built-in guardrail pack (repeatable)
      --kubeconfig FILE  --context NAME   as kubectl (default: KUBECONFIG, ~/.kube/config, in-cluster)
      --dry-run          read the cluster, print the reports, write nothing
  -o, --output FORMAT    yaml (default for --dry-run) or json: print the reports
      --page-size N      objects per list request (default 500)

Exit codes: 0 reports written (or printed), whatever they contain; 1 the cluster refused or could not
be reached; 2 usage or input error (flags, kubeconfig, policies).`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags<{
    policy?: string[];
    pack?: string[];
    kubeconfig?: string;
    context?: string;
    'dry-run'?: boolean;
    output?: string;
    'page-size'?: string;
    help?: boolean;
  }>(
    argv,
    {
      policy: { type: 'string', short: 'p', multiple: true },
      pack: { type: 'string', multiple: true },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      'dry-run': { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      'page-size': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    'report',
  );
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT_OK;
  }
  const policyPaths = [...(values.policy ?? []), ...positionals];
  const packs = values.pack ?? [];
  if (!policyPaths.length && !packs.length)
    throw new UserError('report: at least one --policy or --pack is required');
  const output =
    values.output === undefined ? undefined : oneOf(values.output, 'output', ['yaml', 'json'], 'yaml');
  const pageSize = intFlag(values['page-size'], 'page-size', 500);
  if (pageSize < 1) throw new UserError('report: --page-size must be at least 1');

  const { KubeRest, loadReportPolicies, runBackgroundReport } = await import('../../kube/index.js');
  const loaded = await loadReportPolicies(policyPaths, packs);
  const rest = KubeRest.fromOptions({ kubeconfig: values.kubeconfig, context: values.context });
  const run = await runBackgroundReport(rest, {
    ...loaded,
    dryRun: values['dry-run'],
    pageSize,
    onWarning: (message) => process.stderr.write(`rampart report: warning: ${message}\n`),
  });
  if (values['dry-run'] || output) {
    process.stdout.write(
      output === 'json'
        ? `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: run.reports }, null, 2)}\n`
        : run.reports.map((r) => stringify(r, { lineWidth: 0 })).join('---\n'),
    );
  }
  const summary = `${run.scanned} object(s) scanned, ${run.results.length} result(s), ${run.reports.length} report(s)`;
  if (values['dry-run']) {
    process.stderr.write(`${summary}; dry run: nothing written\n`);
    return EXIT_OK;
  }
  const log = output ? process.stderr : process.stdout;
  for (const o of run.outcomes) {
    const where = o.namespace ? `${o.namespace}/${o.name}` : o.name;
    const retried = o.conflicts ? ` after ${o.conflicts} conflict(s)` : '';
    log.write(`${o.action} ${o.kind} ${where}${retried}\n`);
  }
  log.write(`${summary}\n`);
  return EXIT_OK;
}
