import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { EXIT_FINDINGS, EXIT_OK, UserError } from '../../core/errors.js';
import { discoverFiles } from '../../load/discover.js';
import type { Operation } from '../../policy/engine/options.js';
import { replaceDocuments, toYaml } from '../../policy/mutate/output.js';
import { applyPaths } from '../../policy/stream.js';
import { parseOutputFormat, renderResults } from '../../report/index.js';
import { parseFlags } from '../flags.js';
import { version } from '../main.js';

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

  // Patched documents by file and first line, and generated objects, for -o yaml and --output-dir.
  const patched = new Map<string, Map<number, unknown>>();
  const generated: Record<string, unknown>[] = [];
  const results = await applyPaths({
    policyPaths: positionals,
    resourcePaths: values.resource,
    exceptionPaths: values.exception,
    valuesFile: values['values-file'],
    userInfoFile: values.userinfo,
    operation: operation as Operation | undefined,
    auditWarn: values['audit-warn'],
    onResource: (e) => {
      if (e.patchedResource) {
        const byLine = patched.get(e.document.origin.file) ?? new Map<number, unknown>();
        byLine.set(e.document.origin.line, e.patchedResource);
        patched.set(e.document.origin.file, byLine);
      }
      for (const g of e.generated) generated.push(g);
    },
  });
  const patchedCount = [...patched.values()].reduce((n, m) => n + m.size, 0);
  const summary = `${patchedCount} resource(s) mutated, ${generated.length} resource(s) generated`;
  if (values['output-dir']) {
    await writeOutputDir(values['output-dir'], await discoverFiles(values.resource), patched, generated);
  }
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
