/**
 * Rule `match` / `exclude` evaluation, following Kyverno's MatchesResourceDescription
 * (pkg/engine/utils/match.go): `any` / `all` resource filters or the legacy flat form, resource
 * descriptions (kinds, name(s), namespaces, annotations, selector, namespaceSelector, operations) and
 * user info (subjects, roles, clusterRoles).
 */
import { isPlainObject } from '../pattern/value.js';
import { wildcardMatch } from '../pattern/wildcard.js';
import { checkKind, type GroupVersionKind, gvkOf } from './kind.js';
import { selectorMatches } from './selector.js';

export interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  roles?: string[];
  clusterRoles?: string[];
}

export interface MatchContext {
  resource: Record<string, any>; // the admission object (oldObject for DELETE)
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  subresource?: string; // 'exec', 'status', 'scale', ...
  userInfo?: UserInfo;
  namespaceLabels?: (namespace: string) => Record<string, string> | undefined;
  /** For a namespaced `Policy`: resources in other namespaces never match. */
  policyNamespace?: string;
  /** Overrides the kind taken from the resource (e.g. the parent kind when evaluating a subresource). */
  gvk?: GroupVersionKind;
}

export { checkKind, type GroupVersionKind, gvkOf, parseKindSelector } from './kind.js';
export { SelectorError, selectorMatches } from './selector.js';

interface Filter {
  resources: Record<string, unknown>;
  /** The string lists of `resources`, read once (every rule's filter is checked for every resource). */
  operations: string[];
  kinds: string[];
  names: string[];
  namespaces: string[];
  subjects: unknown[];
  roles: string[];
  clusterRoles: string[];
  emptyDescription: boolean;
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

const filters = new WeakMap<object, Filter>();
/** Shared for absent match/exclude blocks: a fresh `{}` per call would miss the cache every time. */
const NO_BLOCK: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/** Normalised view of a resource filter, cached per (immutable) policy object. */
function toFilter(raw: unknown): Filter {
  const o = isPlainObject(raw) ? raw : NO_BLOCK;
  let f = filters.get(o);
  if (f === undefined) {
    const resources = isPlainObject(o.resources) ? o.resources : {};
    f = {
      resources,
      operations: stringList(resources.operations),
      kinds: stringList(resources.kinds),
      names: stringList(resources.names),
      namespaces: stringList(resources.namespaces),
      subjects: Array.isArray(o.subjects) ? o.subjects : [],
      roles: stringList(o.roles),
      clusterRoles: stringList(o.clusterRoles),
      emptyDescription: isEmptyDescription(resources),
    };
    filters.set(o, f);
  }
  return f;
}

/** A description with no constraint at all (any given selector, even `{}`, is a constraint). */
function isEmptyDescription(d: Record<string, unknown>): boolean {
  return Object.values(d).every(
    (v) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0),
  );
}

function isEmptyUserInfo(f: Filter): boolean {
  return f.subjects.length === 0 && f.roles.length === 0 && f.clusterRoles.length === 0;
}

function isEmptyRequestInfo(u: UserInfo | undefined): boolean {
  return (
    u === undefined ||
    (!u.username &&
      !u.uid &&
      (u.groups ?? []).length === 0 &&
      (u.roles ?? []).length === 0 &&
      (u.clusterRoles ?? []).length === 0)
  );
}

function labelsOf(resource: Record<string, any>): Record<string, string> {
  const labels = resource.metadata?.labels;
  return isPlainObject(labels) ? (labels as Record<string, string>) : {};
}

const NO_ERRORS: readonly string[] = Object.freeze([]);
const NO_USER: UserInfo = Object.freeze({});
/** The one answer for every match (callers only read it). */
const MATCHED: { matched: boolean; reason?: string } = Object.freeze({ matched: true });

