/** Kind selectors of `match.resources.kinds` (kubeutils.ParseKindSelector, match.CheckKind). */
import { wildcardMatch } from '../pattern/wildcard.js';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

const VERSION = /^(v\d+((alpha|beta)\d+)?|\*)$/;

export interface KindSelector {
  group: string;
  version: string;
  kind: string;
  subresource: string;
}

/**
 * "Pod", "v1/Pod", "apps/v1/Deployment", "*\/Pod", "Pod/exec", "Pod.status", "v1/Pod/exec",
 * "apps/v1/Deployment/scale", "*\/*" (everything including subresources).
 */
export function parseKindSelector(input: string): KindSelector {
  let sel = selectorCache.get(input);
  if (sel === undefined) {
    sel = parseUncached(input);
    if (selectorCache.size >= 5_000) selectorCache.clear();
    selectorCache.set(input, sel);
  }
  return sel;
}

const selectorCache = new Map<string, KindSelector>();

function parseUncached(input: string): KindSelector {
  const slash = input.split('/');
  const parts = [...slash.slice(0, -1), ...slash[slash.length - 1]!.split('.')];
  switch (parts.length) {
    case 1:
      return { group: '*', version: '*', kind: parts[0]!, subresource: '' };
    case 2:
      if (parts[0] === '*' && parts[1] === '*')
        return { group: '*', version: '*', kind: '*', subresource: '*' };
      if (parts[0] === '*' && parts[1]!.toLowerCase() === parts[1]) {
        return { group: '*', version: '*', kind: '*', subresource: parts[1]! };
      }
      if (VERSION.test(parts[0]!))
        return { group: '*', version: parts[0]!, kind: parts[1]!, subresource: '' };
      return { group: '*', version: '*', kind: parts[0]!, subresource: parts[1]! };
    case 3:
      if (VERSION.test(parts[0]!)) {
        return { group: '*', version: parts[0]!, kind: parts[1]!, subresource: parts[2]! };
      }
      return { group: parts[0]!, version: parts[1]!, kind: parts[2]!, subresource: '' };
    case 4:
      return { group: parts[0]!, version: parts[1]!, kind: parts[2]!, subresource: parts[3]! };
    default:
      return { group: '', version: '', kind: '', subresource: '' };
  }
}

/** Group, version and kind by apiVersion and kind: a resource is matched against every rule's blocks. */
const gvks = new Map<string, Map<string, GroupVersionKind>>();

/**
 * The group/version/kind of a manifest from its apiVersion and kind ("apps/v1" → group apps, version
 * v1), frozen: shared between calls.
 */
export function gvkOf(resource: Record<string, unknown>): GroupVersionKind {
  const apiVersion = typeof resource.apiVersion === 'string' ? resource.apiVersion : '';
  const kind = typeof resource.kind === 'string' ? resource.kind : '';
  let byKind = gvks.get(apiVersion);
  if (!byKind) {
    // Bounded: manifests name few apiVersions, but input is not trusted to.
    if (gvks.size >= 1024) gvks.clear();
    gvks.set(apiVersion, (byKind = new Map()));
  }
  let gvk = byKind.get(kind);
  if (!gvk) {
    const i = apiVersion.indexOf('/');
    gvk = Object.freeze(
      i < 0
        ? { group: '', version: apiVersion, kind }
        : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1), kind },
    );
    if (byKind.size >= 1024) byKind.clear();
    byKind.set(kind, gvk);
  }
  return gvk;
}

/**
 * Whether any of the kind selectors matches. A Pod selector also admits the `ephemeralcontainers`
 * subresource, as Kyverno keeps doing for policies.
 */
export function checkKind(kinds: string[], gvk: GroupVersionKind, subresource: string): boolean {
  for (const k of kinds) {
    const sel = parseKindSelector(k);
    if (
      wildcardMatch(sel.group, gvk.group) &&
      wildcardMatch(sel.version, gvk.version) &&
      wildcardMatch(sel.kind, gvk.kind)
    ) {
      if (wildcardMatch(sel.subresource, subresource)) return true;
      if (
        gvk.group === '' &&
        gvk.version === 'v1' &&
        gvk.kind === 'Pod' &&
        subresource === 'ephemeralcontainers'
      ) {
        return true;
      }
    }
  }
  return false;
}
