import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isObject, type SourcePosition } from '../core/document.js';
import { isUserError, UserError } from '../core/errors.js';
import type { Result } from '../core/result.js';
import { type ComposedPolicy, composePolicyDocument, type PolicyDocumentArgs } from '../iam/compose.js';
import type { PolicyKind } from '../iam/lint.js';
import { lintJsonText } from '../iam/lint-json.js';
import { discoverFiles } from '../load/discover.js';
import { loadDocumentsFromFile } from '../load/documents.js';
import { parseJson } from '../load/json.js';
import { parseYamlDocuments } from '../load/yaml.js';
import { policyDocumentArgs } from '../terraform/policies.js';
import { iamRules } from '../terraform/rules/index.js';
import { loadTerraform } from '../terraform/scan.js';

const isTerraform = (file: string) => /\.tf$/i.test(file);
/** YAML policies are linted when named; a directory search takes JSON only (its YAML is mostly manifests). */
const isYaml = (file: string) => /\.ya?ml$/i.test(file);

/** The one policy of a YAML file; syntax errors carry the file, line and column. */
function parseYamlPolicy(text: string, file: string): unknown {
  const docs = parseYamlDocuments(text, file);
  if (docs.length !== 1)
    throw new UserError(`expected one IAM policy document, found ${docs.length}`, {
      position: { file, line: docs[1]?.line ?? 1, column: 1 },
    });
  return docs[0]!.content;
}

type Origin = Partial<SourcePosition>;

/**
 * The IAM commands' inputs: JSON and YAML files, and IAM policies inside Terraform. It sits above both
 * `iam/` and `terraform/` because Terraform's IAM rules reuse the IAM linter.
 */

/**
 * Reads the arguments for `rampart iam compose`: a JSON/YAML spec named as the data source names its
 * arguments, or (with `data`) an `aws_iam_policy_document` block from `.tf` files, whose references to
 * other documents in the same module are resolved.
 */
export async function loadComposeSpec(paths: string[], data?: string): Promise<PolicyDocumentArgs> {
  return (await readComposeSpec(paths, data)).args;
}

/** Loads the spec and composes it; composition errors point at the spec file or the data block. */
export async function composeSpec(paths: string[], data?: string): Promise<ComposedPolicy> {
  const { args, origin } = await readComposeSpec(paths, data);
  try {
    return composePolicyDocument(args);
  } catch (error) {
    if (!isUserError(error)) throw error;
    throw new UserError(error.message, { position: origin });
  }
}

async function readComposeSpec(
  paths: string[],
  data: string | undefined,
): Promise<{ args: PolicyDocumentArgs; origin: Origin }> {
  if (data !== undefined || paths.some(isTerraform)) {
    if (!data)
      throw new UserError('iam compose: --data NAME picks the aws_iam_policy_document block to compose');
    return loadDataSourceArgs(paths, data);
  }
  if (paths.length !== 1) throw new UserError('iam compose: give one JSON or YAML spec file ("-" for stdin)');
  const file = paths[0] as string;
  const docs = await loadDocumentsFromFile(file);
  const spec = docs[0]?.content;
  if (!isObject(spec))
    throw new UserError(`${file}: the spec must be an object of aws_iam_policy_document arguments`);
  const known = ['policy_id', 'version', 'source_policy_documents', 'override_policy_documents', 'statement'];
  const unknown = Object.keys(spec).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new UserError(
      `${file}: unknown argument${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (expected ${known.join(', ')})`,
    );
  }
  return { args: spec as PolicyDocumentArgs, origin: { file: file === '-' ? '<stdin>' : file } };
}

async function loadDataSourceArgs(
  paths: string[],
  name: string,
): Promise<{ args: PolicyDocumentArgs; origin: Origin }> {
  const { modules, errors } = await loadTerraform(paths);
  if (errors.length > 0) throw errors[0] as UserError;
  const address = `data.aws_iam_policy_document.${name}`;
  const found = modules.flatMap((module) =>
    module.resources.filter((r) => r.address === address && !r.fromPlan).map((doc) => ({ module, doc })),
  );
  if (found.length === 0) throw new UserError(`iam compose: no ${address} in ${paths.join(', ')}`);
  if (found.length > 1) {
    throw new UserError(
      `iam compose: ${address} is declared in ${found.map((f) => f.doc.origin.file).join(' and ')}; give one module`,
    );
  }
  const { module, doc } = found[0] as (typeof found)[number];
  const args = await policyDocumentArgs(doc, {
    module,
    moduleDir: doc.moduleDir ?? dirname(doc.origin.file),
  });
  const origin = { file: doc.origin.file, line: doc.origin.line, column: doc.origin.column };
  if (!args.known) throw new UserError(`cannot compose ${address}: ${args.reason}`, { position: origin });
  const unknown = terraformExpressions(args.args.statement ?? []);
  if (unknown.length > 0) {
    throw new UserError(
      `cannot compose ${address}: it uses values only Terraform knows (${unknown.join(', ')})`,
      {
        position: origin,
      },
    );
  }
  return { args: args.args, origin };
}

/**
 * Terraform references kept as `${...}` text in the arguments. IAM policy variables (`${aws:username}`,
 * `${*}`) name a context key with a colon or are one character, which tells them apart.
 */
function terraformExpressions(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    for (const m of value.matchAll(/\$\{([^}]*)\}/g)) {
      const inner = (m[1] as string).trim();
      if (!/^[*?$]$/.test(inner) && !/^[\w.-]+:/.test(inner) && !out.includes(m[0])) out.push(m[0]);
    }
  } else if (Array.isArray(value)) {
    for (const v of value) terraformExpressions(v, out);
  } else if (isObject(value)) {
    for (const v of Object.values(value)) terraformExpressions(v, out);
  }
  return out;
}

export interface LintFilesOptions {
  kind?: PolicyKind;
}

/** Lints JSON policy files and the policies embedded in Terraform; directories are searched for both. */
export async function lintFiles(
  paths: string[],
  options: LintFilesOptions = {},
): Promise<{ results: Result[]; errors: UserError[] }> {
  const files = await discoverFiles(paths, {
    accept: (name) => /\.(json|tf)$/i.test(name),
    skipDirs: ['node_modules', '.git', '.terraform'],
  });
  const results: Result[] = [];
  const errors: UserError[] = [];
  const tfFiles = files.filter(isTerraform);
  if (tfFiles.length > 0) {
    const loaded = await loadTerraform(tfFiles);
    errors.push(...loaded.errors);
    for (const module of loaded.modules) {
      results.push(...(await iamRules(module, { config: {}, modules: loaded.modules })));
    }
  }
  for (const file of files.filter((f) => !isTerraform(f))) {
    let text: string;
    try {
      text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
    } catch (error) {
      errors.push(
        new UserError(
          `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        ),
      );
      continue;
    }
    const name = file === '-' ? '<stdin>' : file;
    const json = text.replace(/^\uFEFF/, '');
    // A file that is not JSON (or YAML, for .yaml/.yml files) is an input error (exit 2), like invalid
    // HCL, not a finding.
    let parsed: { value: unknown } | undefined;
    try {
      if (isYaml(file)) parsed = { value: parseYamlPolicy(json, name) };
      else parseJson(json, name);
    } catch (error) {
      if (!isUserError(error)) throw error;
      errors.push(error);
      continue;
    }
    results.push(...lintJsonText(json, name, options.kind, parsed));
  }
  return { results, errors };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
