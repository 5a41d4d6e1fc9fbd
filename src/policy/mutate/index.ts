/**
 * Runs a matched `mutate` rule the way Kyverno's engine does (pkg/engine/handlers/mutation): rule
 * context and preconditions, variable substitution in the patch, then `patchStrategicMerge` or
 * `patchesJson6902`, or `foreach` (per element, `order`, nested foreach, per-element context and
 * preconditions, the resource patched element after element), or `targets` (mutate existing
 * resources: each target from the supplied resources gets its own response).
 */
import { isObject } from '../../core/document.js';
import { type ConditionsOutcome, evaluateConditions } from '../conditions/index.js';
import type { Rule } from '../model/types.js';
import type { RuleOutcome } from '../validate/index.js';
import {
  type ContextSources,
  type EvalContext,
  loadContextEntries,
  substituteVariables,
} from '../vars/index.js';
import { applyPatchSpec, hasPatch, PatchError, type PatchSpec, type Resource } from './patch.js';

export { prepareStrategicPatch } from './anchors.js';
export { applyJsonPatch, type JsonPatchOperation, parseJsonPatch } from './jsonpatch.js';
export { applyPatchSpec, type PatchSpec } from './patch.js';
export { strategicMerge } from './strategic-merge.js';

export interface MutationEnv {
  ctx: EvalContext;
  sources: ContextSources;
  /** The resource as earlier rules left it. */
  resource: Resource;
  /** Per-iteration values for foreach variables (Kyverno CLI `foreachValues`). */
  foreachValues?: Record<string, unknown[]>;
  /** Existing resources `mutate.targets` may select (the test's targetResources, apply's resources). */
  targetResources?: readonly Resource[];
}

export interface MutationOutcome extends RuleOutcome {
  /** The patched resource (or target) on pass; the input otherwise. */
  patched: Resource;
  /** For mutate-existing rules: the target this response concerns. */
  target?: Resource;
}

interface ForEachMutation extends PatchSpec {
  list?: string;
  order?: string;
  context?: unknown[];
  preconditions?: unknown;
  foreach?: ForEachMutation[];
}

const errorOutcome = (resource: Resource, what: string, error?: unknown): MutationOutcome => ({
  status: 'error',
  message: error === undefined ? what : `${what}: ${(error as Error)?.message ?? String(error)}`,
  patched: resource,
});

function hasConditions(block: unknown): boolean {
  if (block === undefined || block === null) return false;
  if (Array.isArray(block)) return block.length > 0;
  if (isObject(block)) return Array.isArray(block.any) || Array.isArray(block.all);
  return false;
}

function checkConditions(block: unknown, ctx: EvalContext): ConditionsOutcome {
  return evaluateConditions(block, (value) => substituteVariables(value, ctx));
}

/** Whether any string or key of a policy fragment holds a `{{ }}` variable or a `$( )` reference. */
function hasVariables(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('{{') || value.includes('$(');
  if (Array.isArray(value)) return value.some(hasVariables);
  if (isObject(value)) {
    for (const key of Object.keys(value)) if (hasVariables(key) || hasVariables(value[key])) return true;
  }
  return false;
}

/** Patches without variables, per rule (or foreach) body: substituting them would only copy them. */
const constantPatches = new WeakMap<object, PatchSpec | null>();

/**
 * The body's patch with its variables substituted. A body with none gets the same spec object every
 * time, so the per-patch caches downstream (parsed JSON patches, anchor analysis) hit.
 */
function patchSpec(body: PatchSpec & object, ctx: EvalContext, path?: string): PatchSpec {
  let constant = constantPatches.get(body);
  if (constant === undefined) {
    const spec: PatchSpec = {
      patchStrategicMerge: body.patchStrategicMerge,
      patchesJson6902: body.patchesJson6902,
    };
    constant = hasVariables(spec) ? null : spec;
    constantPatches.set(body, constant);
  }
  if (constant) return constant;
  return substituteVariables(
    { patchStrategicMerge: body.patchStrategicMerge, patchesJson6902: body.patchesJson6902 },
    ctx,
    path,
  );
}

function describe(resource: Resource): string {
  const meta = isObject(resource.metadata) ? resource.metadata : {};
  const ns = typeof meta.namespace === 'string' ? meta.namespace : '';
  const name = `${String(resource.kind ?? '')}/${String(meta.name ?? '')}`;
  return ns ? `mutated ${name} in namespace ${ns}` : `mutated ${name}`;
}

