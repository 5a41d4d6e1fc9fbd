/**
 * Runs a matched `generate` rule offline, as Kyverno's CLI does against its fake cluster
 * (pkg/background/generate): the downstream object comes from `data`, from a `clone` of one source
 * resource, or from `cloneList` (every source of the listed kinds in a namespace, optionally filtered
 * by a label selector); `foreach` generates once per element. Names, namespaces and data take
 * variables. Sources are looked up in the resources the caller supplies (the test's resources and
 * clusterResources). `synchronize` and `orphanDownstreamOnPolicyDelete` only matter to a live cluster:
 * they are validated and carried through, nothing more.
 */
import { isObject } from '../../core/document.js';
import { type ConditionsOutcome, evaluateConditions } from '../conditions/index.js';
import { selectorMatches } from '../match/index.js';
import type { Rule } from '../model/types.js';
import type { RuleOutcome } from '../validate/index.js';
import {
  type ContextSources,
  type EvalContext,
  loadContextEntries,
  substituteVariables,
} from '../vars/index.js';

export type Resource = Record<string, unknown>;

export interface GenerationEnv {
  ctx: EvalContext;
  sources: ContextSources;
  /** The trigger resource. */
  resource: Resource;
  /** Resources a clone or cloneList may copy from (given resources and clusterResources). */
  cloneSources?: readonly Resource[];
  foreachValues?: Record<string, unknown[]>;
}

export interface GenerationOutcome extends RuleOutcome {
  generated: Resource[];
}

/** Labels Kyverno sets on what it generates (the CLI's comparison forces the managed-by one). */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

/** Metadata a clone does not copy: identity and server-side bookkeeping of the source. */
const SERVER_METADATA = [
  'uid',
  'resourceVersion',
  'creationTimestamp',
  'generation',
  'managedFields',
  'selfLink',
  'ownerReferences',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
];

class GenerateError extends Error {}

function hasConditions(block: unknown): boolean {
  if (block === undefined || block === null) return false;
  if (Array.isArray(block)) return block.length > 0;
  if (isObject(block)) return Array.isArray(block.any) || Array.isArray(block.all);
  return false;
}

function checkConditions(block: unknown, ctx: EvalContext): ConditionsOutcome {
  return evaluateConditions(block, (value) => substituteVariables(value, ctx));
}

const metaOf = (r: Resource): Record<string, unknown> => (isObject(r.metadata) ? r.metadata : {});
const str = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);

function withIdentity(
  object: Resource,
  apiVersion: string,
  kind: string,
  name: string,
  namespace: string,
): Resource {
  const metadata: Record<string, unknown> = { ...metaOf(object), name };
  if (namespace) metadata.namespace = namespace;
  else delete metadata.namespace;
  const labels = isObject(metadata.labels) ? { ...metadata.labels } : {};
  labels[MANAGED_BY_LABEL] = 'kyverno';
  metadata.labels = labels;
  const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = object;
  return { apiVersion, kind, metadata, ...rest };
}

function cleanClone(source: Resource): Resource {
  const metadata = { ...metaOf(source) };
  for (const key of SERVER_METADATA) delete metadata[key];
  const { status: _s, ...rest } = source;
  return { ...rest, metadata };
}

/** One generate body (a rule's `generate` or a foreach entry), variables already substituted. */
function generateBody(body: Record<string, unknown>, env: GenerationEnv): Resource[] {
  const apiVersion = str(body.apiVersion);
  const kind = str(body.kind);
  const name = str(body.name);
  const namespace = str(body.namespace);
  if (body.data !== undefined && body.data !== null) {
    if (!isObject(body.data)) throw new GenerateError('generate.data must be an object');
    if (!kind || !name) throw new GenerateError('generate with data needs kind and name');
    return [withIdentity(structuredClone(body.data), apiVersion || 'v1', kind, name, namespace)];
  }
  if (isObject(body.clone) && (body.clone.name !== undefined || body.clone.namespace !== undefined)) {
    const sourceNs = str(body.clone.namespace);
    const sourceName = str(body.clone.name);
    const source = (env.cloneSources ?? []).find(
      (r) =>
        r.kind === kind &&
        (!apiVersion || r.apiVersion === apiVersion) &&
        str(metaOf(r).name) === sourceName &&
        str(metaOf(r).namespace) === sourceNs,
    );
    if (!source) {
      throw new GenerateError(
        `source resource ${apiVersion ? `${apiVersion}/` : ''}${kind} ${sourceNs ? `${sourceNs}/` : ''}${sourceName} not found`,
      );
    }
    return [withIdentity(cleanClone(structuredClone(source)), str(source.apiVersion), kind, name, namespace)];
  }
  if (isObject(body.cloneList)) {
    const list = body.cloneList;
    const sourceNs = str(list.namespace);
    const kinds = Array.isArray(list.kinds) ? list.kinds.map(str) : [];
    const out: Resource[] = [];
    for (const source of env.cloneSources ?? []) {
      const gvk = `${str(source.apiVersion)}/${str(source.kind)}`;
      if (!kinds.some((k) => k === gvk || k === source.kind)) continue;
      if (str(metaOf(source).namespace) !== sourceNs) continue;
      if (isObject(list.selector)) {
        const labels = isObject(metaOf(source).labels)
          ? (metaOf(source).labels as Record<string, string>)
          : {};
        if (!selectorMatches(list.selector, labels)) continue;
      }
      const copy = cleanClone(structuredClone(source));
      out.push(
        withIdentity(copy, str(source.apiVersion), str(source.kind), str(metaOf(source).name), namespace),
      );
    }
    return out;
  }
  throw new GenerateError('generate needs one of data, clone or cloneList');
}

