import { dirname, resolve } from 'node:path';
import { UserError } from '../core/errors.js';
import { aftRequest, checkAftRequests, collectAftRequests, isAftRequest } from './aft/index.js';
import { literalValue } from './expr.js';
import type { TerraformScanConfig, TfResource } from './model.js';
import { loadTerraform } from './scan.js';

export interface AftRequestInput {
  name: string;
  email: string;
  ou: string;
  ssoEmail: string;
  ssoFirstName: string;
  ssoLastName: string;
  tags?: Record<string, string>;
  vpcCidr?: string;
  changeRequestedBy?: string;
  changeReason?: string;
  /** account_customizations_name; omitted when absent. */
  customizations?: string;
  /** Module source; defaults to the one most existing requests use. */
  source?: string;
  /** Terraform module name; defaults to one derived from the account name. */
  moduleName?: string;
}

export type AftRequestPlan =
  | { ok: true; hcl: string; moduleName: string }
  | { ok: false; problems: string[] };

export const DEFAULT_AFT_SOURCE = './modules/aft-account-request';

/**
 * Builds a new account request and checks it with the same rules `rampart scan` applies, against every
 * request already in `paths`. Problems are returned instead of a request that AFT would reject.
 */
export async function planAftRequest(
  input: AftRequestInput,
  paths: string[],
  options: { config?: TerraformScanConfig; output?: string } = {},
): Promise<AftRequestPlan> {
  const { modules, errors } = await loadTerraform(paths);
  if (errors.length > 0) {
    // Uniqueness cannot be promised against files that could not be read.
    throw new UserError(
      `cannot check against the existing requests:\n${errors.map((e) => `  ${e.message}`).join('\n')}`,
    );
  }
  const existing = modules.flatMap((m) => m.resources.filter(isAftRequest));
  const outputDir = options.output ? resolve(dirname(options.output)) : undefined;
  const taken = new Set(
    existing
      .filter((r) => outputDir === undefined || resolve(r.moduleDir ?? '') === outputDir)
      .map((r) => r.name),
  );
  const moduleName = uniqueName(input.moduleName ?? moduleNameFor(input.name), taken);
  const values = requestValues(input, input.source ?? commonSource(existing));
  const file = options.output ?? '<new request>';
  const candidate: TfResource = {
    address: `module.${moduleName}`,
    mode: 'module',
    type: 'module',
    name: moduleName,
    values,
    origin: { file, line: 1, column: 1, index: 0 },
    moduleKey: file,
    moduleDir: outputDir,
    fromPlan: false,
  };
  const results = checkAftRequests(
    [...collectAftRequests(modules), aftRequest(candidate)],
    options.config ?? {},
  );
  const problems = results
    .filter((r) => r.status === 'fail' && r.origin?.file === file && r.resource.name === candidate.address)
    .map((r) => `${r.rule}: ${r.message}`);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, hcl: renderRequest(moduleName, values), moduleName };
}

function requestValues(input: AftRequestInput, source: string): Record<string, any> {
  const values: Record<string, any> = {
    source,
    control_tower_parameters: {
      AccountEmail: input.email,
      AccountName: input.name,
      ManagedOrganizationalUnit: input.ou,
      SSOUserEmail: input.ssoEmail,
      SSOUserFirstName: input.ssoFirstName,
      SSOUserLastName: input.ssoLastName,
    },
    account_tags: { ...(input.tags ?? {}) },
    change_management_parameters: {
      change_requested_by: input.changeRequestedBy ?? `${input.ssoFirstName} ${input.ssoLastName}`,
      change_reason: input.changeReason ?? `Account request for ${input.name}`,
    },
  };
  if (input.vpcCidr !== undefined) values.custom_fields = { vpc_cidr: input.vpcCidr };
  if (input.customizations !== undefined) values.account_customizations_name = input.customizations;
  return values;
}

function commonSource(existing: TfResource[]): string {
  const counts = new Map<string, number>();
  for (const r of existing) {
    const lit = literalValue(r.values.source);
    if (lit.known && typeof lit.value === 'string') counts.set(lit.value, (counts.get(lit.value) ?? 0) + 1);
  }
  let best = DEFAULT_AFT_SOURCE;
  let bestCount = 0;
  for (const [source, count] of counts) {
    if (count > bestCount) [best, bestCount] = [source, count];
  }
  return best;
}

export function moduleNameFor(accountName: string): string {
  let name = accountName
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!/^[a-z_]/.test(name)) name = `account_${name}`;
  return name;
}

function uniqueName(name: string, taken: Set<string>): string {
  if (!taken.has(name)) return name;
  for (let i = 2; ; i++) if (!taken.has(`${name}_${i}`)) return `${name}_${i}`;
}

/** HCL string literal: template sequences are escaped so they stay literal text. */
export function hclString(value: string): string {
  const escaped = JSON.stringify(value).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
  return escaped;
}

function hclKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : hclString(key);
}

/** Writes the module block the way `terraform fmt` aligns it. */
export function renderRequest(moduleName: string, values: Record<string, any>): string {
  const lines = [`module ${hclString(moduleName)} {`];
  const scalarKeys = Object.keys(values).filter((k) => typeof values[k] === 'string');
  const objectKeys = Object.keys(values).filter((k) => typeof values[k] === 'object' && values[k] !== null);
  if (typeof values.source === 'string') lines.push(`  source = ${hclString(values.source)}`, '');
  for (const key of objectKeys) {
    const entries = Object.entries(values[key] as Record<string, string>);
    if (entries.length === 0) {
      lines.push(`  ${key} = {}`, '');
      continue;
    }
    const inner = Math.max(...entries.map(([k]) => hclKey(k).length));
    lines.push(`  ${key} = {`);
    for (const [k, v] of entries) lines.push(`    ${hclKey(k).padEnd(inner)} = ${hclString(String(v))}`);
    lines.push('  }', '');
  }
  for (const key of scalarKeys) {
    if (key !== 'source') lines.push(`  ${key} = ${hclString(values[key])}`, '');
  }
  if (lines[lines.length - 1] === '') lines.pop();
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** Parses repeated `--tag key=value` flags. */
export function parseTags(flags: string[] | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const flag of flags ?? []) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new UserError(`--tag must be key=value, got "${flag}"`);
    tags[flag.slice(0, eq)] = flag.slice(eq + 1);
  }
  return tags;
}
