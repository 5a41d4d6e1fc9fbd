import type { Document } from '../../core/document.js';
import { isObject } from '../../core/document.js';
import type { Result } from '../../core/result.js';
import { resourceRef } from '../../policy/engine/resource.js';
import type { TsRule, TsRuleMeta } from '../index.js';
import { tsResult } from '../workload.js';

/** Namespaces that belong to the cluster, not to a tenant; they are not held to the per-namespace rules. */
const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease']);

interface NamespaceFacts {
  /** The Namespace document when the scanned set has one; otherwise the first document in the namespace. */
  anchor: Document;
  hasNamespaceDoc: boolean;
  defaultDenyIngress: boolean;
  defaultDenyEgress: boolean;
  resourceQuota: boolean;
  limitRange: boolean;
}

function isDefaultDeny(content: Record<string, any>, direction: 'Ingress' | 'Egress'): boolean {
  const spec = isObject(content.spec) ? content.spec : {};
  const selector = spec.podSelector;
  const selectsAll =
    isObject(selector) &&
    Object.keys(selector).every((k) => {
      const v = (selector as Record<string, unknown>)[k];
      return (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
    });
  if (!selectsAll) return false;
  const types: string[] = Array.isArray(spec.policyTypes)
    ? spec.policyTypes
    : ['Ingress', ...(spec.egress ? ['Egress'] : [])];
  if (!types.includes(direction)) return false;
  const rules = direction === 'Ingress' ? spec.ingress : spec.egress;
  return !Array.isArray(rules) || rules.length === 0;
}

/** Collects, per namespace of the scanned set, which guard objects it has. */
export function namespaceFacts(documents: readonly Document[]): Map<string, NamespaceFacts> {
  const facts = new Map<string, NamespaceFacts>();
  const get = (ns: string, doc: Document) => {
    let f = facts.get(ns);
    if (!f) {
      f = {
        anchor: doc,
        hasNamespaceDoc: false,
        defaultDenyIngress: false,
        defaultDenyEgress: false,
        resourceQuota: false,
        limitRange: false,
      };
      facts.set(ns, f);
    }
    return f;
  };
  for (const doc of documents) {
    const ref = resourceRef(doc.content);
    if (ref.kind === 'Namespace') {
      const f = get(ref.name, doc);
      if (!f.hasNamespaceDoc) {
        f.anchor = doc;
        f.hasNamespaceDoc = true;
      }
      continue;
    }
    if (!ref.namespace) continue;
    const f = get(ref.namespace, doc);
    const content = doc.content as Record<string, any>;
    if (ref.kind === 'NetworkPolicy') {
      f.defaultDenyIngress ||= isDefaultDeny(content, 'Ingress');
      f.defaultDenyEgress ||= isDefaultDeny(content, 'Egress');
    } else if (ref.kind === 'ResourceQuota') f.resourceQuota = true;
    else if (ref.kind === 'LimitRange') f.limitRange = true;
  }
  for (const ns of SYSTEM_NAMESPACES) facts.delete(ns);
  return facts;
}

function namespaceRule(meta: TsRuleMeta, present: (f: NamespaceFacts) => boolean, missing: string): TsRule {
  return {
    meta,
    scope: 'namespace',
    check(documents) {
      const out: Result[] = [];
      for (const [ns, f] of [...namespaceFacts(documents).entries()].sort(([a], [b]) => a.localeCompare(b))) {
        const base = tsResult(
          meta,
          f.anchor,
          present(f) ? 'pass' : 'fail',
          present(f)
            ? `Namespace ${ns} has ${meta.title.toLowerCase().replace(/^namespaces without /, '')}.`
            : `Namespace ${ns} ${missing}`,
        );
        // Findings are about the namespace, even when anchored on another document's position.
        out.push({ ...base, resource: { apiVersion: 'v1', kind: 'Namespace', namespace: '', name: ns } });
      }
      return out;
    },
  };
}

const appliesTo = ['Namespace (every namespace used by the scanned documents)'];

export const rules: TsRule[] = [
  namespaceRule(
    {
      id: 'namespace-default-deny',
      title: 'Namespaces without a default-deny NetworkPolicy',
      severity: 'medium',
      pack: 'governance',
      rationale:
        'Kubernetes networking is allow-all until a NetworkPolicy selects a pod. In a multi-tenant cluster every namespace should start from a default-deny ingress policy (podSelector: {} and no ingress rules) and open only what it serves.',
      fix: 'Add a NetworkPolicy with podSelector: {}, policyTypes: [Ingress] (and Egress where possible) and no rules, then allow specific traffic.',
      appliesTo,
    },
    (f) => f.defaultDenyIngress,
    'has no default-deny ingress NetworkPolicy in the scanned set: every pod in it accepts traffic from anywhere in the cluster.',
  ),
  namespaceRule(
    {
      id: 'namespace-resourcequota',
      title: 'Namespaces without a ResourceQuota',
      severity: 'low',
      pack: 'governance',
      rationale:
        "A ResourceQuota caps what one tenant can request, so a runaway deployment or a mistaken replica count cannot take the cluster's capacity from everyone else.",
      fix: 'Add a ResourceQuota with requests.cpu, requests.memory, limits.memory (and requests.nvidia.com/gpu for GPU tenants).',
      appliesTo,
    },
    (f) => f.resourceQuota,
    'has no ResourceQuota in the scanned set: one tenant can claim the whole cluster.',
  ),
  namespaceRule(
    {
      id: 'namespace-limitrange',
      title: 'Namespaces without a LimitRange',
      severity: 'low',
      pack: 'governance',
      rationale:
        'A LimitRange gives containers that forget their requests sane defaults and bounds, so they are not BestEffort, and it is required for a ResourceQuota on requests to admit such pods at all.',
      fix: 'Add a LimitRange with defaultRequest and default for cpu and memory in the namespace.',
      appliesTo,
    },
    (f) => f.limitRange,
    'has no LimitRange in the scanned set: containers without requests run as BestEffort.',
  ),
];
