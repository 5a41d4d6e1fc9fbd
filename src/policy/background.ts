import type { Document } from '../core/document.js';
import { isObject } from '../core/document.js';
import { buildPolicyReports } from '../report/policyreport.js';
import { type EvaluateOptions, evaluateResources, type RuleResponse } from './engine/evaluate.js';
import { candidateKinds } from './engine/kind-index.js';
import type { PolicyException } from './exceptions/index.js';
import { isKyvernoPolicy, type LoadedPolicy, policyKey, type Rule } from './model/types.js';

/**
 * Background scanning, as Kyverno's reports controller does it: policies that run in the background
 * (`spec.background`, default true; CEL ValidatingPolicies unless `evaluation.background.enabled: false`;
 * ValidatingAdmissionPolicies) are applied to resources that already exist, and only validation and
 * image verification results are reported (mutate and generate rules act at admission only).
 */

type Json = Record<string, unknown>;

/** Whether the policy reports on existing resources. */
export function isBackgroundPolicy(policy: LoadedPolicy): boolean {
  if (policy.unsupported) return false;
  if (isKyvernoPolicy(policy)) return policy.background && policy.computedRules.some(isReportedRule);
  const spec = isObject(policy.raw.spec) ? policy.raw.spec : {};
  const evaluation = isObject(spec.evaluation) ? spec.evaluation : {};
  switch (policy.kind) {
    case 'ValidatingAdmissionPolicy':
      return true;
    case 'ValidatingPolicy':
    case 'NamespacedValidatingPolicy': {
      const background = isObject(evaluation.background) ? evaluation.background : {};
      return evaluation.mode !== 'JSON' && background.enabled !== false;
    }
    default:
      return false;
  }
}

function isReportedRule(rule: Rule): boolean {
  return rule.validate !== undefined || rule.verifyImages !== undefined;
}

/** The kinds (and, for CEL policies, plural resource names) background policies can select, or all. */
export interface BackgroundTargets {
  all: boolean;
  kinds: Set<string>;
  resources: Set<string>;
}

export function backgroundTargets(policies: readonly LoadedPolicy[]): BackgroundTargets {
  const targets: BackgroundTargets = { all: false, kinds: new Set(), resources: new Set() };
  for (const policy of policies) {
    if (isKyvernoPolicy(policy)) {
      for (const rule of policy.computedRules.filter(isReportedRule)) {
        const kinds = candidateKinds(rule);
        if (!kinds) targets.all = true;
        else for (const k of kinds) targets.kinds.add(k);
      }
      continue;
    }
    const spec = isObject(policy.raw.spec) ? policy.raw.spec : {};
    const constraints = isObject(spec.matchConstraints) ? spec.matchConstraints : {};
    const rules = Array.isArray(constraints.resourceRules) ? constraints.resourceRules : [];
    if (rules.length === 0) targets.all = true;
    for (const rule of rules) {
      const resources = isObject(rule) && Array.isArray(rule.resources) ? rule.resources : [];
      for (const r of resources) {
        const name = String(r).split('/')[0]!;
        if (name === '*' || name === '') targets.all = true;
        else targets.resources.add(name);
      }
    }
  }
  return targets;
}

/**
 * Kyverno's default `resourceFilters` (its ConfigMap): kinds and namespaces the background scan never
 * reports on, because they churn (Events, ReplicaSets), belong to the control plane, or are reports.
 */
export const DEFAULT_SKIPPED_KINDS: ReadonlySet<string> = new Set([
  'Event',
  'Node',
  'APIService',
  'TokenReview',
  'SubjectAccessReview',
  'SelfSubjectAccessReview',
  'Binding',
  'ReplicaSet',
  'AdmissionReport',
  'ClusterAdmissionReport',
  'BackgroundScanReport',
  'ClusterBackgroundScanReport',
  'EphemeralReport',
  'ClusterEphemeralReport',
  'PolicyReport',
  'ClusterPolicyReport',
  'Lease',
]);
export const DEFAULT_SKIPPED_NAMESPACES: ReadonlySet<string> = new Set([
  'kube-system',
  'kube-public',
  'kube-node-lease',
]);

