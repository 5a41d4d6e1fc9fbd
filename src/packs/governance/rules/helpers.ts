import type { Document } from '../../../core/document.js';
import { isObject } from '../../../core/document.js';
import type { Result } from '../../../core/result.js';
import { resourceRef } from '../../../policy/engine/resource.js';
import type { TsRule, TsRuleMeta } from '../../rule.js';
import { tsResult } from '../../workload.js';

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

/** A rule that each namespace of the scanned set passes or fails, reported on the namespace. */
export function namespaceRule(
  meta: TsRuleMeta,
  present: (f: NamespaceFacts) => boolean,
  missing: string,
): TsRule {
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

export const appliesTo = ['Namespace (every namespace used by the scanned documents)'];