function describe(generated: Resource[]): string {
  if (generated.length === 0) return 'no resource generated';
  return `generated ${generated
    .map((g) => {
      const m = metaOf(g);
      return `${str(g.kind)}/${m.namespace ? `${str(m.namespace)}/` : ''}${str(m.name)}`;
    })
    .join(', ')}`;
}

/** Applies a matched generate rule; undefined when the rule has no generate block. */
export function generateRule(rule: Rule, env: GenerationEnv): GenerationOutcome | undefined {
  const generate = rule.generate;
  if (!isObject(generate)) return undefined;
  const { ctx } = env;
  const fail = (what: string, error: unknown): GenerationOutcome => ({
    status: 'error',
    message: `${what}: ${(error as Error)?.message ?? String(error)}`,
    generated: [],
  });
  try {
    loadContextEntries(rule.context, ctx, env.sources);
  } catch (error) {
    return fail('failed to load context', error);
  }
  if (hasConditions(rule.preconditions)) {
    try {
      if (!checkConditions(rule.preconditions, ctx).passed) {
        return { status: 'skip', message: 'preconditions not met', generated: [] };
      }
    } catch (error) {
      return fail('failed to evaluate preconditions', error);
    }
  }
  try {
    let generated: Resource[];
    if (Array.isArray(generate.foreach)) {
      generated = generateForeach(generate.foreach, env);
    } else {
      const { foreach: _f, ...body } = generate;
      generated = generateBody(substituteVariables(body, ctx, '/generate'), env);
    }
    return { status: 'pass', message: describe(generated), generated };
  } catch (error) {
    return fail('failed to generate resource', error);
  }
}

function generateForeach(list: unknown[], env: GenerationEnv): Resource[] {
  const { ctx } = env;
  const out: Resource[] = [];
  for (const entry of list) {
    if (!isObject(entry)) continue;
    const expr = str(entry.list)
      .trim()
      .replace(/^\{\{\s*(.*?)\s*\}\}$/s, '$1');
    const value = ctx.query(expr);
    const elements = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
    elements.forEach((element, index) => {
      if (element === null || element === undefined) return;
      ctx.checkpoint();
      try {
        ctx.setElement(0, element, index);
        for (const [key, values] of Object.entries(env.foreachValues ?? {})) {
          if (index < values.length) ctx.set(key, values[index]);
        }
        loadContextEntries(entry.context as unknown[] | undefined, ctx, env.sources);
        if (hasConditions(entry.preconditions) && !checkConditions(entry.preconditions, ctx).passed) return;
        const { list: _l, context: _c, preconditions: _p, ...body } = entry;
        out.push(...generateBody(substituteVariables(body, ctx), env));
      } finally {
        ctx.restore();
      }
    });
  }
  return out;
}

const GENERATE_FIELDS = new Set([
  'apiVersion',
  'kind',
  'name',
  'namespace',
  'uid',
  'synchronize',
  'orphanDownstreamOnPolicyDelete',
  'generateExisting',
  'data',
  'clone',
  'cloneList',
  'foreach',
]);

/** Problems in a generate block, each naming the field (`spec.rules[0].generate.clone`). */
export function checkGenerate(value: unknown, path: string): string[] {
  const problems: string[] = [];
  if (!isObject(value)) return [`${path}: must be an object`];
  for (const key of Object.keys(value))
    if (!GENERATE_FIELDS.has(key)) problems.push(`${path}.${key}: unknown field`);
  for (const flag of ['synchronize', 'orphanDownstreamOnPolicyDelete', 'generateExisting']) {
    if (value[flag] !== undefined && typeof value[flag] !== 'boolean')
      problems.push(`${path}.${flag}: must be a boolean`);
  }
  const bodies = ['data', 'clone', 'cloneList', 'foreach'].filter((k) => value[k] !== undefined);
  if (bodies.length === 0) problems.push(`${path}: one of data, clone, cloneList or foreach is required`);
  if (bodies.length > 1) problems.push(`${path}: only one of ${bodies.join(', ')} may be set`);
  if (
    (value.data !== undefined || value.clone !== undefined) &&
    (typeof value.kind !== 'string' || !value.kind)
  ) {
    problems.push(`${path}.kind: required with data or clone`);
  }
  if (value.cloneList !== undefined) {
    const list = value.cloneList;
    if (!isObject(list) || !Array.isArray(list.kinds) || list.kinds.length === 0) {
      problems.push(`${path}.cloneList.kinds: at least one kind is required`);
    }
  }
  if (value.foreach !== undefined && !Array.isArray(value.foreach))
    problems.push(`${path}.foreach: must be a list`);
  return problems;
}

/** Whether a policy has rules that read other given resources (generate clones, mutate targets). */
export function looksUpResources(policy: unknown): boolean {
  const rules = (policy as { computedRules?: Record<string, any>[] }).computedRules ?? [];
  return rules.some((r) => r.generate !== undefined || r.mutate?.targets !== undefined);
}
