import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { EXIT_FINDINGS, EXIT_OK, UserError } from '../../core/errors.js';
import { version } from '../../core/version.js';
import { discoverFiles } from '../../load/discover.js';
import type { RuleResponse } from '../../policy/engine/evaluate.js';
import type { Operation } from '../../policy/engine/options.js';
import { evaluateJsonPayloads, hasJsonModePolicies } from '../../policy/kinds/vpol/json.js';
import { loadPolicies, loadResources } from '../../policy/load.js';
import { replaceDocuments, toYaml } from '../../policy/mutate/output.js';
import { applyPaths } from '../../policy/stream.js';
import { parseOutputFormat, renderResults } from '../../report/index.js';
import { parseFlags } from '../flags.js';

const HELP = `Usage: rampart apply POLICY... --resource PATH... [options]

Applies policies offline: Kyverno ClusterPolicy/Policy (validate.cel included), ValidatingPolicy,
ValidatingAdmissionPolicy (+ bindings) and OPA Gatekeeper ConstraintTemplates + Constraints (CEL code;
ExpansionTemplates too), to Kubernetes resources, and JSON-mode ValidatingPolicies to any JSON.

Options:
  -r, --resource PATH     resource file or directory (repeatable; "-" reads stdin)
      --json PATH         JSON/YAML payload for JSON-mode ValidatingPolicies (repeatable), e.g. a Terraform plan
  -f, --values-file F     Kyverno CLI values file (globalValues, policies[].rules/resources values, namespaceSelector)
  -u, --userinfo F        Kyverno CLI user info file (roles, clusterRoles, userInfo)
  -e, --exception PATH    PolicyException files (repeatable; exceptions among the policy paths are used too)
      --inventory PATH    objects that exist but are not under review (repeatable): Namespaces for
                          namespaceSelector, lookups, Gatekeeper's data.inventory
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
    json?: string[];
    'values-file'?: string;
    userinfo?: string;
    exception?: string[];
    inventory?: string[];
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
      json: { type: 'string', multiple: true },
      'values-file': { type: 'string', short: 'f' },
      userinfo: { type: 'string', short: 'u' },
      exception: { type: 'string', short: 'e', multiple: true },
      inventory: { type: 'string', multiple: true },
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
  if (!values.resource?.length && !values.json?.length)
    throw new UserError('apply: at least one --resource or --json path is required');
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
  const results: RuleResponse[] = [];
  if (values.json?.length) {
    // JSON-mode ValidatingPolicies see each payload as it is (no Kubernetes defaulting or matching).
    const loaded = await loadPolicies(positionals);
    if (loaded.invalid.length) throw loaded.invalid[0]!.error;
    if (!hasJsonModePolicies(loaded.policies))
      throw new UserError(
        'apply: --json needs a ValidatingPolicy with spec.evaluation.mode: JSON among the policies',
      );
    results.push(...evaluateJsonPayloads(loaded.policies, await loadResources(values.json)));
  }
  if (values.resource?.length)
    results.unshift(
      ...(await applyPaths({
        policyPaths: positionals,
        resourcePaths: values.resource,
        exceptionPaths: values.exception,
        inventoryPaths: values.inventory,
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
      })),
    );
  const patchedCount = [...patched.values()].reduce((n, m) => n + m.size, 0);
  const summary = `${patchedCount} resource(s) mutated, ${generated.length} resource(s) generated`;
  if (values['output-dir'] && values.resource?.length) {
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
