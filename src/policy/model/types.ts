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

export interface Policy {
  /** ClusterPolicy / Policy (kyverno.io). Other kinds are loaded as unsupported policies. */
  kind: string;
  apiVersion: string;
  name: string;
  /** Set for namespaced `Policy` objects. */
  namespace?: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  validationFailureAction: FailureAction;
  background: boolean;
  /** spec.applyRules: with One, evaluation stops at the first rule that applied. */
  applyRules: 'All' | 'One';
  /** The rules as written (before autogen). */
  rules: Rule[];
  /** The rules the engine runs: written rules plus autogen-* rules. */
  computedRules: Rule[];
  origin: SourcePosition | null;
  /** When set, the policy is of a kind the engine does not evaluate yet; every matching resource gets a skip. */
  unsupported?: string;
  raw: Record<string, unknown>;
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
