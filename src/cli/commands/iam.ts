import { writeFile } from 'node:fs/promises';
import { EXIT_FINDINGS, EXIT_OK, UserError } from '../../core/errors.js';
import { parseSeverityFilter } from '../../core/severity.js';
import { version } from '../../core/version.js';
import { composePolicyDocument } from '../../iam/compose.js';
import { POLICY_KINDS, type PolicyKind } from '../../iam/lint.js';
import { readPolicyFile } from '../../iam/policy.js';
import { type SimulationRequest, simulate, validateForSimulation } from '../../iam/simulate.js';
import { renderSimulation } from '../../iam/simulate-report.js';
import { irsaArgs, policyDocumentHcl } from '../../iam/trust.js';
import { composeSpec, lintFiles } from '../../inputs/iam.js';
import { parseOutputFormat, renderResults } from '../../report/index.js';
import { errorLine } from '../error-line.js';
import { oneOf, parseFlags } from '../flags.js';
import { checkOutputFile } from '../output-path.js';

const HELP = `Usage: rampart iam <command> [options]

Commands:
  compose SPEC            compose a policy exactly as Terraform's aws_iam_policy_document does
  lint POLICY...          least-privilege findings for JSON policies and policies in Terraform
  simulate                evaluate a request against identity policies, SCPs and a boundary
  trust irsa              write the trust policy for an EKS service account (IRSA)

Run "rampart iam <command> --help" for the options of each.`;

const COMPOSE_HELP = `Usage: rampart iam compose SPEC [--minified] [-O FILE]
       rampart iam compose --data NAME FILE.tf... [--minified] [-O FILE]

Prints the "json" attribute (--minified: "minified_json") that the aws_iam_policy_document data
source would compute. SPEC is JSON or YAML with the data source's arguments (policy_id, version,
source_policy_documents, override_policy_documents, statement); "-" reads stdin. With --data, the
named data block is read from the .tf files (references to other documents in them are followed).

Options:
      --data NAME         the aws_iam_policy_document block to compose
      --minified          print minified_json instead of json
  -O, --out FILE          write to FILE instead of stdout

Exit codes: 0 composed, 2 invalid spec (the provider's error messages).`;

const LINT_HELP = `Usage: rampart iam lint POLICY... [options]

Least-privilege findings for IAM policy JSON files and for policies embedded in Terraform (.tf).
Directories are searched for *.json and *.tf.

Options:
  -k, --kind KIND         identity, resource, trust, bucket or kms (default: guessed per JSON file)
  -s, --severity FILTER   report only findings matching, e.g. ">=medium"
  -o, --output FORMAT     table (default), json, sarif, junit, policyreport

Exit codes: 0 no findings, 1 findings, 2 usage or input error.`;

const SIMULATE_HELP = `Usage: rampart iam simulate --policy P... --action A --resource ARN [options]

Evaluates one request with IAM's logic: an explicit Deny anywhere wins; the SCPs (one layer) and the
permissions boundary must allow; an identity policy (or a resource policy naming the principal) must allow.

Options:
  -p, --policy FILE          identity policy (repeatable)
      --scp FILE             service control policy (repeatable; together they form one layer)
      --boundary FILE        permissions boundary
      --resource-policy FILE resource-based policy on the resource (repeatable)
  -a, --action ACTION        e.g. s3:GetObject
  -r, --resource ARN         the resource ARN
      --principal ARN        the caller (sets aws:PrincipalArn, aws:PrincipalAccount, aws:username)
  -c, --context KEY=VALUE    request context key (repeatable; repeat a key for a multivalued key)
      --json                 print the decision as JSON

Exit codes: 0 allowed, 1 denied, 2 usage or input error.`;

