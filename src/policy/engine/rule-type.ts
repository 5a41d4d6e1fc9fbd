/**
 * Rule types inside Kyverno policies: validate today; mutate, generate, verifyImages (and their sub-bodies
 * such as validate.cel) plug in beside it. The Kyverno policy kind (src/policy/kyverno/kind.ts) matches a
 * rule, applies exceptions, then hands it to the rule type registered for its body; a rule whose body has
 * no registered type gets one `skip` result saying so (never silently dropped).
 *
 * Adding a rule type is one module exporting a `RuleType`, plus one line in src/policy/builtins.ts.
 */
import type { Document } from '../../core/document.js';
import type { PolicyException } from '../exceptions/index.js';
import {
  type Policy,
  RULE_BODY_FIELDS,
  type Rule,
  type RuleBodyField,
  VALIDATE_BODIES,
} from '../model/types.js';
import type { ContextSources, EvalContext } from '../vars/index.js';
import type { EnginePhase } from './kind.js';
import type { EvaluateOptions, Operation } from './options.js';
import type { RuleOutcome } from './response.js';

export type { RuleOutcome } from './response.js';

/** Everything a rule type gets to apply one rule to one resource. */
export interface RuleContext {
  policy: Policy;
  rule: Rule;
  document: Document;
  /** The resource as earlier rules left it (patched by mutations), or the old object on DELETE. */
  resource: Record<string, unknown>;
  oldResource: unknown;
  operation: Operation;
  /**
   * The JSON context, checkpointed: entries a rule adds are rolled back after it. Rebuilt after a
   * patch, so `request.object` is always the current resource.
   */
  ctx: EvalContext;
  sources: ContextSources;
  /** Per-iteration foreach values from a values file. */
  foreachValues?: Record<string, unknown[]>;
  /** A PolicyException that relaxes some podSecurity controls of this rule. */
  podSecurityException?: PolicyException;
  options: EvaluateOptions;
}

export interface RuleType {
  /** The rule field holding the body: `validate`, `mutate`, `generate`, `verifyImages`. */
  readonly field: RuleBodyField;
  /**
   * The sub-bodies it handles, for fields with mutually exclusive bodies (validate: pattern, deny, cel...).
   * Absent: every body of the field.
   */
  readonly bodies?: readonly string[];
  /** When it runs (mutations before validations, see ENGINE_PHASES). */
  readonly phase: EnginePhase;
  /** Extra load-time checks of the rule (`path` is `spec.rules[i]`); each problem names its field. */
  check?(rule: Record<string, unknown>, path: string, problems: string[]): void;
  /**
   * Applies the rule to the resource. `undefined` means the rule did not apply (no response), as
   * Kyverno's engine returns no rule response. A `patchedResource` in the outcome replaces the resource
   * for every later rule and policy.
   */
  apply(context: RuleContext): RuleOutcome | undefined;
}

/**
 * A rule-level feature evaluated before the body (celPreconditions): an outcome ends the rule there
 * (a skip when the condition is not met); `undefined` lets the body run.
 */
export interface RuleFeature {
  readonly field: string;
  apply(context: RuleContext): RuleOutcome | undefined;
}

/** Rule-level fields that need a registered feature when present and non-empty. */
const FEATURE_FIELDS = ['celPreconditions'];

const types: RuleType[] = [];
const features: RuleFeature[] = [];
let revision = 0;

/** Adds to a registry (latest first) and returns the way to take it out again. */
function register<T>(list: T[], item: T): () => void {
  list.unshift(item);
  revision++;
  return () => {
    const i = list.indexOf(item);
    if (i >= 0) list.splice(i, 1);
    revision++;
  };
}

export function registerRuleType(type: RuleType): () => void {
  return register(types, type);
}

export function registerRuleFeature(feature: RuleFeature): () => void {
  if (!FEATURE_FIELDS.includes(feature.field)) FEATURE_FIELDS.push(feature.field);
  return register(features, feature);
}

export function listRuleTypes(): readonly RuleType[] {
  return types;
}

/** How the engine treats one rule: the type applying it, or why it cannot. */
export interface RuleResolution {
  /** The body field (`validate`); undefined for a rule without a body (nothing to do). */
  field?: RuleBodyField;
  type?: RuleType;
  /** Features to run before the body. */
  features: RuleFeature[];
  /** Set when no rule type or feature is registered for part of the rule: it gets a skip with this message. */
  unsupported?: string;
  /** The phase its response belongs to (rules the engine cannot run report in `validate`). */
  phase: EnginePhase;
}

/** The sub-body of a rule field, for fields whose bodies are mutually exclusive. */
function bodyOf(field: RuleBodyField, body: unknown): string | undefined {
  if (field !== 'validate' || typeof body !== 'object' || body === null) return undefined;
  return VALIDATE_BODIES.find((k) => (body as Record<string, unknown>)[k] !== undefined);
}

const cache = new WeakMap<Rule, { revision: number; resolution: RuleResolution }>();

/** Changes whenever a rule type or feature is registered or removed (resolutions made before are stale). */
export function ruleTypesRevision(): number {
  return revision;
}

export function resolveRule(rule: Rule): RuleResolution {
  const hit = cache.get(rule);
  if (hit && hit.revision === revision) return hit.resolution;
  const resolution = resolve(rule);
  cache.set(rule, { revision, resolution });
  return resolution;
}

function resolve(rule: Rule): RuleResolution {
  const field = RULE_BODY_FIELDS.find((f) => rule[f] !== undefined);
  if (!field) return { features: [], phase: 'validate' };
  const body = bodyOf(field, rule[field]);
  const type = types.find(
    (t) => t.field === field && (!t.bodies || (body !== undefined && t.bodies.includes(body))),
  );
  if (!type) {
    return {
      field,
      features: [],
      phase: 'validate',
      unsupported: `${body ? `${field}.${body}` : field} rules are not supported yet`,
    };
  }
  const used: RuleFeature[] = [];
  for (const name of FEATURE_FIELDS) {
    const value = rule[name];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    const feature = features.find((f) => f.field === name);
    if (!feature)
      return { field, type, features: [], phase: type.phase, unsupported: `${name} are not supported yet` };
    used.push(feature);
  }
  return { field, type, features: used, phase: type.phase };
}

/** Runs the load-time checks of the rule type that applies the rule. */
export function checkRuleBody(rule: Record<string, unknown>, path: string, problems: string[]): void {
  // Only the type that will apply the rule checks it (a later registration may replace a built-in one).
  const type = resolve(rule as Rule).type;
  type?.check?.(rule, path, problems);
}
