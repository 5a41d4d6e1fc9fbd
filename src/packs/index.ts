import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Document } from '../core/document.js';
import type { Result } from '../core/result.js';
import type { RuleMeta } from '../core/rule.js';
import { loadPolicies } from '../policy/load.js';
import { isKyvernoPolicy, type Policy } from '../policy/model/types.js';

/**
 * Built-in guardrail packs. Each pack is a folder `src/packs/<name>/` holding Kyverno-format policies
 * (`policies/*.yaml`, tested by `tests/**\/kyverno-test.yaml`) and, only where a pattern cannot say it,
 * TypeScript rules (`rules.ts` lists them, one module per rule under `rules/`, compiled to dist).
 */
export interface TsRuleMeta extends RuleMeta {
  fix: string;
  /** Why the rule exists, for docs/packs.md. */
  rationale: string;
  /** Kinds the rule reads, for docs/packs.md. */
  appliesTo: string[];
}

/**
 * A pack rule's full metadata: like a pack's Kyverno policy, each TypeScript rule is its own policy
 * (Result.policy is the rule id), documented in docs/packs.md unless it says otherwise.
 */
export function packRuleMeta(meta: TsRuleMeta): TsRuleMeta & Required<Pick<RuleMeta, 'policy' | 'docs'>> {
  // Every result of a rule asks for it: made once per (constant) rule metadata.
  let full = fullMeta.get(meta);
  if (full === undefined) {
    full = { ...meta, policy: meta.policy ?? meta.id, docs: meta.docs ?? `docs/packs.md#${meta.id}` };
    fullMeta.set(meta, full);
  }
  return full;
}

const fullMeta = new WeakMap<TsRuleMeta, TsRuleMeta & Required<Pick<RuleMeta, 'policy' | 'docs'>>>();

export interface ScanContext {
  parameters: Record<string, unknown>;
}

export interface TsRule {
  meta: TsRuleMeta;
  /**
   * `document` (the default): results are about single documents, and a rule may read the
   * cross-document kinds (Namespace, NetworkPolicy, ResourceQuota, LimitRange) besides them.
   * `namespace`: results are about namespaces, from those kinds in full and every other document's
   * identity and annotations only (a scan runs these once over the whole input's skeleton).
   */
  scope?: 'document' | 'namespace';
  check(documents: readonly Document[], ctx: ScanContext): Result[];
}

export interface Pack {
  name: string;
  policies: Policy[];
  rules: TsRule[];
}

/** The packs' YAML lives in the source tree (shipped in the npm package), next to compiled code's ../../src. */
export function packsRoot(): string {
  const candidates = [
    fileURLToPath(new URL('../../../src/packs/', import.meta.url)),
    fileURLToPath(new URL('./', import.meta.url)),
  ];
  for (const c of candidates)
    if (existsSync(join(c, 'index.ts')) || existsSync(join(c, 'gpu-isolation'))) return c;
  return candidates[0]!;
}

export function listPackNames(): string[] {
  const root = packsRoot();
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, e.name, 'policies')))
    .map((e) => e.name)
    .sort();
}

export async function loadPack(name: string): Promise<Pack> {
  const dir = join(packsRoot(), name);
  const loaded = await loadPolicies([join(dir, 'policies')]);
  if (loaded.invalid.length) {
    // Our own packs must always be valid; an invalid one is a bug, not a user error.
    throw new Error(`built-in pack ${name}: ${loaded.invalid.map((i) => i.error.message).join('; ')}`);
  }
  let rules: TsRule[] = [];
  // Compiled (dist/*.js) or run from source (tsx, *.ts): the rules module sits beside this one.
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const module = new URL(`./${name}/rules.${ext}`, import.meta.url);
  if (existsSync(fileURLToPath(module))) {
    const mod = (await import(module.href)) as { rules?: TsRule[] };
    rules = mod.rules ?? [];
  }
  return { name, policies: loaded.policies.filter(isKyvernoPolicy), rules };
}
