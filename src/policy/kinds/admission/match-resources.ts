/**
 * admissionregistration.k8s.io MatchResources, evaluated offline: resourceRules / excludeResourceRules
 * (apiGroups, apiVersions, resources with `*` and `x/*` subresource forms, operations, scope), namespaceSelector
 * (labels of the resource's namespace, or of a Namespace itself) and objectSelector. Resources are named by their
 * plural, derived from the kind as discovery would for built-in kinds.
 */

import { pluralise } from '../../cel/lib/kyverno.js';
import { selectorMatches } from '../../match/selector.js';

export interface MatchInput {
  object: Record<string, unknown>;
  operation: string;
  /** Labels of the resource's namespace (undefined when unknown: a namespaceSelector then sees no labels). */
  namespaceLabels?: Record<string, string>;
}

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
  kind: string;
}

const IRREGULAR_PLURALS: Record<string, string> = {
  Endpoints: 'endpoints',
  PodSecurityPolicy: 'podsecuritypolicies',
  NetworkPolicy: 'networkpolicies',
  Ingress: 'ingresses',
  IngressClass: 'ingressclasses',
  StorageClass: 'storageclasses',
  PriorityClass: 'priorityclasses',
  RuntimeClass: 'runtimeclasses',
};

const gvrCache = new WeakMap<object, GroupVersionResource>();

/** Group, version, plural resource and kind of an object (cached: every policy asks for every object). */
export function gvrOf(object: Record<string, unknown>): GroupVersionResource {
  let hit = gvrCache.get(object);
  if (!hit) {
    hit = computeGvr(object);
    gvrCache.set(object, hit);
  }
  return hit;
}

function computeGvr(object: Record<string, unknown>): GroupVersionResource {
  const apiVersion = String(object.apiVersion ?? '');
  const slash = apiVersion.indexOf('/');
  const kind = String(object.kind ?? '');
  return {
    group: slash === -1 ? '' : apiVersion.slice(0, slash),
    version: slash === -1 ? apiVersion : apiVersion.slice(slash + 1),
    resource: IRREGULAR_PLURALS[kind] ?? pluralise(kind),
    kind,
  };
}

function listMatches(list: unknown, value: string): boolean {
  if (!Array.isArray(list) || list.length === 0) return false;
  return list.some((x) => x === '*' || x === value);
}

function resourceMatches(list: unknown, resource: string): boolean {
  if (!Array.isArray(list)) return false;
  // `pods/*` and `*/scale` name subresources, which plain objects never are.
  return list.some((r) => r === '*' || r === '*/*' || r === resource);
}

function ruleMatches(rule: Record<string, unknown>, gvr: GroupVersionResource, input: MatchInput): boolean {
  const names = rule.resourceNames;
  if (Array.isArray(names) && names.length > 0) {
    const name = String((input.object.metadata as Record<string, unknown> | undefined)?.name ?? '');
    if (!names.includes(name)) return false;
  }
  const scope = rule.scope;
  const namespaced = Boolean((input.object.metadata as Record<string, unknown> | undefined)?.namespace);
  if (scope === 'Namespaced' && !namespaced) return false;
  if (scope === 'Cluster' && namespaced) return false;
  return (
    listMatches(rule.apiGroups, gvr.group) &&
    listMatches(rule.apiVersions, gvr.version) &&
    resourceMatches(rule.resources, gvr.resource) &&
    listMatches(rule.operations, input.operation)
  );
}

function labelsOf(o: Record<string, unknown>): Record<string, string> {
  return ((o.metadata as Record<string, unknown> | undefined)?.labels ?? {}) as Record<string, string>;
}

function isEmptySelector(sel: unknown): boolean {
  if (sel === undefined || sel === null) return true;
  const s = sel as Record<string, unknown>;
  const labels = s.matchLabels as Record<string, unknown> | undefined;
  const exprs = s.matchExpressions as unknown[] | undefined;
  return (!labels || Object.keys(labels).length === 0) && (!exprs || exprs.length === 0);
}

/** Whether MatchResources selects the object (undefined constraints select nothing, as in Kyverno). */
export function matchResources(constraints: Record<string, unknown> | undefined, input: MatchInput): boolean {
  if (!constraints) return false;
  const gvr = gvrOf(input.object);
  const rules = constraints.resourceRules;
  if (Array.isArray(rules) && rules.length > 0) {
    if (!rules.some((r) => ruleMatches(r as Record<string, unknown>, gvr, input))) return false;
  }
  const excludes = constraints.excludeResourceRules;
  if (Array.isArray(excludes) && excludes.some((r) => ruleMatches(r as Record<string, unknown>, gvr, input)))
    return false;
  const nsSel = constraints.namespaceSelector;
  if (!isEmptySelector(nsSel)) {
    const isNamespace = gvr.group === '' && gvr.kind === 'Namespace';
    const namespaced = Boolean((input.object.metadata as Record<string, unknown> | undefined)?.namespace);
    // Cluster-scoped objects other than Namespaces always match a namespaceSelector (Kubernetes semantics).
    if (isNamespace) {
      if (!selectorMatches(nsSel, labelsOf(input.object))) return false;
    } else if (namespaced && !selectorMatches(nsSel, input.namespaceLabels ?? {})) return false;
  }
  const objSel = constraints.objectSelector;
  if (!isEmptySelector(objSel) && !selectorMatches(objSel, labelsOf(input.object))) return false;
  return true;
}