/** Errors of one condition block; empty means it matched. */
function checkBlock(filter: Filter, ctx: MatchContext, useUserInfo: boolean): readonly string[] {
  const d = filter.resources;
  const resource = ctx.resource;
  const operations = filter.operations;
  if (operations.length > 0 && !operations.includes(ctx.operation)) return ['operation does not match'];

  // Most blocks match: the list is only made for the first error.
  let errs: string[] | undefined;
  const kinds = filter.kinds;
  const gvk = ctx.gvk ?? gvkOf(resource);
  if (kinds.length > 0 && !checkKind(kinds, gvk, ctx.subresource ?? '')) {
    (errs ??= []).push(`kind does not match [${kinds.join(' ')}]`);
  }
  const meta = isPlainObject(resource.metadata) ? resource.metadata : {};
  const name =
    (typeof meta.name === 'string' && meta.name) ||
    (typeof meta.generateName === 'string' ? meta.generateName : '');
  if (typeof d.name === 'string' && d.name !== '' && !wildcardMatch(d.name, name))
    (errs ??= []).push('name does not match');
  const names = filter.names;
  if (names.length > 0 && !names.some((n) => wildcardMatch(n, name)))
    (errs ??= []).push('none of the names match');
  const namespaces = filter.namespaces;
  if (namespaces.length > 0) {
    const ns = gvk.kind === 'Namespace' ? name : typeof meta.namespace === 'string' ? meta.namespace : '';
    if (!namespaces.some((n) => wildcardMatch(n, ns))) (errs ??= []).push('namespace does not match');
  }
  if (isPlainObject(d.annotations) && Object.keys(d.annotations).length > 0) {
    const actual = isPlainObject(meta.annotations) ? meta.annotations : {};
    const ok = Object.entries(d.annotations).every(([k, v]) =>
      Object.entries(actual).some(([ak, av]) => wildcardMatch(k, ak) && wildcardMatch(String(v), String(av))),
    );
    if (!ok) (errs ??= []).push('annotations does not match');
  }
  if (d.selector !== undefined && d.selector !== null) {
    try {
      if (!selectorMatches(d.selector, labelsOf(resource))) (errs ??= []).push('selector does not match');
    } catch (e) {
      (errs ??= []).push(`failed to parse selector: ${(e as Error).message}`);
    }
  }
  if (d.namespaceSelector !== undefined && d.namespaceSelector !== null) {
    if (gvk.kind === 'Namespace') {
      (errs ??= []).push('namespace selector is not applicable for namespace resource');
    } else if (gvk.kind !== '') {
      const ns = typeof meta.namespace === 'string' ? meta.namespace : '';
      const nsLabels = (ns !== '' ? ctx.namespaceLabels?.(ns) : undefined) ?? {};
      try {
        if (!selectorMatches(d.namespaceSelector, nsLabels))
          (errs ??= []).push('namespace selector does not match labels');
      } catch (e) {
        (errs ??= []).push(`failed to parse namespace selector: ${(e as Error).message}`);
      }
    }
  }
  if (useUserInfo && !isEmptyUserInfo(filter)) {
    const u = ctx.userInfo ?? NO_USER;
    if (filter.roles.length > 0 && !(u.roles ?? []).some((r) => filter.roles.includes(r))) {
      (errs ??= []).push('user info does not match roles for the given conditionBlock');
    }
    if (
      filter.clusterRoles.length > 0 &&
      !(u.clusterRoles ?? []).some((r) => filter.clusterRoles.includes(r))
    ) {
      (errs ??= []).push('user info does not match clustersRoles for the given conditionBlock');
    }
    if (filter.subjects.length > 0 && !subjectsMatch(filter.subjects, u)) {
      (errs ??= []).push('user info does not match subject for the given conditionBlock');
    }
  }
  return errs ?? NO_ERRORS;
}