/**
 * Applies a matched mutate rule. Returns one outcome for the resource, or one per target for a
 * mutate-existing rule (none when no target matched); undefined when the rule has no mutate block.
 */
export function mutateRule(rule: Rule, env: MutationEnv): MutationOutcome[] | undefined {
  const mutate = rule.mutate;
  if (!isObject(mutate)) return undefined;
  const { ctx } = env;
  try {
    loadContextEntries(rule.context, ctx, env.sources);
  } catch (error) {
    return [errorOutcome(env.resource, 'failed to load context', error)];
  }
  if (hasConditions(rule.preconditions)) {
    try {
      if (!checkConditions(rule.preconditions, ctx).passed) {
        return [{ status: 'skip', message: 'preconditions not met', patched: env.resource }];
      }
    } catch (error) {
      return [errorOutcome(env.resource, 'failed to evaluate preconditions', error)];
    }
  }
  if (Array.isArray(mutate.targets) && mutate.targets.length > 0) return mutateTargets(rule, mutate, env);
  return [mutateOne(mutate, env.resource, env, rule.name)];
}

function mutateOne(
  mutate: Record<string, unknown>,
  resource: Resource,
  env: MutationEnv,
  ruleName: string,
): MutationOutcome {
  if (Array.isArray(mutate.foreach)) {
    const outcome = new ForEachMutator(env, resource, 0).run(mutate.foreach as ForEachMutation[]);
    return outcome.status === 'pass' ? { ...outcome, message: describe(outcome.patched) } : outcome;
  }
  let spec: PatchSpec;
  try {
    spec = patchSpec(mutate, env.ctx, '/mutate');
  } catch (error) {
    return errorOutcome(resource, 'variable substitution failed', error);
  }
  if (!hasPatch(spec)) return errorOutcome(resource, `empty mutate rule ${ruleName}`);
  return patchOutcome(resource, spec);
}

function patchOutcome(resource: Resource, spec: PatchSpec): MutationOutcome {
  try {
    const result = applyPatchSpec(resource, spec);
    if (!result.changed) return { status: 'skip', message: 'no patches applied', patched: resource };
    return { status: 'pass', message: describe(result.resource), patched: result.resource };
  } catch (error) {
    if (error instanceof PatchError) return errorOutcome(resource, 'failed to patch resource', error);
    throw error;
  }
}

const listExpressions = new Map<string, string>();

/** A foreach `list`, with or without its `{{ }}`, as the JMESPath expression to query. */
function listExpression(list: unknown): string {
  const source = String(list ?? '');
  let expr = listExpressions.get(source);
  if (expr === undefined) {
    expr = source.trim().replace(/^\{\{\s*(.*?)\s*\}\}$/s, '$1');
    if (listExpressions.size > 5_000) listExpressions.clear();
    listExpressions.set(source, expr);
  }
  return expr;
}

class ForEachMutator {
  constructor(
    private readonly env: MutationEnv,
    private resource: Resource,
    private readonly nesting: number,
  ) {}

  run(list: ForEachMutation[]): MutationOutcome {
    const { ctx } = this.env;
    let applyCount = 0;
    for (const foreach of list) {
      let elements: unknown;
      try {
        elements = ctx.query(listExpression(foreach.list));
      } catch (error) {
        return errorOutcome(this.resource, `failed to evaluate list ${foreach.list}`, error);
      }
      const items = Array.isArray(elements)
        ? elements
        : elements === null || elements === undefined
          ? []
          : [elements];
      const outcome = this.mutateElements(foreach, items);
      if (outcome.status === 'error' || outcome.status === 'fail') return outcome;
      applyCount++;
      this.resource = outcome.patched;
      // Later foreach entries see the resource as patched so far (Kyverno's AddResource).
      ctx.set('request.object', this.resource);
    }
    const message = `${applyCount} elements processed`;
    return { status: applyCount === 0 ? 'skip' : 'pass', message, patched: this.resource };
  }

