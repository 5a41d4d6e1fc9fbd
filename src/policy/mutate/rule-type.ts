import { isObject } from '../../core/document.js';
import type { RuleType } from '../engine/rule-type.js';
import { mutateRule } from './index.js';

const MUTATE_FIELDS = new Set([
  'patchStrategicMerge',
  'patchesJson6902',
  'foreach',
  'targets',
  'mutateExistingOnPolicyUpdate',
]);
const FOREACH_FIELDS = new Set([
  'list',
  'order',
  'context',
  'preconditions',
  'patchStrategicMerge',
  'patchesJson6902',
  'foreach',
]);

function checkForeach(list: unknown, path: string, problems: string[]): void {
  if (!Array.isArray(list)) {
    problems.push(`${path}: must be a list`);
    return;
  }
  list.forEach((f, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(f)) {
      problems.push(`${p}: must be an object`);
      return;
    }
    for (const key of Object.keys(f))
      if (!FOREACH_FIELDS.has(key)) problems.push(`${p}.${key}: unknown field`);
    if (typeof f.list !== 'string' || f.list === '') problems.push(`${p}.list: required string`);
    if (f.order !== undefined && f.order !== 'Ascending' && f.order !== 'Descending') {
      problems.push(`${p}.order: must be Ascending or Descending`);
    }
    const bodies = ['patchStrategicMerge', 'patchesJson6902', 'foreach'].filter((k) => f[k] !== undefined);
    if (bodies.length !== 1)
      problems.push(`${p}: exactly one of patchStrategicMerge, patchesJson6902 or foreach is required`);
    if (f.foreach !== undefined) checkForeach(f.foreach, `${p}.foreach`, problems);
  });
}

/** Kyverno mutate rules: patchStrategicMerge, patchesJson6902, foreach and targets (mutate existing). */
export const mutateRuleType: RuleType = {
  field: 'mutate',
  phase: 'mutate',
  check(rule, path, problems) {
    const m = rule.mutate;
    if (!isObject(m)) return void problems.push(`${path}.mutate: must be an object`);
    for (const key of Object.keys(m))
      if (!MUTATE_FIELDS.has(key)) problems.push(`${path}.mutate.${key}: unknown field`);
    const bodies = ['patchStrategicMerge', 'patchesJson6902', 'foreach'].filter((k) => m[k] !== undefined);
    if (bodies.length === 0)
      problems.push(`${path}.mutate: one of patchStrategicMerge, patchesJson6902 or foreach is required`);
    if (bodies.length > 1) problems.push(`${path}.mutate: only one of ${bodies.join(', ')} may be set`);
    if (
      m.patchesJson6902 !== undefined &&
      typeof m.patchesJson6902 !== 'string' &&
      !Array.isArray(m.patchesJson6902)
    ) {
      problems.push(`${path}.mutate.patchesJson6902: must be a string (or a list of operations)`);
    }
    if (m.patchStrategicMerge !== undefined && !isObject(m.patchStrategicMerge)) {
      problems.push(`${path}.mutate.patchStrategicMerge: must be an object`);
    }
    if (m.foreach !== undefined) checkForeach(m.foreach, `${path}.mutate.foreach`, problems);
    if (m.targets !== undefined) {
      if (!Array.isArray(m.targets)) problems.push(`${path}.mutate.targets: must be a list`);
      else
        m.targets.forEach((t, i) => {
          if (!isObject(t) || typeof t.kind !== 'string' || typeof t.apiVersion !== 'string') {
            problems.push(`${path}.mutate.targets[${i}]: apiVersion and kind are required`);
          }
        });
    }
  },
  apply(c) {
    const targetResources = Array.isArray(c.rule.mutate?.targets)
      ? (c.options.resourceSet ?? []).map((d) => d.content).filter(isObject)
      : undefined;
    const outcomes = mutateRule(c.rule, {
      ctx: c.ctx,
      sources: c.sources,
      resource: c.resource,
      foreachValues: c.foreachValues,
      targetResources,
    });
    if (!outcomes) return undefined;
    if (targetResources) {
      // Mutate-existing: the trigger gets one response; the patched targets travel with it.
      if (outcomes.length === 0) return { status: 'skip', message: 'no target resources found' };
      const patched = outcomes.filter((o) => o.status === 'pass');
      const worst = outcomes.find((o) => o.status === 'error' || o.status === 'fail');
      if (worst) return { status: worst.status, message: worst.message };
      if (patched.length === 0) return { status: 'skip', message: outcomes[0]!.message };
      return {
        status: 'pass',
        message: patched.map((o) => o.message).join('; '),
        patchedTargets: patched.map((o) => o.patched),
      };
    }
    const [o] = outcomes;
    if (!o) return undefined;
    // A foreach rule passes even when no element changed anything; only a real change is a patch.
    return o.status === 'pass' && o.patched !== c.resource
      ? { status: 'pass', message: o.message, patchedResource: o.patched }
      : { status: o.status, message: o.message };
  },
};
