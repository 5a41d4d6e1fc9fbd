import { isObject } from '../../core/document.js';
import { POD_SPEC_KINDS } from '../../core/k8s/pod-controllers.js';
import { rememberedByText } from '../../core/memo.js';
import { type ConditionsOutcome, evaluateConditions } from '../conditions/index.js';
import type { RuleOutcome } from '../engine/response.js';
import { exceptionSkip, type PolicyException } from '../exceptions/index.js';
import type { Rule } from '../model/types.js';
import { matchPattern } from '../pattern/index.js';
import { evaluatePodSecurity, type PodSecuritySpec } from '../podsecurity/index.js';
import {
  type ContextSources,
  type EvalContext,
  loadContextEntries,
  substituteVariables,
} from '../vars/index.js';

export type RuleStatus = 'pass' | 'fail' | 'warn' | 'error' | 'skip';

export type { RuleOutcome };

/** Everything a rule's validation needs besides the rule itself. */
export interface ValidationEnv {
  ctx: EvalContext;
  sources: ContextSources;
  resource: Record<string, unknown>;
  operation: string;
  /** Per-iteration values for foreach variables (Kyverno CLI `foreachValues`). */
  foreachValues?: Record<string, unknown[]>;
  /** A PolicyException whose podSecurity entries relax this rule's controls. */
  podSecurityException?: PolicyException;
}

/**
 * Kyverno's "validation rule 'NAME' passed." A deny or pattern in a foreach passes once per element
 * and most of these outcomes are dropped: each is made once per rule name (frozen: shared).
 */
const passed = rememberedByText(
  10_000,
  (rule): RuleOutcome =>
    Object.freeze({ status: 'pass' as const, message: `validation rule '${rule}' passed.` }),
);

/** A foreach `list` as the expression it holds (`{{ }}` optional), worked out once per list text. */
const listExpression = rememberedByText(10_000, (list) =>
  list.trim().replace(/^\{\{\s*(.*?)\s*\}\}$/s, '$1'),
);

const ELEMENTS_PASSED: RuleOutcome = Object.freeze({ status: 'pass' as const, message: '' });

const errorOutcome = (what: string, error: unknown): RuleOutcome => ({
  status: 'error',
  message: `${what}: ${(error as Error)?.message ?? String(error)}`,
});

function checkConditions(block: unknown, ctx: EvalContext): ConditionsOutcome {
  return evaluateConditions(block, (value) => substituteVariables(value, ctx));
}

function hasConditions(block: unknown): boolean {
  if (block === undefined || block === null) return false;
  if (Array.isArray(block)) return block.length > 0;
  if (isObject(block)) return Array.isArray(block.any) || Array.isArray(block.all);
  return false;
}

/**
 * Runs a matched validate rule the way Kyverno's engine does (pkg/engine/engine.go invokeRuleHandler +
 * handlers/validation): context, preconditions, then pattern / anyPattern / deny / foreach / podSecurity.
 * Returns undefined when Kyverno would produce no rule response at all.
 */
export function validateRule(rule: Rule, env: ValidationEnv): RuleOutcome | undefined {
  const { ctx } = env;
  try {
    loadContextEntries(rule.context, ctx, env.sources);
  } catch (error) {
    return errorOutcome('failed to load context', error);
  }
  if (hasConditions(rule.preconditions)) {
    let outcome: ConditionsOutcome;
    try {
      outcome = checkConditions(rule.preconditions, ctx);
    } catch (error) {
      return errorOutcome('failed to evaluate preconditions', error);
    }
    if (!outcome.passed) return { status: 'skip', message: 'preconditions not met' };
  }
  const v = rule.validate ?? {};
  if (v.podSecurity !== undefined) return validatePodSecurity(rule, v.podSecurity as PodSecuritySpec, env);
  return new Validator(rule, env, 0).validate({
    pattern: v.pattern,
    anyPattern: v.anyPattern,
    deny: v.deny,
    foreach: v.foreach,
  });
}

interface ValidationBody {
  context?: unknown[];
  preconditions?: unknown;
  pattern?: unknown;
  anyPattern?: unknown;
  deny?: unknown;
  foreach?: unknown;
  list?: string;
  elementScope?: boolean;
}

class Validator {
  /** The object patterns are checked against: the foreach element when scoped, else the resource. */
  private element: unknown;

