import type { SourcePosition } from './document.js';
import type { ResourceRef, Result, ResultStatus } from './result.js';
import type { Severity } from './severity.js';

/**
 * The one rule contract. Every check written as code (the packs' TypeScript rules, Terraform and AFT,
 * IAM lint, disk) describes itself with a RuleMeta and turns each outcome into a Result with
 * `ruleResult`, so reports, `rampart.yaml` rule settings, suppressions and the docs see rules alike.
 * Kyverno policies carry the same facts as annotations (see rules/registry.ts).
 */
export interface RuleMeta {
  /** Stable id: what `--rule`, `rules.<id>` in rampart.yaml and suppressions name. */
  id: string;
  title: string;
  severity: Severity;
  /** Pack (rule family) the rule belongs to; becomes Result.category and is what `--pack` selects. */
  pack: string;
  /** How to fix a finding. */
  fix?: string;
  /** Link or docs path with anchor that explains the rule. */
  docs?: string;
  /**
   * Result.policy. Defaults to the pack: the rule is one check of a policy family (Terraform, IAM, disk).
   * Rules that stand beside Kyverno policies in a pack, where each policy is a rule, use their own id.
   */
  policy?: string;
}

/**
 * The annotations a Kyverno policy carries its fix and docs link in (a TypeScript rule has them in
 * its RuleMeta). Here, not in the rule registry, so the scan's threads read them without loading
 * every rule of every area.
 */
export const FIX_ANNOTATION = 'rampart.dev/fix';
export const DOCS_ANNOTATION = 'rampart.dev/docs';

/** What one evaluation of a rule found about one subject. */
export interface RuleOutcome {
  resource: ResourceRef;
  origin: SourcePosition | null;
  message: string;
  /** Default `fail`. */
  status?: ResultStatus;
  /** Per-finding refinements of the rule's metadata (a more precise title, a graver severity, a fix). */
  severity?: Severity;
  title?: string;
  fix?: string;
  properties?: Record<string, unknown>;
}

/** The Result for one outcome of a rule; keys that have no value are left out, not set to undefined. */
export function ruleResult(meta: RuleMeta, outcome: RuleOutcome): Result {
  const result: Result = {
    policy: meta.policy ?? meta.pack,
    rule: meta.id,
    resource: outcome.resource,
    status: outcome.status ?? 'fail',
    message: outcome.message,
    severity: outcome.severity ?? meta.severity,
    category: meta.pack,
    origin: outcome.origin,
  };
  const fix = outcome.fix ?? meta.fix;
  if (fix !== undefined) result.fix = fix;
  if (meta.docs !== undefined) result.docs = meta.docs;
  result.title = outcome.title ?? meta.title;
  if (outcome.properties) result.properties = outcome.properties;
  return result;
}