const TRUST_HELP = `Usage: rampart iam trust irsa --oidc-provider-arn ARN [--oidc-provider-url URL] --namespace NS --service-account SA [options]

Prints the trust policy that lets one Kubernetes service account assume a role through the cluster's
OIDC provider (conditions on ":sub" and ":aud"). A "*" in NS or SA switches ":sub" to StringLike.

Options:
      --oidc-provider-arn ARN   arn:aws:iam::ACCOUNT:oidc-provider/oidc.eks.REGION.amazonaws.com/id/ID
      --oidc-provider-url URL   the cluster's issuer URL (checked against the ARN)
  -n, --namespace NS
      --service-account SA
      --hcl                     print an aws_iam_policy_document block instead of JSON
      --name NAME               name of the data block with --hcl (default irsa_assume_role)
      --minified                minified JSON`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'compose':
      return compose(rest);
    case 'lint':
      return lint(rest);
    case 'simulate':
      return simulateCommand(rest);
    case 'trust':
      return trust(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(`${HELP}\n`);
      return sub === undefined ? 2 : EXIT_OK;
    default:
      throw new UserError(`iam: unknown command "${sub}"\nRun "rampart iam --help" for usage.`);
  }
}

async function emit(text: string, out: string | undefined): Promise<void> {
  checkOutputFile(out, '--out', 'iam compose');
  if (out) await writeFile(out, text);
  else process.stdout.write(text);
}

async function compose(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags<{
    data?: string;
    minified?: boolean;
    out?: string;
    help?: boolean;
  }>(
    argv,
    {
      data: { type: 'string' },
      minified: { type: 'boolean' },
      out: { type: 'string', short: 'O' },
      help: { type: 'boolean', short: 'h' },
    },
    'iam compose',
  );
  if (values.help) {
    process.stdout.write(`${COMPOSE_HELP}\n`);
    return EXIT_OK;
  }
  if (positionals.length === 0)
    throw new UserError('iam compose: a spec file is required\nRun "rampart iam compose --help" for usage.');
  const composed = await composeSpec(positionals, values.data);
  await emit(`${values.minified ? composed.minified : composed.json}\n`, values.out);
  return EXIT_OK;
}

async function lint(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags<{
    kind?: string;
    severity?: string;
    output?: string;
    help?: boolean;
  }>(
    argv,
    {
      kind: { type: 'string', short: 'k' },
      severity: { type: 'string', short: 's' },
      output: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    },
    'iam lint',
  );
  if (values.help) {
    process.stdout.write(`${LINT_HELP}\n`);
    return EXIT_OK;
  }
  if (positionals.length === 0)
    throw new UserError(
      'iam lint: at least one policy file is required\nRun "rampart iam lint --help" for usage.',
    );
  const kind =
    values.kind === undefined ? undefined : oneOf<PolicyKind>(values.kind, 'kind', POLICY_KINDS, 'identity');
  const format = parseOutputFormat(values.output);
  const keep = values.severity ? parseSeverityFilter(values.severity) : () => true;
  const { results, errors } = await lintFiles(positionals, { kind });
  for (const error of errors) process.stderr.write(errorLine('iam lint', error.message));
  const shown = results.filter((r) => keep(r.severity));
  process.stdout.write(
    renderResults(shown, format, {
      color: process.stdout.isTTY && !process.env.NO_COLOR,
      toolVersion: version(),
    }),
  );
  // An input that could not be read or parsed must not let CI pass, whatever the other files hold.
  if (errors.length > 0) return 2;
  return shown.some((r) => r.status === 'fail' || r.status === 'error') ? EXIT_FINDINGS : EXIT_OK;
}

function parseContext(pairs: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UserError(`--context must be KEY=VALUE, got "${pair}"`);
    const key = pair.slice(0, eq);
    const existing = Object.keys(out).find((k) => k.toLowerCase() === key.toLowerCase()) ?? key;
    out[existing] = [...(out[existing] ?? []), pair.slice(eq + 1)];
  }
  return out;
}

