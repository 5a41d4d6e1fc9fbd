import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import type { Document } from '../../core/document.js';
import { isObject } from '../../core/document.js';
import { EXIT_FINDINGS, EXIT_OK, UserError } from '../../core/errors.js';
import { discoverFiles } from '../../load/discover.js';
import { loadDocumentsFromFile, streamDocumentsFromFile } from '../../load/documents.js';
import { evaluateResources, type RuleResponse, resultsOf } from '../../policy/engine/evaluate.js';
import { withDefaultNamespace } from '../../policy/engine/resource.js';
import { isPolicyExceptionDocument, parsePolicyException } from '../../policy/exceptions/index.js';
import { loadPolicies, loadResources } from '../../policy/load.js';
import { isPolicyDocument } from '../../policy/model/parse.js';
import { replaceDocuments, toYaml } from '../../policy/mutate/output.js';
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
import { version } from '../main.js';

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
  -o, --output FORMAT     table (default), json, policyreport, sarif, junit; yaml prints the mutated
                          and generated resources instead of results
      --output-dir DIR    write every input file to DIR with its mutated documents patched (others
                          byte-identical), and generated resources to DIR/generated.yaml
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
    'output-dir'?: string;
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
      'output-dir': { type: 'string' },
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
  const yamlOutput = values.output === 'yaml';
  const format = parseOutputFormat(yamlOutput ? undefined : values.output);
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
  // Generate clones and mutate targets look objects up among the given resources: keep them all then.
  const keepAll = loaded.policies.some((p) => {
    const rules = (p as { computedRules?: Record<string, any>[] }).computedRules ?? [];
    return rules.some((r) => r.generate !== undefined || r.mutate?.targets !== undefined);
  });
  for (const file of files.filter((f) => f !== '-')) {
    for await (const doc of streamDocumentsFromFile(file)) {
      const kind = isObject(doc.content) ? doc.content.kind : undefined;
      if (isPolicyDocument(doc.content) || !isObject(doc.content)) continue;
      if (keepAll || kind === 'Namespace' || kind === 'ConfigMap')
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
    resourceSet: keepAll ? lookups : undefined,
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
  // Patched documents by file and first line, and generated objects, for -o yaml and --output-dir.
  const patched = new Map<string, Map<number, unknown>>();
  const generated: Record<string, unknown>[] = [];
  let batch: Document[] = [];
  const flush = () => {
    const response = evaluateResources(loaded.policies, batch, options);
    for (const r of resultsOf(response)) results.push(r);
    for (const e of response.resources) {
      if (e.patchedResource) {
        const byLine = patched.get(e.document.origin.file) ?? new Map<number, unknown>();
        byLine.set(e.document.origin.line, e.patchedResource);
        patched.set(e.document.origin.file, byLine);
      }
      for (const g of e.generated) generated.push(g);
    }
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
  const patchedCount = [...patched.values()].reduce((n, m) => n + m.size, 0);
  const summary = `${patchedCount} resource(s) mutated, ${generated.length} resource(s) generated`;
  if (values['output-dir']) await writeOutputDir(values['output-dir'], files, patched, generated);
  if (yamlOutput) {
    const docs = [...[...patched.values()].flatMap((m) => [...m.values()]), ...generated];
    process.stdout.write(docs.map(toYaml).join('---\n'));
    process.stderr.write(`${summary}\n`);
  } else {
    process.stdout.write(
      renderResults(results, format, {
        color: process.stdout.isTTY && !process.env.NO_COLOR,
        verbose: values.verbose,
        toolVersion: version(),
      }),
    );
    if (format === 'table' && (patchedCount || generated.length)) process.stdout.write(`${summary}\n`);
  }
  return results.some((r) => r.status === 'fail' || r.status === 'error') ? EXIT_FINDINGS : EXIT_OK;
}

/** One output file per input (same relative path), patched documents replaced in the original text. */
async function writeOutputDir(
  dir: string,
  files: readonly string[],
  patched: ReadonlyMap<string, ReadonlyMap<number, unknown>>,
  generated: readonly Record<string, unknown>[],
): Promise<void> {
  for (const file of files) {
    const rel = file === '-' ? 'stdin.yaml' : relative(process.cwd(), file);
    const target = join(dir, rel.startsWith('..') || isAbsolute(rel) ? basename(file) : rel);
    await mkdir(dirname(target), { recursive: true });
    const byLine = patched.get(file) ?? new Map<number, unknown>();
    if (file === '-') {
      await writeFile(target, [...byLine.values()].map(toYaml).join('---\n'));
      continue;
    }
    await writeFile(target, replaceDocuments(await readFile(file, 'utf8'), byLine));
  }
  if (generated.length) await writeFile(join(dir, 'generated.yaml'), generated.map(toYaml).join('---\n'));
}
