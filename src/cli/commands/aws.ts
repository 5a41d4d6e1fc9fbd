import { endDescendants } from '../../aws/children.js';
import { runDoctor } from '../../aws/doctor.js';
import { renderDoctorTable } from '../../aws/render.js';
import { EXIT_FINDINGS, EXIT_OK, UserError } from '../../core/errors.js';
import { parseOutputFormat, renderResults } from '../../report/index.js';
import { intFlag, parseFlags } from '../flags.js';

const HELP = `Usage: rampart aws <command> [options]

Commands:
  doctor        which credentials and region the SDKs resolve, and why; who they are; what is wrong

Run "rampart aws doctor --help" for its options.`;

const DOCTOR_HELP = `Usage: rampart aws doctor [--profile P] [--region R] [--endpoint-url U] [-o table|json]

Walks the AWS SDK for JavaScript v3 default credential chain link by link (environment, shared
files, credential_process, web identity, container endpoint, IMDSv2) and says which link was
chosen, skipped or failed and why; resolves the region; calls sts:GetCallerIdentity; lints
~/.aws/config and ~/.aws/credentials. Secrets are never printed.

Options:
      --profile P            profile to check (default: AWS_PROFILE, else "default")
      --region R             region to use, as a program's explicit setting
      --endpoint-url U       STS endpoint override (also: AWS_ENDPOINT_URL_STS)
      --fallback-region R    the fallback a program configures (default us-east-1)
      --timeout MS           limit per provider and per request (default 5000)
      --no-identity          do not call sts:GetCallerIdentity
  -v, --verbose              show the SDK's debug lines for each link
  -o, --output FORMAT        table (default) or json

Exit codes: 0 no problems, 1 problems found, 2 usage error.`;

export async function run(argv: string[]): Promise<number> {
  // The pinned SDK runs on Node 20; its notice is about SDK releases after January 2027, not this one.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(`${HELP}\n`);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'doctor') throw new UserError(`aws: unknown command "${sub}"\n${HELP}`);
  const { values, positionals } = parseFlags<Record<string, string | boolean | undefined>>(
    rest,
    {
      help: { type: 'boolean', short: 'h' },
      profile: { type: 'string' },
      region: { type: 'string' },
      'endpoint-url': { type: 'string' },
      'fallback-region': { type: 'string' },
      timeout: { type: 'string' },
      'no-identity': { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
      output: { type: 'string', short: 'o' },
    },
    'aws doctor',
  );
  if (values.help) {
    process.stdout.write(`${DOCTOR_HELP}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new UserError(`aws doctor: unexpected argument "${positionals[0]}"`);
  const format = parseOutputFormat(values.output as string | undefined, ['table', 'json']);
  const endpointUrl = values['endpoint-url'] as string | undefined;
  if (endpointUrl !== undefined && !/^https?:\/\/[^/]/.test(endpointUrl))
    throw new UserError(`aws doctor: --endpoint-url must be an http(s) URL; got "${endpointUrl}"`);
  const report = await runDoctor({
    profile: values.profile as string | undefined,
    region: values.region as string | undefined,
    endpointUrl,
    fallbackRegion: values['fallback-region'] as string | undefined,
    timeoutMs: intFlag(values.timeout as string | undefined, 'timeout', 5000),
    skipIdentity: values['no-identity'] === true,
  });
  process.stdout.write(
    format === 'json'
      ? renderResults(report.results, 'json')
      : renderDoctorTable(report, { color: process.stdout.isTTY, verbose: values.verbose === true }),
  );
  // A credential_process that hung is still running under us; end it so this command can exit.
  if (report.chain.links.some((l) => /did not answer within/.test(l.reason))) endDescendants();
  return report.results.some((r) => r.status === 'fail' || r.status === 'error') ? EXIT_FINDINGS : EXIT_OK;
}
