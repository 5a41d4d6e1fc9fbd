import { isObject } from '../../core/document.js';
import { EXIT_OK, UserError } from '../../core/errors.js';
import {
  cleanupCandidates,
  isCleanupPolicyDocument,
  parseCleanupPolicy,
} from '../../policy/cleanup/index.js';
import { withDefaultNamespace } from '../../policy/engine/resource.js';
import { deletionCandidates, isDpolDocument, loadDpol } from '../../policy/kinds/dpol/policy.js';
import { loadResources } from '../../policy/load.js';
import { parseFlags } from '../flags.js';

const HELP = `Usage: rampart cleanup --dry-run POLICY... -r RESOURCES... [options]

Evaluates Kyverno CleanupPolicy / ClusterCleanupPolicy (kyverno.io/v2, v2beta1) and DeletingPolicy /
NamespacedDeletingPolicy (policies.kyverno.io, CEL) over resources offline and lists what they would
delete: match/exclude or matchConstraints, conditions (JMESPath with the resource as {{ target }}, or CEL
with variables), and the namespace of a namespaced policy. The cron schedule is validated.

Options:
      --dry-run           required: list what would be deleted (nothing is ever deleted)
  -r, --resource PATH     resource file or directory (repeatable)
  -o, --output FORMAT     table (default) or json

Exit codes: 0 listed (even when empty), 2 usage or input error (a bad policy or schedule).`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags<{
    'dry-run'?: boolean;
    resource?: string[];
    output?: string;
    help?: boolean;
  }>(
    argv,
    {
      'dry-run': { type: 'boolean' },
      resource: { type: 'string', short: 'r', multiple: true },
      output: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    },
    'cleanup',
  );
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT_OK;
  }
  if (!values['dry-run']) throw new UserError('cleanup: only --dry-run is supported (Rampart never deletes)');
  if (positionals.length === 0) throw new UserError('cleanup: at least one policy path is required');
  if (!values.resource?.length) throw new UserError('cleanup: at least one --resource path is required');
  const format = values.output ?? 'table';
  if (format !== 'table' && format !== 'json')
    throw new UserError(`cleanup: -o must be table or json; got "${format}"`);

  const isPolicy = (c: unknown) => isCleanupPolicyDocument(c) || isDpolDocument(c);
  const policyDocs = (await loadResources(positionals)).filter((d) => isPolicy(d.content));
  if (policyDocs.length === 0)
    throw new UserError(
      `cleanup: no CleanupPolicy, ClusterCleanupPolicy or DeletingPolicy in ${positionals.join(', ')}`,
    );
  const policies = policyDocs
    .filter((d) => isCleanupPolicyDocument(d.content))
    .map((d) => parseCleanupPolicy(d));
  const deleting = policyDocs
    .filter((d) => isDpolDocument(d.content))
    .map((d) => loadDpol(d.content as Record<string, unknown>, d.origin?.file));
  const resources = (await loadResources(values.resource))
    .filter((d) => isObject(d.content) && !isPolicy(d.content))
    .map((d) => ({ ...d, content: withDefaultNamespace(d.content) }));
  const candidates = [...cleanupCandidates(policies, resources), ...deletionCandidates(deleting, resources)];

  const rows = candidates.map((c) => {
    const meta = isObject(c.resource.metadata) ? c.resource.metadata : {};
    return {
      policy: c.policy,
      apiVersion: String(c.resource.apiVersion ?? ''),
      kind: String(c.resource.kind ?? ''),
      namespace: String(meta.namespace ?? ''),
      name: String(meta.name ?? ''),
      file: c.origin ? `${c.origin.file}:${c.origin.line}` : '',
    };
  });
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify({ dryRun: true, deletions: rows }, null, 2)}\n`);
  } else {
    for (const r of rows) {
      process.stdout.write(
        `would delete ${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name} (policy ${r.policy}, ${r.file})\n`,
      );
    }
    process.stdout.write(
      `${rows.length} resource(s) would be deleted by ${policies.length + deleting.length} cleanup policy(ies) (dry run)\n`,
    );
  }
  return EXIT_OK;
}
