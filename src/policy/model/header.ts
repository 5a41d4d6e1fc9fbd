import type { SourcePosition } from '../../core/document.js';
import { isObject } from '../../core/document.js';
import { UserError } from '../../core/errors.js';
import type { LoadedPolicy, Policy } from './types.js';

/** API groups whose documents are policies (kyverno.io kinds, Kubernetes admission policies). */
export const POLICY_API_GROUPS = /kyverno\.io|admissionregistration\.k8s\.io/;

/**
 * Policy kinds Kyverno has that load as "unsupported" (one `skip` result each) until a policy kind
 * registered in src/policy/engine/kind.ts recognises them.
 */
export const KNOWN_POLICY_KINDS = new Set([
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
  'ValidatingPolicy',
  'NamespacedValidatingPolicy',
  'MutatingPolicy',
  'NamespacedMutatingPolicy',
  'GeneratingPolicy',
  'NamespacedGeneratingPolicy',
  'ImageValidatingPolicy',
  'NamespacedImageValidatingPolicy',
  'DeletingPolicy',
  'NamespacedDeletingPolicy',
  'CleanupPolicy',
  'ClusterCleanupPolicy',
]);

/** Problems found in a policy, each naming the field (`spec.rules[0].validate.pattern`). */
export class PolicyValidationError extends UserError {
  readonly problems: string[];
  constructor(name: string, problems: string[], position?: Partial<SourcePosition>) {
    super(`invalid policy "${name}": ${problems.join('; ')}`, { position });
    this.problems = problems;
  }
}

function stringMap(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

/** The fields every policy kind shares, read from a document's apiVersion, kind and metadata. */
export function policyHeader(raw: Record<string, unknown>, origin: SourcePosition | null): LoadedPolicy {
  const metadata = isObject(raw.metadata) ? raw.metadata : {};
  return {
    kind: String(raw.kind),
    apiVersion: String(raw.apiVersion),
    name: typeof metadata.name === 'string' ? metadata.name : '',
    annotations: stringMap(metadata.annotations),
    labels: stringMap(metadata.labels),
    origin,
    raw,
  };
}

/** A document of one of these kinds in a policy API group (kyverno.io, admissionregistration.k8s.io). */
export function isPolicyOfKind(content: unknown, kinds: ReadonlySet<string>): boolean {
  return (
    isObject(content) &&
    typeof content.kind === 'string' &&
    kinds.has(content.kind) &&
    typeof content.apiVersion === 'string' &&
    POLICY_API_GROUPS.test(content.apiVersion)
  );
}

/** A known policy document of a kind no registered policy kind handles: it loads, and reports one skip. */
export function isKnownUnsupportedPolicy(content: unknown): boolean {
  return isPolicyOfKind(content, KNOWN_POLICY_KINDS);
}

/**
 * The placeholder for an unsupported kind. It keeps Kyverno's Policy shape (no rules) so callers that
 * read rules see none.
 */
export function unsupportedPolicy(raw: Record<string, unknown>, origin: SourcePosition | null): Policy {
  const base = policyHeader(raw, origin);
  if (!base.name)
    throw new PolicyValidationError('(unnamed)', ['metadata.name: required'], origin ?? undefined);
  return {
    ...base,
    validationFailureAction: 'Audit',
    background: true,
    applyRules: 'All',
    rules: [],
    computedRules: [],
    unsupported: `${base.kind} policies are not supported yet`,
  };
}
