/**
 * A constraint's `spec.match`, evaluated offline as Gatekeeper's target matcher does: kinds (with apiGroups,
 * `*` wildcards), scope, namespaces and excludedNamespaces (with a prefix `kube-*` or suffix `*-system` glob),
 * name (same globs), labelSelector (the object's labels) and namespaceSelector (the labels of the object's
 * namespace, or of a Namespace itself). Namespace criteria do not apply to cluster-scoped objects other than
 * Namespaces, as in Gatekeeper.
 */
import { isObject } from '../../../core/document.js';
import { selectorMatches } from '../../match/selector.js';

export interface MatchObject {
  object: Record<string, unknown>;
  /** Labels of the object's namespace when known. */
  namespaceLabels?: Record<string, string>;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

/** Gatekeeper's glob: `*` only as a prefix or a suffix (or both). */
export function globMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  const pre = pattern.startsWith('*');
  const post = pattern.endsWith('*');
  const core = pattern.slice(pre ? 1 : 0, post ? -1 : undefined);
  if (pre && post) return value.includes(core);
  if (post) return value.startsWith(core);
  if (pre) return value.endsWith(core);
  return value === pattern;
}

function groupOf(object: Record<string, unknown>): string {
  const apiVersion = String(object.apiVersion ?? '');
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

function kindsMatch(kinds: unknown, object: Record<string, unknown>): boolean {
  if (!Array.isArray(kinds) || kinds.length === 0) return true;
  const group = groupOf(object);
  const kind = String(object.kind ?? '');
  return kinds.some((k) => {
    const entry = isObject(k) ? k : {};
    const groups = strings(entry.apiGroups);
    const names = strings(entry.kinds);
    const groupOk = groups.length === 0 || groups.includes('*') || groups.includes(group);
    const kindOk = names.length === 0 || names.includes('*') || names.includes(kind);
    return groupOk && kindOk;
  });
}

export function constraintMatches(match: Record<string, unknown> | undefined, m: MatchObject): boolean {
  if (!match) return true;
  const meta = isObject(m.object.metadata) ? m.object.metadata : {};
  const isNamespace = m.object.kind === 'Namespace' && groupOf(m.object) === '';
  const namespace = isNamespace ? String(meta.name ?? '') : String(meta.namespace ?? '');
  const clusterScoped = !isNamespace && namespace === '';
  if (!kindsMatch(match.kinds, m.object)) return false;
  const scope = String(match.scope ?? '*');
  if (scope === 'Cluster' && !(clusterScoped || isNamespace)) return false;
  if (scope === 'Namespaced' && (clusterScoped || isNamespace)) return false;
  if (typeof match.name === 'string' && match.name !== '' && !globMatch(match.name, String(meta.name ?? '')))
    return false;
  if (!clusterScoped) {
    const only = strings(match.namespaces);
    if (only.length > 0 && !only.some((p) => globMatch(p, namespace))) return false;
    if (strings(match.excludedNamespaces).some((p) => globMatch(p, namespace))) return false;
    if (match.namespaceSelector !== undefined) {
      const labels = isNamespace ? (meta.labels as Record<string, string> | undefined) : m.namespaceLabels;
      if (!selectorMatches(match.namespaceSelector, labels ?? {})) return false;
    }
  }
  if (match.labelSelector !== undefined)
    if (!selectorMatches(match.labelSelector, (meta.labels as Record<string, string> | undefined) ?? {}))
      return false;
  return true;
}
