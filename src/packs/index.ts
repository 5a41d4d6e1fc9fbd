import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../core/package-root.js';
import { loadPolicies } from '../policy/load.js';
import { isKyvernoPolicy, type Policy } from '../policy/model/types.js';
import type { TsRule } from './rule.js';

export { packRuleMeta, type ScanContext, type TsRule, type TsRuleMeta } from './rule.js';

/**
 * Built-in guardrail packs. Each pack is a folder `src/packs/<name>/` holding Kyverno-format policies
 * (`policies/*.yaml`, tested by `tests/**\/kyverno-test.yaml`) and, only where a pattern cannot say it,
 * TypeScript rules (`rules.ts` lists them, one module per rule under `rules/`, compiled to dist).
 */
export interface Pack {
  name: string;
  policies: Policy[];
  rules: TsRule[];
}

/** The packs' YAML lives in the source tree (shipped in the npm package), whichever way the code runs. */
export function packsRoot(): string {
  return join(packageRoot(), 'src', 'packs');
}

export function listPackNames(): string[] {
  const root = packsRoot();
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, e.name, 'policies')))
    .map((e) => e.name)
    .sort();
}

/**
 * The packs that have TypeScript rules, each with its `rules.ts`. Named here, not found by path, so
 * the bundler sees them and the rules share the one copy of every module with the rest of the code.
 */
export const PACK_RULE_MODULES: Record<string, () => Promise<{ rules: TsRule[] }>> = {
  governance: () => import('./governance/rules.js'),
  resources: () => import('./resources/rules.js'),
};

export async function loadPack(name: string): Promise<Pack> {
  const dir = join(packsRoot(), name);
  const loaded = await loadPolicies([join(dir, 'policies')]);
  if (loaded.invalid.length) {
    // Our own packs must always be valid; an invalid one is a bug, not a user error.
    throw new Error(`built-in pack ${name}: ${loaded.invalid.map((i) => i.error.message).join('; ')}`);
  }
  const rules = (await PACK_RULE_MODULES[name]?.())?.rules ?? [];
  return { name, policies: loaded.policies.filter(isKyvernoPolicy), rules };
}