async function simulateCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags<{
    policy?: string[];
    scp?: string[];
    boundary?: string;
    'resource-policy'?: string[];
    action?: string;
    resource?: string;
    principal?: string;
    context?: string[];
    json?: boolean;
    help?: boolean;
  }>(
    argv,
    {
      policy: { type: 'string', short: 'p', multiple: true },
      scp: { type: 'string', multiple: true },
      boundary: { type: 'string' },
      'resource-policy': { type: 'string', multiple: true },
      action: { type: 'string', short: 'a' },
      resource: { type: 'string', short: 'r' },
      principal: { type: 'string' },
      context: { type: 'string', short: 'c', multiple: true },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    'iam simulate',
  );
  if (values.help) {
    process.stdout.write(`${SIMULATE_HELP}\n`);
    return EXIT_OK;
  }
  if (!values.policy?.length && !values['resource-policy']?.length) {
    throw new UserError('iam simulate: at least one --policy (or --resource-policy) is required');
  }
  if (!values.action) throw new UserError('iam simulate: --action is required');
  if (!/^[^:\s]+:[^:\s]+$/.test(values.action))
    throw new UserError(`iam simulate: --action must be service:Action, got "${values.action}"`);
  if (!values.resource) throw new UserError('iam simulate: --resource is required');
  const read = async (files: string[] | undefined) => {
    const policies = await Promise.all((files ?? []).map(readPolicyFile));
    policies.forEach(validateForSimulation);
    return policies;
  };
  const set = {
    identity: await read(values.policy),
    scps: await read(values.scp),
    boundary: values.boundary ? (await read([values.boundary]))[0] : undefined,
    resource: await read(values['resource-policy']),
  };
  const request: SimulationRequest = {
    action: values.action,
    resource: values.resource,
    principal: values.principal,
    context: parseContext(values.context ?? []),
  };
  const result = simulate(set, request);
  process.stdout.write(renderSimulation(request, result, Boolean(values.json)));
  return result.allowed ? EXIT_OK : EXIT_FINDINGS;
}

async function trust(argv: string[]): Promise<number> {
  const [kind, ...rest] = argv;
  if (kind === '--help' || kind === '-h' || kind === undefined) {
    process.stdout.write(`${TRUST_HELP}\n`);
    return kind === undefined ? 2 : EXIT_OK;
  }
  if (kind !== 'irsa') throw new UserError(`iam trust: unknown trust policy "${kind}" (supported: irsa)`);
  const { values } = parseFlags<{
    'oidc-provider-arn'?: string;
    'oidc-provider-url'?: string;
    namespace?: string;
    'service-account'?: string;
    hcl?: boolean;
    name?: string;
    minified?: boolean;
    help?: boolean;
  }>(
    rest,
    {
      'oidc-provider-arn': { type: 'string' },
      'oidc-provider-url': { type: 'string' },
      namespace: { type: 'string', short: 'n' },
      'service-account': { type: 'string' },
      hcl: { type: 'boolean' },
      name: { type: 'string' },
      minified: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    'iam trust irsa',
  );
  if (values.help) {
    process.stdout.write(`${TRUST_HELP}\n`);
    return EXIT_OK;
  }
  for (const flag of ['oidc-provider-arn', 'namespace', 'service-account'] as const) {
    if (!values[flag]) throw new UserError(`iam trust irsa: --${flag} is required`);
  }
  const args = irsaArgs({
    oidcProviderArn: values['oidc-provider-arn'] as string,
    oidcProviderUrl: values['oidc-provider-url'],
    namespace: values.namespace as string,
    serviceAccount: values['service-account'] as string,
  });
  if (values.hcl) {
    process.stdout.write(policyDocumentHcl(args, values.name ?? 'irsa_assume_role'));
  } else {
    const composed = composePolicyDocument(args);
    process.stdout.write(`${values.minified ? composed.minified : composed.json}\n`);
  }
  return EXIT_OK;
}
