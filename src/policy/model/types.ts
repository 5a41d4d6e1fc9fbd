import type { SourcePosition } from '../../core/document.js';

export type FailureAction = 'Audit' | 'Enforce';

/** A Kyverno rule kept as plain JSON (the engine reads the fields it needs), plus its parsed essentials. */
export interface Rule {
  name: string;
  match?: Record<string, unknown>;
  exclude?: Record<string, unknown>;
  context?: unknown[];
  preconditions?: unknown;
  validate?: Record<string, any>;
  mutate?: Record<string, unknown>;
  generate?: Record<string, unknown>;
  verifyImages?: unknown[];
  celPreconditions?: unknown[];
  [key: string]: unknown;
}

/**
 * What every loaded policy has, whatever its kind (Kyverno ClusterPolicy, ValidatingAdmissionPolicy, a
 * Gatekeeper constraint...): the engine, the reports and the values files only rely on these fields.
 * Each policy kind (src/policy/engine/kind.ts) extends it with its own typed body.
 */
export interface LoadedPolicy {
  kind: string;
  apiVersion: string;
  name: string;
  /** Set for namespaced policies (`Policy`, `NamespacedValidatingPolicy`...). */
  namespace?: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  origin: SourcePosition | null;
  /** When set, the policy is of a kind the engine does not evaluate yet: one skip result says so. */
  unsupported?: string;
  /** The document as written. */
  raw: Record<string, unknown>;
  /**
   * Documents a kind merged into this policy when linking (a VAP's bindings, a template's constraints),
   * so the policy can be rebuilt from documents alone (worker threads re-load policies from documents).
   */
  companions?: { content: Record<string, unknown>; origin: SourcePosition | null }[];
}

/** A Kyverno ClusterPolicy / Policy (kyverno.io); other kinds the engine cannot run load with `unsupported`. */
export interface Policy extends LoadedPolicy {
  validationFailureAction: FailureAction;
  background: boolean;
  /** spec.applyRules: with One, evaluation stops at the first rule that applied. */
  applyRules: 'All' | 'One';
  /** The rules as written (before autogen). */
  rules: Rule[];
  /** The rules the engine runs: written rules plus autogen-* rules. */
  computedRules: Rule[];
}

/** The rule fields that carry a rule's body: exactly one is set, and it selects the rule type. */
export const RULE_BODY_FIELDS = ['validate', 'mutate', 'generate', 'verifyImages'] as const;
export type RuleBodyField = (typeof RULE_BODY_FIELDS)[number];

/** The mutually exclusive bodies of a validate rule. */
export const VALIDATE_BODIES = [
  'pattern',
  'anyPattern',
  'deny',
  'foreach',
  'podSecurity',
  'cel',
  'manifests',
  'assert',
] as const;

/** Whether a loaded policy is a Kyverno ClusterPolicy / Policy (or an unsupported placeholder of that shape). */
export function isKyvernoPolicy(policy: LoadedPolicy): policy is Policy {
  return Array.isArray((policy as Partial<Policy>).computedRules);
}

/** `ns/name` for namespaced policies, as Kyverno's reports and test files name them. */
export function policyKey(policy: Pick<Policy, 'name' | 'namespace'>): string {
  return policy.namespace ? `${policy.namespace}/${policy.name}` : policy.name;
}

export const SEVERITY_ANNOTATION = 'policies.kyverno.io/severity';
export const CATEGORY_ANNOTATION = 'policies.kyverno.io/category';
export const TITLE_ANNOTATION = 'policies.kyverno.io/title';
export const SCORED_ANNOTATION = 'policies.kyverno.io/scored';
export const AUTOGEN_ANNOTATION = 'pod-policies.kyverno.io/autogen-controllers';

/** The written rule an autogen rule comes from (`autogen-cronjob-x` and `autogen-x` → `x`). */
export function baseRuleName(name: string): string {
  if (name.startsWith('autogen-cronjob-')) return name.slice('autogen-cronjob-'.length);
  if (name.startsWith('autogen-')) return name.slice('autogen-'.length);
  return name;
}