export function isSkippedResource(object: Json): boolean {
  const meta = isObject(object.metadata) ? object.metadata : {};
  if (DEFAULT_SKIPPED_KINDS.has(String(object.kind))) return true;
  if (typeof meta.namespace === 'string' && DEFAULT_SKIPPED_NAMESPACES.has(meta.namespace)) return true;
  // A Namespace is reported like any cluster-scoped object, except the control plane's own.
  return object.kind === 'Namespace' && DEFAULT_SKIPPED_NAMESPACES.has(String(meta.name));
}

export interface BackgroundOptions {
  exceptions?: readonly PolicyException[];
  /** Labels of each namespace, for `namespaceSelector`; defaults to the Namespace objects among `objects`. */
  namespaceLabels?: (namespace: string) => Record<string, string> | undefined;
  /** Where the objects came from, for the documents' origin (`cluster https://...`). */
  source?: string;
  timestampSeconds?: number;
}

/** Applies the background policies to existing objects; returns only the results reports carry. */
export function evaluateBackground(
  policies: readonly LoadedPolicy[],
  objects: readonly Json[],
  options: BackgroundOptions = {},
): RuleResponse[] {
  const background = policies.filter(isBackgroundPolicy);
  if (background.length === 0) return [];
  const reported = new Map<string, Set<string> | 'all'>();
  for (const p of background)
    reported.set(
      policyKey(p),
      isKyvernoPolicy(p) ? new Set(p.computedRules.filter(isReportedRule).map((r) => r.name)) : 'all',
    );
  const source = options.source ?? 'cluster';
  const documents: Document[] = objects
    .filter((o) => !isSkippedResource(o))
    .map((content, index) => {
      const file = `${source}/${refPath(content)}`;
      return { id: file, origin: { file, line: 1, column: 1, index }, format: 'kubernetes', content };
    });
  const engine: EvaluateOptions = {
    operation: 'CREATE',
    namespaceLabels: options.namespaceLabels ?? namespaceLabelsOf(objects),
    exceptions: options.exceptions,
    reportUnsupportedPolicies: false,
    // Policies that look objects up (params, CEL resource lookups) see the whole cluster snapshot.
    resourceSet: documents,
  };
  const results: RuleResponse[] = [];
  for (const response of evaluateResources(background, documents, engine).resources) {
    for (const r of response.ruleResponses) {
      const rules = reported.get(r.policyKey);
      if (rules === 'all' || rules?.has(r.rule)) results.push(r);
    }
  }
  return results;
}

/**
 * The wgpolicyk8s.io/v1alpha2 reports for a background scan: one PolicyReport per namespace that has
 * results, one ClusterPolicyReport for cluster-scoped objects (the shared report builder's shape).
 */
export function buildBackgroundReports(
  policies: readonly LoadedPolicy[],
  objects: readonly Json[],
  options: BackgroundOptions = {},
): { results: RuleResponse[]; reports: Json[] } {
  const results = evaluateBackground(policies, objects, options);
  return { results, reports: buildPolicyReports(results, options.timestampSeconds) };
}

/** Labels of the Namespace objects among `objects`, plus `kubernetes.io/metadata.name` as the API server sets it. */
export function namespaceLabelsOf(
  objects: readonly Json[],
): (namespace: string) => Record<string, string> | undefined {
  const table = new Map<string, Record<string, string>>();
  for (const o of objects) {
    if (o.kind !== 'Namespace' || !isObject(o.metadata) || typeof o.metadata.name !== 'string') continue;
    const labels = isObject(o.metadata.labels) ? o.metadata.labels : {};
    table.set(o.metadata.name, Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)])));
  }
  return (namespace) =>
    namespace ? { ...table.get(namespace), 'kubernetes.io/metadata.name': namespace } : undefined;
}

function refPath(o: Json): string {
  const meta = isObject(o.metadata) ? o.metadata : {};
  const ns = typeof meta.namespace === 'string' ? `${meta.namespace}/` : '';
  return `${String(o.apiVersion)}/${String(o.kind)}/${ns}${String(meta.name)}`;
}
