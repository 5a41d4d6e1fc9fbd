import type { Document } from '../core/document.js';
import type { Result } from '../core/result.js';
import type { RuleMeta } from '../core/rule.js';

// What a pack's TypeScript rule is. Apart from the pack loader (index.ts), which imports the rules:
// the rules and their helpers import this, so nothing imports in a circle.

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