  private mutateElements(foreach: ForEachMutation, elements: unknown[]): MutationOutcome {
    const { ctx } = this.env;
    let patched = this.resource;
    const descending = foreach.order === 'Descending';
    const count = elements.length;
    for (let i = 0; i < count; i++) {
      const index = descending ? count - 1 - i : i;
      const element = elements[index];
      if (element === null || element === undefined) continue;
      ctx.checkpoint();
      try {
        ctx.setElement(this.nesting, element, index);
        const foreachValues = this.env.foreachValues;
        if (foreachValues) {
          for (const [key, values] of Object.entries(foreachValues)) {
            if (index < values.length) ctx.set(key, values[index]);
          }
        }
        try {
          loadContextEntries(foreach.context, ctx, this.env.sources);
        } catch (error) {
          return errorOutcome(patched, `failed to load to mutate.foreach[${index}].context`, error);
        }
        if (hasConditions(foreach.preconditions)) {
          try {
            if (!checkConditions(foreach.preconditions, ctx).passed) continue;
          } catch (error) {
            return errorOutcome(patched, `failed to evaluate mutate.foreach[${index}].preconditions`, error);
          }
        }
        let outcome: MutationOutcome;
        if (Array.isArray(foreach.foreach)) {
          outcome = new ForEachMutator(this.env, patched, this.nesting + 1).run(foreach.foreach);
        } else {
          let spec: PatchSpec;
          try {
            spec = patchSpec(foreach, ctx);
          } catch (error) {
            return errorOutcome(patched, 'variable substitution failed', error);
          }
          if (!hasPatch(spec)) return errorOutcome(patched, 'empty mutate rule');
          outcome = patchOutcome(patched, spec);
        }
        if (outcome.status === 'error' || outcome.status === 'fail') return outcome;
        patched = outcome.patched;
      } finally {
        ctx.restore();
      }
    }
    return { status: 'pass', message: '', patched };
  }
}

function targetMatches(spec: Record<string, unknown>, target: Resource): boolean {
  const meta = isObject(target.metadata) ? target.metadata : {};
  if (typeof spec.apiVersion === 'string' && spec.apiVersion !== target.apiVersion) return false;
  if (typeof spec.kind === 'string' && spec.kind !== target.kind) return false;
  if (typeof spec.name === 'string' && spec.name !== '' && !wildcard(spec.name, String(meta.name ?? '')))
    return false;
  if (
    typeof spec.namespace === 'string' &&
    spec.namespace !== '' &&
    spec.namespace !== (meta.namespace ?? '')
  ) {
    return false;
  }
  if (isObject(spec.selector) && isObject(spec.selector.matchLabels)) {
    const labels = isObject(meta.labels) ? meta.labels : {};
    for (const [k, v] of Object.entries(spec.selector.matchLabels)) if (labels[k] !== v) return false;
  }
  return true;
}

function wildcard(pattern: string, value: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === value;
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replaceAll('*', '.*')
      .replaceAll('?', '.')}$`,
  );
  return re.test(value);
}

/**
 * mutate.targets (pkg/engine/handlers/mutation/mutate_existing.go): each target spec, its variables
 * substituted, selects resources from the supplied set; every selected resource is `target` in the
 * context, its own context entries and preconditions are evaluated, and it is patched.
 */
function mutateTargets(rule: Rule, mutate: Record<string, unknown>, env: MutationEnv): MutationOutcome[] {
  const { ctx } = env;
  const out: MutationOutcome[] = [];
  const targets = mutate.targets as unknown[];
  for (let t = 0; t < targets.length; t++) {
    const raw = targets[t];
    if (!isObject(raw)) continue;
    let spec: Record<string, unknown>;
    try {
      const { context: _c, preconditions: _p, ...selector } = raw;
      spec = substituteVariables(selector, ctx, `/mutate/targets/${t}`);
    } catch (error) {
      out.push(errorOutcome(env.resource, `failed to substitute variables in target[${t}]`, error));
      continue;
    }
    for (const target of env.targetResources ?? []) {
      if (!targetMatches(spec, target)) continue;
      ctx.checkpoint();
      try {
        ctx.set('target', target);
        try {
          loadContextEntries(raw.context as unknown[] | undefined, ctx, env.sources);
        } catch (error) {
          out.push({ ...errorOutcome(target, 'failed to load context', error), target });
          continue;
        }
        if (hasConditions(raw.preconditions)) {
          try {
            if (!checkConditions(raw.preconditions, ctx).passed) {
              out.push({ status: 'skip', message: 'preconditions not met', patched: target, target });
              continue;
            }
          } catch (error) {
            out.push({ ...errorOutcome(target, 'failed to evaluate preconditions', error), target });
            continue;
          }
        }
        const { targets: _t, ...body } = mutate;
        out.push({ ...mutateOne(body, target, { ...env, resource: target }, rule.name), target });
      } finally {
        ctx.restore();
      }
    }
  }
  return out;
}