/** rbacv1.Subject matching: ServiceAccount by its username, Group against the groups, User by name. */
function subjectsMatch(subjects: unknown[], u: UserInfo): boolean {
  const username = u.username ?? '';
  for (const s of subjects) {
    if (!isPlainObject(s)) continue;
    const name = typeof s.name === 'string' ? s.name : '';
    switch (s.kind) {
      case 'ServiceAccount': {
        const ns = typeof s.namespace === 'string' ? s.namespace : '';
        if (wildcardMatch(`system:serviceaccount:${ns}:${name}`, username)) return true;
        break;
      }
      case 'Group':
        if ((u.groups ?? []).some((g) => wildcardMatch(name, g))) return true;
        break;
      case 'User':
        if (wildcardMatch(name, username)) return true;
        break;
    }
  }
  return false;
}

/** matchesResourceDescriptionMatchHelper: without request user info, user constraints are ignored. */
function matchFilter(filter: Filter, ctx: MatchContext): readonly string[] {
  const useUserInfo = !isEmptyRequestInfo(ctx.userInfo);
  const hasUser = useUserInfo && !isEmptyUserInfo(filter);
  if (filter.emptyDescription && !hasUser) return ['match cannot be empty'];
  return checkBlock(filter, ctx, useUserInfo);
}

/** True when the exclude filter applies to the resource (so the resource is excluded). */
function excludeFilter(filter: Filter, ctx: MatchContext): boolean {
  if (filter.emptyDescription && isEmptyUserInfo(filter)) return false;
  return checkBlock(filter, ctx, true).length === 0;
}

function listOf(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Whether the rule's match/exclude select the resource; `reason` explains a non-match like Kyverno does. */
export function matchesRule(
  rule: { match?: unknown; exclude?: unknown; name?: unknown },
  ctx: MatchContext,
): { matched: boolean; reason?: string } {
  // Runs for every candidate rule of every resource: nothing is allocated on the way to a match.
  let reasons: string[] | undefined;
  const resource: Record<string, any> = ctx.resource;
  if (!isPlainObject(resource)) return { matched: false, reason: 'resource is empty' };
  const meta: Record<string, unknown> = isPlainObject(resource.metadata) ? resource.metadata : {};
  const ns = typeof meta.namespace === 'string' ? meta.namespace : '';
  if (ctx.policyNamespace && ctx.policyNamespace !== ns) {
    return { matched: false, reason: 'policy and resource namespaces mismatch' };
  }
  const match = isPlainObject(rule.match) ? rule.match : NO_BLOCK;
  const any = listOf(match.any);
  const all = listOf(match.all);
  if (any.length > 0) {
    let some = false;
    for (const f of any) {
      if (matchFilter(toFilter(f), ctx).length === 0) {
        some = true;
        break;
      }
    }
    if (!some) reasons = ['no resource matched'];
  } else if (all.length > 0) {
    for (const f of all) {
      const errors = matchFilter(toFilter(f), ctx);
      if (errors.length) (reasons ??= []).push(...errors);
    }
  } else {
    const errors = matchFilter(toFilter(match), ctx);
    if (errors.length) reasons = [...errors];
  }

  if (!reasons) {
    const exclude = isPlainObject(rule.exclude) ? rule.exclude : NO_BLOCK;
    const exAny = listOf(exclude.any);
    const exAll = listOf(exclude.all);
    if (exAny.length > 0) {
      for (const f of exAny) {
        if (excludeFilter(toFilter(f), ctx)) {
          reasons = ['resource excluded since one of the criteria excluded it'];
          break;
        }
      }
    } else if (exAll.length > 0) {
      let every = true;
      for (const f of exAll) {
        if (!excludeFilter(toFilter(f), ctx)) {
          every = false;
          break;
        }
      }
      if (every) reasons = ['resource excluded since the combination of all criteria exclude it'];
    } else if (excludeFilter(toFilter(exclude), ctx)) {
      reasons = ['resource excluded since one of the criteria excluded it'];
    }
  }
  if (!reasons) return MATCHED;
  const name = typeof rule.name === 'string' ? rule.name : '';
  return {
    matched: false,
    reason: `rule ${name} not matched:${reasons.map((r, i) => `\n ${i + 1}. ${r}`).join('')}`,
  };
}