  constructor(
    private readonly rule: Rule,
    private readonly env: ValidationEnv,
    private readonly nesting: number,
    element?: unknown,
  ) {
    this.element = element;
  }

  validate(body: ValidationBody): RuleOutcome | undefined {
    const ctx = this.env.ctx;
    if (this.nesting > 0) {
      try {
        loadContextEntries(body.context, ctx, this.env.sources);
      } catch (error) {
        return errorOutcome('failed to load context', error);
      }
      if (hasConditions(body.preconditions)) {
        let outcome: ConditionsOutcome;
        try {
          outcome = checkConditions(body.preconditions, ctx);
        } catch (error) {
          return errorOutcome('failed to evaluate preconditions', error);
        }
        if (!outcome.passed) return { status: 'skip', message: 'preconditions not met' };
      }
    }
    if (body.deny !== undefined) return this.validateDeny(body.deny);
    if (body.pattern !== undefined || body.anyPattern !== undefined) {
      let pattern = body.pattern;
      let anyPattern = body.anyPattern;
      try {
        if (pattern !== undefined) pattern = substituteVariables(pattern, ctx, '/validate/pattern');
        else anyPattern = substituteVariables(anyPattern, ctx, '/validate/anyPattern');
      } catch (error) {
        return errorOutcome('variable substitution failed', error);
      }
      return this.validateResourceWithRule(pattern, anyPattern);
    }
    if (Array.isArray(body.foreach)) return this.validateForeach(body.foreach as ValidationBody[]);
    return undefined;
  }

  private ruleMessage(): string | undefined {
    const m = this.rule.validate?.message;
    return typeof m === 'string' && m !== '' ? m : undefined;
  }

  private substituteMessage(message: string): string | Error {
    try {
      const out = substituteVariables(message, this.env.ctx);
      return typeof out === 'string' ? out : JSON.stringify(out);
    } catch (error) {
      return error as Error;
    }
  }

  private validateDeny(deny: unknown): RuleOutcome {
    const conditions = isObject(deny) ? deny.conditions : undefined;
    let outcome: ConditionsOutcome;
    try {
      // Kyverno: a deny block without conditions always denies.
      outcome = hasConditions(conditions)
        ? checkConditions(conditions, this.env.ctx)
        : { passed: true, message: '' };
    } catch (error) {
      return errorOutcome('failed to check deny preconditions', error);
    }
    if (!outcome.passed) return passed(this.rule.name);
    const msg = this.ruleMessage();
    if (!msg) return { status: 'fail', message: `validation error: rule ${this.rule.name} failed` };
    const substituted = this.substituteMessage(msg);
    return { status: 'fail', message: substituted instanceof Error ? msg : substituted };
  }

  private buildErrorMessage(path: string, detail: string): string {
    const msg = this.ruleMessage();
    if (!msg) {
      return path
        ? `validation error: rule ${this.rule.name} failed at path ${path}`
        : `validation error: rule ${this.rule.name} execution error: ${detail}`;
    }
    const substituted = this.substituteMessage(msg);
    if (substituted instanceof Error) {
      return `validation error: variables substitution error in rule ${this.rule.name} execution error: ${detail}`;
    }
    const text = substituted.endsWith('.') ? substituted : `${substituted}.`;
    return path
      ? `validation error: ${text} rule ${this.rule.name} failed at path ${path}`
      : `validation error: ${text} rule ${this.rule.name} execution error: ${detail}`;
  }

  private validateResourceWithRule(pattern: unknown, anyPattern: unknown): RuleOutcome | undefined {
    if (this.element !== undefined) return this.validatePatterns(this.element, pattern, anyPattern);
    if (this.env.operation === 'DELETE') return undefined;
    return this.validatePatterns(this.env.resource, pattern, anyPattern);
  }

