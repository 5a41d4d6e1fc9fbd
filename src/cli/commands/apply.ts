import type { Document } from '../../core/document.js';
import { isObject } from '../../core/document.js';
import { EXIT_FINDINGS, EXIT_OK, UserError } from '../../core/errors.js';
import { version } from '../../core/version.js';
import { discoverFiles } from '../../load/discover.js';
import { loadDocumentsFromFile, streamDocumentsFromFile } from '../../load/documents.js';
import { evaluate, type RuleResponse } from '../../policy/engine/evaluate.js';
import { withDefaultNamespace } from '../../policy/engine/resource.js';
import { isPolicyExceptionDocument, parsePolicyException } from '../../policy/exceptions/index.js';
import { loadPolicies, loadResources } from '../../policy/load.js';
import { isPolicyDocument } from '../../policy/model/parse.js';
import { offlineSources } from '../../policy/sources.js';
import {
  globalOperation,
  namespaceLabelLookup,
  parseUserInfo,
  parseValuesSpec,
  subresourceLookup,
  type ValuesSpec,
  valuesProvider,
} from '../../policy/values.js';
import { parseOutputFormat, renderResults } from '../../report/index.js';
import { parseFlags } from '../flags.js';

const BATCH_SIZE = 256;

const HELP = `Usage: rampart apply POLICY... --resource PATH... [options]

Applies Kyverno-format policies (ClusterPolicy/Policy) to resources offline.

Options:
  -r, --resource PATH     resource file or directory (repeatable; "-" reads stdin)
  -f, --values-file F     Kyverno CLI values file (globalValues, policies[].rules/resources values, namespaceSelector)
  -u, --userinfo F        Kyverno CLI user info file (roles, clusterRoles, userInfo)
  -e, --exception PATH    PolicyException files (repeatable; exceptions among the policy paths are used too)
      --operation OP      admission operation: CREATE (default), UPDATE, DELETE, CONNECT
      --audit-warn        report failures of Audit-mode rules as warnings (not counted as failures)
  -o, --output FORMAT     table (default), json, policyreport, sarif, junit
  -v, --verbose           table output: show passing and skipped results too

Exit codes: 0 no failures, 1 at least one failure or error, 2 usage or input error.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags<{
    resource?: string[];
    'values-file'?: string;
    userinfo?: string;
    exception?: string[];
    operation?: string;
    'audit-warn'?: boolean;
    output?: string;
    verbose?: boolean;
    help?: boolean;
  }>(
    argv,
    {
      resource: { type: 'string', short: 'r', multiple: true },
      'values-file': { type: 'string', short: 'f' },
      userinfo: { type: 'string', short: 'u' },
      exception: { type: 'string', short: 'e', multiple: true },
      operation: { type: 'string' },
      'audit-warn': { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
    'apply',
  );
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT_OK;
  }
  if (positionals.length === 0) throw new UserError('apply: at least one policy path is required');
  if (!values.resource?.length) throw new UserError('apply: at least one --resource path is required');
  const format = parseOutputFormat(values.output);
  const operation = values.operation?.toUpperCase();
  if (operation && !['CREATE', 'UPDATE', 'DELETE', 'CONNECT'].includes(operation)) {
    throw new UserError(
      `apply: --operation must be CREATE, UPDATE, DELETE or CONNECT; got "${values.operation}"`,
    );
  }

  const loaded = await loadPolicies(positionals);
  // An invalid policy is an input error: applying the others would silently drop its checks.
  if (loaded.invalid.length) throw loaded.invalid[0]!.error;
  if (loaded.policies.length === 0 && loaded.invalid.length === 0) {
    throw new UserError(`apply: no policies found in ${positionals.join(', ')}`);
  }
  let spec: ValuesSpec | undefined;
  if (values['values-file']) {
    const [doc] = await loadDocumentsFromFile(values['values-file']);
    spec = parseValuesSpec(doc?.content ?? {}, values['values-file']);
  }
  let userInfo: ReturnType<typeof parseUserInfo> | undefined;
  if (values.userinfo) {
    const [doc] = await loadDocumentsFromFile(values.userinfo);
    userInfo = parseUserInfo(doc?.content ?? {}, values.userinfo);
  }

  // Resources are streamed: a first pass keeps only what rules may look up (Namespaces for
  // namespaceSelector, ConfigMaps for context entries), the second evaluates in batches, so memory
  // stays bounded by the batch size however large the input is.
  const files = await discoverFiles(values.resource);
  const lookups: Document[] = [];
  for (const file of files.filter((f) => f !== '-')) {
    for await (const doc of streamDocumentsFromFile(file)) {
      const kind = isObject(doc.content) ? doc.content.kind : undefined;
      if (kind === 'Namespace' || kind === 'ConfigMap')
        lookups.push({ ...doc, content: withDefaultNamespace(doc.content) });
    }
  }
  const exceptionDocs = [
    ...loaded.others,
    ...(values.exception?.length ? await loadResources(values.exception) : []),
  ];
  const exceptions = exceptionDocs
    .filter((d) => isPolicyExceptionDocument(d.content))
    .map((d) => parsePolicyException(d));
  const options = {
    exceptions,
    operation: (operation as 'CREATE' | undefined) ?? globalOperation(spec) ?? 'CREATE',
    userInfo,
    namespaceLabels: namespaceLabelLookup(lookups, spec),
    values: valuesProvider(spec),
    subresourceFor: subresourceLookup(spec),
    sources: offlineSources(lookups),
    auditWarn: values['audit-warn'],
  };
  const results: RuleResponse[] = [];
  let batch: Document[] = [];
  const flush = () => {
    for (const r of evaluate(loaded.policies, batch, options)) results.push(r);
    batch = [];
  };
  for (const file of files) {
    for await (const doc of streamDocumentsFromFile(file)) {
      if (isPolicyDocument(doc.content)) continue;
      batch.push({ ...doc, content: withDefaultNamespace(doc.content) });
      if (batch.length >= BATCH_SIZE) flush();
    }
  }
  flush();
  process.stdout.write(
    renderResults(results, format, {
      color: process.stdout.isTTY && !process.env.NO_COLOR,
      verbose: values.verbose,
      toolVersion: version(),
    }),
  );
  return results.some((r) => r.status === 'fail' || r.status === 'error') ? EXIT_FINDINGS : EXIT_OK;
}
