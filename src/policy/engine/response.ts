import type { Document } from '../../core/document.js';
import type { JsonPatchOperation, ResourceRef, Result, ResultStatus } from '../../core/result.js';
import type { Severity } from '../../core/severity.js';
import {
  CATEGORY_ANNOTATION,
  type LoadedPolicy,
  policyKey,
  SEVERITY_ANNOTATION,
  TITLE_ANNOTATION,
} from '../model/types.js';

/** A rule response, as Kyverno's engine produces it, plus the result it becomes. */
export interface RuleResponse extends Result {
  policyKey: string;
}

/**
 * What the engine did to one resource, as Kyverno's engine response holds it: every rule response in
 * order (mutations first, then validations, then generations), the resource as patched by the mutating
 * rules, and the objects generating rules produced. `Result[]` is derived from it (`resultsOf`), so
 * `apply`, `test`, `scan` and an admission server read the same responses.
 */
export interface EngineResponse {
  /** The document as loaded (its `content` is never modified). */
  document: Document;
  resource: ResourceRef;
  /** The resource after every patch, when at least one rule changed it. */
  patchedResource?: Record<string, unknown>;
  /** Objects generating rules produced for this resource. */
  generated: Record<string, unknown>[];
  ruleResponses: RuleResponse[];
}

/** One evaluate run: responses not tied to a resource (unsupported policies), then one per resource. */
export interface EvaluationResponse {
  policyResponses: RuleResponse[];
  resources: EngineResponse[];
}

/** The flat result list, in the engine's order: policy-level responses, then each resource's. */
export function resultsOf(response: EvaluationResponse): RuleResponse[] {
  const out: RuleResponse[] = [...response.policyResponses];
  for (const r of response.resources) for (const rr of r.ruleResponses) out.push(rr);
  return out;
}

/** A rule's outcome, whatever produced it (a Kyverno rule type, a CEL expression, a Rego rule). */
export interface RuleOutcome {
  status: ResultStatus;
  message: string;
  /** Report properties, as PolicyReports carry them (e.g. `exceptions` on a skip an exception caused). */
  properties?: Record<string, string>;
  /** The resource as this rule left it, when it changed it: later rules and policies see this object. */
  patchedResource?: Record<string, unknown>;
  /** The change as RFC 6902 operations, when the rule type computes them (admission responses need them). */
  patch?: JsonPatchOperation[];
  /** Objects this rule generates. */
  generated?: Record<string, unknown>[];
  /** Existing resources a mutate-existing rule patched (they are not the resource under evaluation). */
  patchedTargets?: Record<string, unknown>[];
}

const SEVERITIES = new Set(['info', 'low', 'medium', 'high', 'critical']);

/** The `policies.kyverno.io/severity` annotation, medium when absent or unknown. */
export function policySeverity(policy: Pick<LoadedPolicy, 'annotations'>): Severity {
  const s = policy.annotations[SEVERITY_ANNOTATION]?.toLowerCase();
  return s && SEVERITIES.has(s) ? (s as Severity) : 'medium';
}

interface PolicyFields {
  name: string;
  namespace: string | undefined;
  annotations: Record<string, string>;
  key: string;
  severity: Severity;
  category: string;
  title: string | undefined;
}

/** What every response of a policy repeats, worked out once per policy instead of once per response. */
const fieldsCache = new WeakMap<LoadedPolicy, PolicyFields>();

function policyFields(policy: LoadedPolicy): PolicyFields {
  const hit = fieldsCache.get(policy);
  // Policies are not modified after loading; the check keeps a test that edits one in place honest.
  if (
    hit &&
    hit.name === policy.name &&
    hit.namespace === policy.namespace &&
    hit.annotations === policy.annotations
  ) {
    return hit;
  }
  const fields: PolicyFields = {
    name: policy.name,
    namespace: policy.namespace,
    annotations: policy.annotations,
    key: policyKey(policy),
    severity: policySeverity(policy),
    category: policy.annotations[CATEGORY_ANNOTATION] ?? 'policy',
    title: policy.annotations[TITLE_ANNOTATION],
  };
  fieldsCache.set(policy, fields);
  return fields;
}

/**
 * A rule response from an outcome: policy name/key, severity, category and title from the policy's
 * annotations, the position of the resource's document. Every policy kind builds its responses here.
 */
export function ruleResponse(
  policy: LoadedPolicy,
  rule: string,
  doc: Pick<Document, 'origin'>,
  resource: ResourceRef,
  outcome: RuleOutcome,
  status: ResultStatus = outcome.status,
  action?: 'Audit' | 'Enforce',
): RuleResponse {
  // Built field by field, not with spreads: the engine makes one per rule and resource.
  const fields = policyFields(policy);
  const out: RuleResponse = {
    policy: policy.name,
    policyKey: fields.key,
    rule,
    resource,
    status,
    message: outcome.message,
    severity: fields.severity,
    category: fields.category,
    origin: doc.origin,
    title: fields.title,
    action,
  };
  if (outcome.properties) out.properties = outcome.properties;
  if (outcome.patch) out.patch = outcome.patch;
  if (outcome.generated) out.generated = outcome.generated;
  if (outcome.patchedTargets) out.patchedTargets = outcome.patchedTargets;
  return out;
}

/** A rule the engine cannot evaluate: reported, never dropped, and marked so reports keep it. */
export function unsupportedSkip(message: string): RuleOutcome {
  return { status: 'skip', message, properties: { unsupported: 'true' } };
}

/** The one skip an unsupported policy kind gets per run. */
export function unsupportedPolicyResponse(policy: LoadedPolicy): RuleResponse {
  return {
    policy: policy.name,
    policyKey: policyKey(policy),
    rule: '',
    resource: { apiVersion: '', kind: '', namespace: '', name: '' },
    status: 'skip',
    message: policy.unsupported ?? 'not supported yet',
    severity: policySeverity(policy),
    category: policy.annotations[CATEGORY_ANNOTATION] ?? 'policy',
    origin: policy.origin,
    properties: { unsupported: 'true' },
  };
}
