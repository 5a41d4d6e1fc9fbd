import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { EXIT_FINDINGS, EXIT_OK, UserError } from '../../core/errors.js';
import { version } from '../../core/version.js';
import { parseOutputFormat, renderResults } from '../../report/index.js';
import { loadConfig } from '../../scan/config.js';
import {
  type AftRequestInput,
  DEFAULT_AFT_SOURCE,
  parseTags,
  planAftRequest,
} from '../../terraform/aft-request.js';
import { scanTerraform } from '../../terraform/scan.js';
import { errorLine } from '../error-line.js';
import { parseFlags } from '../flags.js';
import { checkOutputFile } from '../output-path.js';

const HELP = `Usage: rampart aft <subcommand> [options]

Account Factory for Terraform (AFT) account requests.

Subcommands:
  request   write a new account request that passes every AFT check against the existing requests
  check     run the AFT checks over the account requests in PATH... (default ".")

Run "rampart aft <subcommand> --help" for its options.`;

const REQUEST_HELP = `Usage: rampart aft request --name NAME --email EMAIL --ou OU --sso-email EMAIL
                           --sso-first-name FIRST --sso-last-name LAST [options] [PATH...]

Writes a module block for a new AFT account request. The request is checked against every request
under PATH... (default ".") with the rules of "rampart scan": unique AccountEmail (case-insensitive)
and AccountName, an allowed organizational unit, required account_tags, a valid, non-overlapping
custom_fields.vpc_cidr. Nothing is written when a check fails; the reasons are printed instead.

Options:
      --name NAME               AccountName
      --email EMAIL             AccountEmail (the new account's root email)
      --ou OU                   ManagedOrganizationalUnit ("Name" or "Name (ou-xxxx-yyyyyyyy)")
      --sso-email EMAIL         SSOUserEmail
      --sso-first-name FIRST    SSOUserFirstName
      --sso-last-name LAST      SSOUserLastName
      --tag KEY=VALUE           account_tags entry (repeatable)
      --vpc-cidr CIDR           custom_fields.vpc_cidr
      --change-requested-by S   change_management_parameters.change_requested_by (default: the SSO user's name)
      --change-reason S         change_management_parameters.change_reason (default: "Account request for NAME")
      --customizations NAME     account_customizations_name
      --source SOURCE           module source (default: the one existing requests use, else ${DEFAULT_AFT_SOURCE})
      --module-name NAME        Terraform module name (default: derived from --name)
  -o, --output FILE             append the request to FILE (created if missing) instead of printing it
      --config FILE             rampart.yaml to read terraform.aft settings from (default: ./rampart.yaml if present)

Exit codes: 0 written, 1 the request would fail a check, 2 usage or input error.`;

const CHECK_HELP = `Usage: rampart aft check [PATH...] [options]

Runs the AFT account request checks over .tf files under PATH... (default ".").

Options:
  -o, --output FORMAT   table (default), json, sarif, junit, policyreport
  -v, --verbose         table output: show skipped results (unknown values) too
      --config FILE     rampart.yaml to read terraform.aft settings from (default: ./rampart.yaml if present)

Exit codes: 0 no findings, 1 findings, 2 usage or input error.`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(`${HELP}\n`);
    return sub === undefined ? 2 : EXIT_OK;
  }
  if (sub === 'request') return request(rest);
  if (sub === 'check') return check(rest);
  throw new UserError(`aft: unknown subcommand "${sub}"\nRun "rampart aft --help" for usage.`);
}

/** The terraform section of the same rampart.yaml `rampart scan` reads, validated the same way. */
async function config(file: string | undefined) {
  return (await loadConfig('.', file)).terraform ?? {};
}

async function request(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags<
    Record<string, string | undefined> & { tag?: string[]; help?: boolean }
  >(
    argv,
    {
      name: { type: 'string' },
      email: { type: 'string' },
      ou: { type: 'string' },
      'sso-email': { type: 'string' },
      'sso-first-name': { type: 'string' },
      'sso-last-name': { type: 'string' },
      tag: { type: 'string', multiple: true },
      'vpc-cidr': { type: 'string' },
      'change-requested-by': { type: 'string' },
      'change-reason': { type: 'string' },
      customizations: { type: 'string' },
      source: { type: 'string' },
      'module-name': { type: 'string' },
      output: { type: 'string', short: 'o' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    'aft request',
  );
  if (values.help) {
    process.stdout.write(`${REQUEST_HELP}\n`);
    return EXIT_OK;
  }
  const required = ['name', 'email', 'ou', 'sso-email', 'sso-first-name', 'sso-last-name'];
  const missing = required.filter((k) => !values[k]);
  if (missing.length > 0) {
    throw new UserError(
      `aft request: missing ${missing.map((m) => `--${m}`).join(', ')}\nRun "rampart aft request --help" for usage.`,
    );
  }
  const input: AftRequestInput = {
    name: values.name!,
    email: values.email!,
    ou: values.ou!,
    ssoEmail: values['sso-email']!,
    ssoFirstName: values['sso-first-name']!,
    ssoLastName: values['sso-last-name']!,
    tags: parseTags(values.tag),
    vpcCidr: values['vpc-cidr'],
    changeRequestedBy: values['change-requested-by'],
    changeReason: values['change-reason'],
    customizations: values.customizations,
    source: values.source,
    moduleName: values['module-name'],
  };
  const output = values.output as string | undefined;
  checkOutputFile(output, '--output', 'aft request');
  const plan = await planAftRequest(input, positionals.length > 0 ? positionals : ['.'], {
    config: await config(values.config as string | undefined),
    output,
  });
  if (!plan.ok) {
    process.stderr.write(
      `rampart: the account request would fail AFT checks:\n${plan.problems.map((p) => `  - ${p}`).join('\n')}\n`,
    );
    return EXIT_FINDINGS;
  }
  if (output === undefined) {
    process.stdout.write(plan.hcl);
    return EXIT_OK;
  }
  const existing = await readFile(output, 'utf8').catch(() => undefined);
  if (existing === undefined) await writeFile(output, plan.hcl);
  else await appendFile(output, `${existing.endsWith('\n') || existing === '' ? '' : '\n'}\n${plan.hcl}`);
  process.stderr.write(`rampart: wrote module.${plan.moduleName} to ${output}\n`);
  return EXIT_OK;
}

async function check(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags<{
    output?: string;
    verbose?: boolean;
    config?: string;
    help?: boolean;
  }>(
    argv,
    {
      output: { type: 'string', short: 'o' },
      verbose: { type: 'boolean', short: 'v' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    'aft check',
  );
  if (values.help) {
    process.stdout.write(`${CHECK_HELP}\n`);
    return EXIT_OK;
  }
  const format = parseOutputFormat(values.output);
  const scan = await scanTerraform(positionals.length > 0 ? positionals : ['.'], {
    config: await config(values.config),
  });
  for (const error of scan.errors) process.stderr.write(errorLine('aft check', error.message));
  const results = scan.results.filter((r) => r.category === 'aft');
  // Only SARIF names the tool version; reading it is skipped otherwise.
  const toolVersion = format === 'sarif' ? version() : undefined;
  process.stdout.write(renderResults(results, format, { verbose: values.verbose, toolVersion }));
  if (scan.errors.length > 0) return 2;
  return results.some((r) => r.status === 'fail' || r.status === 'error') ? EXIT_FINDINGS : EXIT_OK;
}
