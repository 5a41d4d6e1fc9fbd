import { isObject } from '../../core/document.js';
import { POD_CONTROLLERS, POD_SPEC_KINDS, TEMPLATE_POD_CONTROLLERS } from '../../core/k8s/pod-controllers.js';
import { AUTOGEN_ANNOTATION, type Policy, type Rule } from '../model/types.js';

/**
 * Kyverno's auto-generated rules for Pod controllers (pkg/autogen/v1): rules that match Pods are
 * copied as `autogen-<rule>` for DaemonSet/Deployment/Job/StatefulSet/ReplicaSet/ReplicationController
 * (pod template at spec.template) and `autogen-cronjob-<rule>` for CronJob
 * (spec.jobTemplate.spec.template), unless the policy's rules use names, selectors or annotations,
 * or the autogen-controllers annotation narrows or disables it.
 */
const ALL_CONTROLLERS = new Set(POD_CONTROLLERS);
const POD_AND_CONTROLLERS = new Set(POD_SPEC_KINDS);

type Filter = Record<string, any>;

function kindName(kind: string): string {
  // "apps/v1/Deployment" → "Deployment", "Pod/exec" keeps its subresource
  const parts = kind.split('/');
  if (parts.length === 1) return kind;
  // group/version/Kind[/sub] or version/Kind[/sub]
  const idx = parts.findIndex((p) => /^[A-Z*]/.test(p));
  return idx >= 0 ? parts.slice(idx).join('/') : parts[parts.length - 1]!;
}

function containsKind(kinds: readonly string[] | undefined, kind: string): boolean {
  return (kinds ?? []).some((k) => kindName(k) === kind || kindName(k) === '*');
}

function descriptions(block: unknown): Filter[] {
  if (!isObject(block)) return [];
  const out: Filter[] = [];
  if (isObject(block.resources)) out.push(block.resources);
  for (const key of ['any', 'all']) {
    const list = block[key];
    if (Array.isArray(list))
      for (const f of list) if (isObject(f) && isObject(f.resources)) out.push(f.resources);
  }
  return out;
}

function allKinds(block: unknown): string[] {
  return descriptions(block).flatMap((d) => (Array.isArray(d.kinds) ? (d.kinds as string[]) : []));
}

/** CanAutoGen: whether any rule needs it and none uses fields that make no sense on controllers. */
function canAutoGen(rules: readonly Rule[]): boolean {
  let needed = false;
  for (const rule of rules) {
    if (rule.generate !== undefined) return false;
    if (isObject(rule.mutate)) {
      if (rule.mutate.patchesJson6902 !== undefined) return false;
      const fe = rule.mutate.foreach;
      if (Array.isArray(fe) && fe.some((f) => isObject(f) && f.patchesJson6902 !== undefined)) return false;
    }
    for (const d of [...descriptions(rule.match), ...descriptions(rule.exclude)]) {
      const kinds: string[] = Array.isArray(d.kinds) ? d.kinds : [];
      if (
        d.name ||
        (Array.isArray(d.names) && d.names.length) ||
        d.selector !== undefined ||
        d.annotations !== undefined
      ) {
        return false;
      }
      if (kinds.length > 1 && containsKind(kinds, 'Pod')) return false;
      if (kinds.some((k) => POD_AND_CONTROLLERS.has(kindName(k)))) needed = true;
    }
  }
  return needed;
}

function requestedControllers(policy: Policy): Set<string> | undefined {
  const value = policy.annotations[AUTOGEN_ANNOTATION];
  if (value === undefined || value === '') return undefined;
  if (value === 'none') return new Set();
  return new Set(value.split(',').map((s) => s.trim()));
}

const POD_REPLACEMENTS: [string, string][] = [
  ['request.object.spec', 'request.object.spec.template.spec'],
  ['request.oldObject.spec', 'request.oldObject.spec.template.spec'],
  ['request.object.metadata', 'request.object.spec.template.metadata'],
  ['request.oldObject.metadata', 'request.oldObject.spec.template.metadata'],
];
const CRONJOB_REPLACEMENTS: [string, string][] = [
  ['request.object.spec', 'request.object.spec.jobTemplate.spec.template.spec'],
  ['request.oldObject.spec', 'request.oldObject.spec.jobTemplate.spec.template.spec'],
  ['request.object.metadata', 'request.object.spec.jobTemplate.spec.template.metadata'],
  ['request.oldObject.metadata', 'request.oldObject.spec.jobTemplate.spec.template.metadata'],
];

/** Kyverno rewrites variable paths by a textual replace over the serialized rule; so do we. */
function rewriteVariables(rule: Rule, replacements: [string, string][]): Rule {
  let text = JSON.stringify(rule);
  for (const [from, to] of replacements) text = text.split(from).join(to);
  return JSON.parse(text) as Rule;
}

