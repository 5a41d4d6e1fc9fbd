import { stringify } from 'yaml';
import { EXIT_OK, UserError } from '../../core/errors.js';
import { intFlag, parseFlags } from '../flags.js';

const HELP = `Usage: rampart serve --policy PATH... [--pack NAME...] [TLS] [options]
       rampart serve webhook-config --service NS/NAME --policy PATH... [--pack NAME...] [--tls-generate DIR]

Runs the admission webhook: an HTTPS server for admission.k8s.io/v1 (and v1beta1) AdmissionReviews on
/validate and /mutate, with /healthz, /readyz and /metrics. Policies reload when their files change.

Options:
  -p, --policy PATH          policy file or directory (repeatable; watched for changes)
      --pack NAME            built-in guardrail pack (repeatable)
      --tls-cert FILE        serving certificate (PEM); reloaded when the file changes
      --tls-key FILE         its private key (PEM)
      --tls-generate DIR     make DIR/ca.crt, DIR/tls.crt, DIR/tls.key if missing and print the caBundle
      --service NS/NAME      the webhook's Service (certificate names; webhook-config target)
                             default rampart/rampart-webhook
      --service-account NAME Rampart's ServiceAccount, left out of review by webhook-config (default rampart)
      --listen HOST:PORT     default 127.0.0.1:9443 (use 0.0.0.0:9443 in a pod)
      --namespace-labels F   Namespace objects or {namespace: {label: value}} for namespaceSelector
      --kubeconfig FILE      namespace labels from the cluster (a Namespace informer: list + watch);
      --context NAME         in a pod the service account is used without these; as kubectl
      --workers N            processes sharing the port (default 1)
      --failure-policy P     Fail (default) or Ignore: what an evaluation error does
      --grace-period SECS    SIGTERM: time to finish in-flight reviews (default 10)
      --timeout-seconds N    webhook-config: timeoutSeconds (default 10)

Exit codes: 0 stopped cleanly, 2 usage or input error.`;

export async function run(argv: string[]): Promise<number> {
  const sub = argv[0] === 'webhook-config' ? argv.shift() : undefined;
  const { values, positionals } = parseFlags<{
    policy?: string[];
    pack?: string[];
    'tls-cert'?: string;
    'tls-key'?: string;
    'tls-generate'?: string;
    service?: string;
    'service-account'?: string;
    listen?: string;
    'namespace-labels'?: string;
    kubeconfig?: string;
    context?: string;
    workers?: string;
    'failure-policy'?: string;
    'grace-period'?: string;
    'timeout-seconds'?: string;
    help?: boolean;
  }>(
    argv,
    {
      policy: { type: 'string', short: 'p', multiple: true },
      pack: { type: 'string', multiple: true },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-generate': { type: 'string' },
      service: { type: 'string' },
      'service-account': { type: 'string' },
      listen: { type: 'string' },
      'namespace-labels': { type: 'string' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      workers: { type: 'string' },
      'failure-policy': { type: 'string' },
      'grace-period': { type: 'string' },
      'timeout-seconds': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    'serve',
  );
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT_OK;
  }
  const policyPaths = [...(values.policy ?? []), ...positionals];
  const packs = values.pack ?? [];
  if (!policyPaths.length && !packs.length)
    throw new UserError('serve: at least one --policy or --pack is required');
  const service = parseService(values.service ?? 'rampart/rampart-webhook');

  if (sub === 'webhook-config') {
    const { loadPolicySet } = await import('../../serve/policy-set.js');
    const { webhookConfigurations } = await import('../../serve/webhook-config.js');
    const { ensureCertificates } = await import('../../serve/certificates.js');
    const set = await loadPolicySet({ paths: policyPaths, packs });
    const generateDir = values['tls-generate'];
    // The same files `serve --tls-generate DIR` then reuses, so the caBundle printed here is the one it serves.
    const caBundle = generateDir ? (await ensureCertificates(generateDir, service)).caBundle : undefined;
    const docs = webhookConfigurations(set.policies, {
      service,
      caBundle,
      timeoutSeconds: intFlag(values['timeout-seconds'], 'timeout-seconds', 10),
      serviceAccount: values['service-account'] ?? 'rampart',
    });
    process.stdout.write(docs.map((d) => stringify(d)).join('---\n'));
    return EXIT_OK;
  }

  const certGiven = values['tls-cert'] !== undefined || values['tls-key'] !== undefined;
  if (certGiven && values['tls-generate'])
    throw new UserError('serve: use either --tls-cert/--tls-key or --tls-generate, not both');
  if (certGiven && !(values['tls-cert'] && values['tls-key']))
    throw new UserError('serve: --tls-cert and --tls-key go together');
  if (!certGiven && !values['tls-generate'])
    throw new UserError('serve: TLS is required: give --tls-cert and --tls-key, or --tls-generate DIR');
  const failurePolicy = values['failure-policy'] ?? 'Fail';
  if (failurePolicy !== 'Fail' && failurePolicy !== 'Ignore')
    throw new UserError(`serve: --failure-policy must be Fail or Ignore, got "${failurePolicy}"`);
  const { serve, parseListen } = await import('../../serve/run.js');
  const listen = parseListen(values.listen ?? '127.0.0.1:9443');
  const workers = intFlag(values.workers, 'workers', 1);
  if (workers < 1) throw new UserError('serve: --workers must be at least 1');
  return serve({
    policyPaths,
    packs,
    tls: certGiven
      ? { cert: values['tls-cert']!, key: values['tls-key']! }
      : { generateDir: values['tls-generate']! },
    service,
    host: listen.host,
    port: listen.port,
    namespaceLabelsFile: values['namespace-labels'],
    kube:
      values.kubeconfig || values.context
        ? { kubeconfig: values.kubeconfig, context: values.context }
        : undefined,
    workers,
    failurePolicy,
    gracePeriodMs: intFlag(values['grace-period'], 'grace-period', 10) * 1000,
  });
}

function parseService(value: string): { namespace: string; name: string } {
  const m = /^([a-z0-9-]+)\/([a-z0-9-]+)$/.exec(value);
  if (!m) throw new UserError(`serve: --service must be NAMESPACE/NAME, got "${value}"`);
  return { namespace: m[1]!, name: m[2]! };
}