  private validatePatterns(target: unknown, pattern: unknown, anyPattern: unknown): RuleOutcome {
    const name = this.rule.name;
    if (pattern !== undefined) {
      const r = matchPattern(target, pattern);
      if (r.status === 'pass') return passed(name);
      if (r.status === 'skip') return { status: 'skip', message: r.message };
      if (!r.path) return { status: 'error', message: this.buildErrorMessage('', r.message) };
      return { status: 'fail', message: this.buildErrorMessage(r.path, r.message) };
    }
    if (!Array.isArray(anyPattern)) {
      return { status: 'error', message: 'failed to deserialize anyPattern, expected type array' };
    }
    const failed: string[] = [];
    const skipped: string[] = [];
    for (let i = 0; i < anyPattern.length; i++) {
      const r = matchPattern(target, anyPattern[i]);
      if (r.status === 'pass')
        return { status: 'pass', message: `validation rule '${name}' anyPattern[${i}] passed.` };
      if (r.status === 'skip') skipped.push(`rule ${name}[${i}] skipped: ${r.message}`);
      else if (!r.path) failed.push(`rule ${name}[${i}] failed: ${r.message}`);
      else failed.push(`rule ${name}[${i}] failed at path ${r.path}`);
    }
    if (skipped.length && !failed.length) return { status: 'skip', message: skipped.join(' ') };
    if (failed.length) {
      const errStr = failed.join(' ');
      const msg = this.ruleMessage();
      if (!msg) return { status: 'fail', message: `validation error: ${errStr}` };
      return {
        status: 'fail',
        message: msg.endsWith('.')
          ? `validation error: ${msg} ${errStr}`
          : `validation error: ${msg}. ${errStr}`,
      };
    }
    return { status: 'pass', message: this.ruleMessage() ?? '' };
  }

  private validateForeach(list: ValidationBody[]): RuleOutcome {
    let applyCount = 0;
    for (const foreach of list) {
      let elements: unknown;
      try {
        elements = this.evaluateList(foreach.list ?? '');
      } catch {
        continue;
      }
      // Kyverno's EvaluateList treats a single value as a one-element list.
      const [outcome, count] = this.validateElements(
        foreach,
        Array.isArray(elements) ? elements : [elements],
      );
      if (outcome.status !== 'pass') return outcome;
      applyCount += count;
    }
    if (applyCount === 0) return { status: 'skip', message: 'rule skipped' };
    return { status: 'pass', message: 'rule passed' };
  }

  private evaluateList(list: string): unknown {
    return this.env.ctx.query(listExpression(list));
  }

  private validateElements(foreach: ValidationBody, elements: unknown[]): [RuleOutcome, number] {
    const ctx = this.env.ctx;
    let applyCount = 0;
    // One validator for the elements, pointed at each in turn (an element is its only state).
    const child = new Validator(this.rule, this.env, this.nesting + 1);
    for (let index = 0; index < elements.length; index++) {
      const element = elements[index];
      if (element === null || element === undefined) continue;
      ctx.checkpoint();
      try {
        ctx.setElement(this.nesting, element, index);
        if (this.env.foreachValues) {
          for (const [key, values] of Object.entries(this.env.foreachValues)) {
            if (index < values.length) ctx.set(key, values[index]);
          }
        }
        const scoped = foreach.elementScope ?? isObject(element);
        child.element = scoped ? element : this.element;
        const r = child.validate(foreach);
        if (!r || r.status === 'skip') continue;
        if (r.status !== 'pass') {
          if (r.status === 'error' && index < elements.length - 1) continue;
          return [{ status: r.status, message: `validation failure: ${r.message}` }, applyCount];
        }
        applyCount++;
      } finally {
        ctx.restore();
      }
    }
    return [ELEMENTS_PASSED, applyCount];
  }
}

function validatePodSecurity(rule: Rule, spec: PodSecuritySpec, env: ValidationEnv): RuleOutcome | undefined {
  if (env.operation === 'DELETE') return undefined;
  const kind = String(env.resource.kind ?? '');
  if (!POD_SPEC_KINDS.includes(kind)) {
    return {
      status: 'error',
      message: 'Error while getting new resource: could not find correct resource type',
    };
  }
  try {
    const r = evaluatePodSecurity(env.resource, spec);
    if (r.allowed) return { status: 'pass', message: `Validation rule '${rule.name}' passed.` };
    const ex = env.podSecurityException;
    if (ex) {
      // Kyverno applies the exception's exclusions on top of the rule's and skips when that passes.
      const relaxed = evaluatePodSecurity(env.resource, {
        ...spec,
        exclude: [...(spec.exclude ?? []), ...ex.podSecurity],
      });
      if (relaxed.allowed) return exceptionSkip(ex);
    }
    return { status: 'fail', message: `Validation rule '${rule.name}' failed. ${r.message}` };
  } catch (error) {
    return errorOutcome('failed to parse pod security api version', error);
  }
}