function replaceKindsInFilters(list: unknown, kinds: string[], onlyWithPod: boolean): unknown {
  if (!Array.isArray(list)) return list;
  return list.map((f) => {
    if (!isObject(f) || !isObject(f.resources)) return f;
    const res = f.resources as Filter;
    if (onlyWithPod && !containsKind(res.kinds, 'Pod')) return f;
    return { ...f, resources: { ...res, kinds } };
  });
}

function retarget(
  rule: Rule,
  name: string,
  tplKey: string,
  kinds: string[],
  anyAllOnlyWithPod: boolean,
): Rule | undefined {
  const out: Rule = structuredClone(rule);
  out.name = name.length > 63 ? name.slice(0, 63) : name;
  const match = (out.match ?? {}) as Filter;
  if (Array.isArray(match.any) && match.any.length)
    match.any = replaceKindsInFilters(match.any, kinds, anyAllOnlyWithPod);
  else if (Array.isArray(match.all) && match.all.length)
    match.all = replaceKindsInFilters(match.all, kinds, anyAllOnlyWithPod);
  else match.resources = { ...(match.resources ?? {}), kinds };
  out.match = match;
  if (isObject(out.exclude)) {
    const ex = out.exclude as Filter;
    if (Array.isArray(ex.any) && ex.any.length)
      ex.any = replaceKindsInFilters(ex.any, kinds, anyAllOnlyWithPod);
    else if (Array.isArray(ex.all) && ex.all.length)
      ex.all = replaceKindsInFilters(ex.all, kinds, anyAllOnlyWithPod);
    else if (isObject(ex.resources) && Array.isArray(ex.resources.kinds) && ex.resources.kinds.length) {
      ex.resources = { ...ex.resources, kinds };
    }
  }
  const wrap = (p: unknown) => ({ spec: { [tplKey]: p } });
  if (isObject(out.mutate)) {
    const m = out.mutate as Filter;
    if (m.patchStrategicMerge !== undefined)
      out.mutate = { patchStrategicMerge: wrap(m.patchStrategicMerge) };
    else if (Array.isArray(m.foreach))
      out.mutate = {
        foreach: m.foreach.map((f: Filter) => ({
          list: f.list,
          context: f.context,
          preconditions: f.preconditions,
          patchStrategicMerge: wrap(f.patchStrategicMerge),
        })),
      };
    return out;
  }
  const v = out.validate;
  if (isObject(v)) {
    const keep = {
      message: v.message,
      failureAction: v.failureAction,
      failureActionOverrides: v.failureActionOverrides,
      allowExistingViolations: v.allowExistingViolations,
    };
    const clean = (o: Filter) => Object.fromEntries(Object.entries(o).filter(([, val]) => val !== undefined));
    if (v.pattern !== undefined) out.validate = clean({ ...keep, pattern: wrap(v.pattern) });
    else if (v.deny !== undefined) out.validate = clean({ ...keep, deny: v.deny });
    else if (v.podSecurity !== undefined) out.validate = clean({ ...keep, podSecurity: v.podSecurity });
    else if (Array.isArray(v.anyPattern))
      out.validate = clean({ ...keep, anyPattern: v.anyPattern.map(wrap) });
    else if (v.foreach !== undefined) out.validate = clean({ ...keep, foreach: v.foreach });
    return out;
  }
  if (out.verifyImages !== undefined) return out;
  return undefined;
}

function controllersRule(rule: Rule, controllers: string[]): Rule | undefined {
  if (rule.name.startsWith('autogen-') || controllers.length === 0) return undefined;
  if (!containsKind(allKinds(rule.match), 'Pod')) return undefined;
  const excludeKinds = allKinds(rule.exclude);
  if (excludeKinds.length && !containsKind(excludeKinds, 'Pod')) return undefined;
  return retarget(rule, `autogen-${rule.name}`, 'template', [...controllers].sort(), true);
}

export function computeAutogenRules(policy: Policy): Rule[] {
  const rules = policy.rules;
  if (!canAutoGen(rules)) return rules;
  const requested = requestedControllers(policy);
  const active =
    requested === undefined ? ALL_CONTROLLERS : new Set([...requested].filter((c) => ALL_CONTROLLERS.has(c)));
  if (active.size === 0) return rules;
  const nonCron = TEMPLATE_POD_CONTROLLERS.filter((c) => active.has(c));
  const generated: Rule[] = [];
  for (const rule of rules) {
    const forControllers = controllersRule(rule, nonCron);
    if (forControllers) generated.push(rewriteVariables(forControllers, POD_REPLACEMENTS));
    if (active.has('CronJob')) {
      // Kyverno derives the CronJob rule from the controllers rule (its pattern is wrapped twice),
      // but rewrites variables from the original rule's text.
      const base = controllersRule(rule, nonCron.length ? nonCron : ['CronJob']);
      if (base) {
        const cron = retarget(base, `autogen-cronjob-${rule.name}`, 'jobTemplate', ['CronJob'], false);
        if (cron) generated.push(rewriteVariables(cron, CRONJOB_REPLACEMENTS));
      }
    }
  }
  if (!generated.length) return rules;
  return [...rules.filter((r) => !r.name.startsWith('autogen-')), ...generated];
}
