import { dirname } from 'node:path';
import { mapLimit } from '../core/concurrency.js';
import type { Document } from '../core/document.js';
import { isUserError, UserError } from '../core/errors.js';
import type { Result } from '../core/result.js';
import { discoverFiles } from '../load/discover.js';
import { checkAftRequests, collectAftRequests } from './aft/index.js';
import { type HclBlock, type HclFile, parseHclFiles } from './hcl.js';
import type { RuleContext, TerraformScanConfig, TfModule, TfResource } from './model.js';
import { planResources, readPlanFile } from './plan.js';
import { moduleRules } from './rules/index.js';

export type { TerraformScanConfig } from './model.js';

export interface TerraformScanOptions {
  config?: TerraformScanConfig;
}

export interface TerraformScanOutput {
  documents: Document[];
  results: Result[];
  errors: UserError[];
}

const isTerraformCandidate = (name: string) => /\.tf$/i.test(name) || /\.json$/i.test(name);

/** Turns a parsed top-level block into the resource it declares, if it declares one. */
export function blockResource(block: HclBlock, moduleDir: string): TfResource | undefined {
  const origin = { file: block.file, line: block.line, column: block.column, index: 0 };
  const base = { values: block.body ?? {}, origin, moduleKey: moduleDir, moduleDir, fromPlan: false, block };
  if (block.blockType === 'resource' && block.type && block.name) {
    return {
      ...base,
      address: `${block.type}.${block.name}`,
      mode: 'managed',
      type: block.type,
      name: block.name,
    };
  }
  if (block.blockType === 'data' && block.type && block.name) {
    return {
      ...base,
      address: `data.${block.type}.${block.name}`,
      mode: 'data',
      type: block.type,
      name: block.name,
    };
  }
  if (block.blockType === 'module' && block.name) {
    return { ...base, address: `module.${block.name}`, mode: 'module', type: 'module', name: block.name };
  }
  return undefined;
}

/** Reads `.tf` files and plan JSON into modules: one per directory, one per module of each plan. */
export async function loadTerraform(paths: string[]): Promise<{ modules: TfModule[]; errors: UserError[] }> {
  const errors: UserError[] = [];
  const files = await discoverFiles(paths, {
    accept: isTerraformCandidate,
    skipDirs: ['node_modules', '.git', '.terraform'],
  });
  const modules = new Map<string, TfModule>();
  const moduleFor = (key: string, dir: string | undefined) => {
    let m = modules.get(key);
    if (!m) modules.set(key, (m = { key, dir, resources: [], files: [] }));
    return m;
  };
  // One parser call per directory (see parseHclFiles); directories and plans are read concurrently
  // because the WASM parser idles on timers between calls. Results keep discovery order.
  const groups = new Map<string, string[]>();
  for (const file of files) {
    const key = /\.tf$/i.test(file) ? dirname(file) : file;
    const list = groups.get(key);
    if (list) list.push(file);
    else groups.set(key, [file]);
  }
  type Loaded =
    | { file: string; hcl: HclFile }
    | { file: string; plan: Awaited<ReturnType<typeof readPlanFile>> }
    | { file: string; error: unknown };
  const loaded = (
    await mapLimit([...groups.values()], 4, async (group): Promise<Loaded[]> => {
      if (/\.tf$/i.test(group[0]!)) return parseHclFiles(group);
      const file = group[0]!;
      try {
        return [{ file, plan: await readPlanFile(file) }];
      } catch (error) {
        return [{ file, error }];
      }
    })
  ).flat();
  for (const item of loaded) {
    if ('error' in item) {
      const error = item.error;
      if (isUserError(error)) errors.push(error);
      else
        errors.push(
          new UserError(`cannot read Terraform: ${(error as Error).message}`, {
            position: { file: item.file },
          }),
        );
    } else if ('hcl' in item && item.hcl) {
      const dir = dirname(item.file);
      const module = moduleFor(dir, dir);
      module.files.push(item.hcl);
      for (const block of item.hcl.blocks) {
        const resource = blockResource(block, dir);
        if (resource) module.resources.push(resource);
      }
    } else if ('plan' in item && item.plan) {
      for (const resource of planResources(item.file, item.plan.text, item.plan.plan)) {
        moduleFor(resource.moduleKey, undefined).resources.push(resource);
      }
    }
  }
  return { modules: [...modules.values()], errors };
}

export function resourceDocument(r: TfResource): Document {
  return {
    id: `${r.origin.file}#${r.address}`,
    origin: r.origin,
    format: r.fromPlan ? 'terraform-plan' : 'terraform',
    content: { address: r.address, mode: r.mode, type: r.type, name: r.name, values: r.values },
  };
}

/** Runs every Terraform rule over the modules; AFT uniqueness is checked across all of them. */
export async function runTerraformRules(
  modules: TfModule[],
  config: TerraformScanConfig = {},
): Promise<Result[]> {
  const ctx: RuleContext = { config, modules };
  const results: Result[] = [];
  for (const module of modules) {
    results.push(...(await moduleRules(module, ctx)));
  }
  results.push(...checkAftRequests(collectAftRequests(modules), config));
  return results.sort(
    (a, b) =>
      (a.origin?.file ?? '').localeCompare(b.origin?.file ?? '') ||
      (a.origin?.line ?? 0) - (b.origin?.line ?? 0) ||
      a.rule.localeCompare(b.rule),
  );
}

export async function scanTerraform(
  paths: string[],
  options: TerraformScanOptions = {},
): Promise<TerraformScanOutput> {
  const { modules, errors } = await loadTerraform(paths);
  const documents = modules.flatMap((m) => m.resources.map(resourceDocument));
  const results = await runTerraformRules(modules, options.config ?? {});
  return { documents, results, errors };
}
