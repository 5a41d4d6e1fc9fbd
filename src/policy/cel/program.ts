/**
 * Compile once, evaluate many times. A policy's expressions are parsed and type-checked when the policy loads
 * (a mistake is a UserError naming the policy, the field path and the line/column in the expression); each
 * evaluation runs under Kubernetes' per-expression cost budget and returns a value or an error message, never
 * throws.
 */
import { UserError } from '../../core/errors.js';
import { rewriteObjectConstruction } from './construct.js';
import { CostLimitError, countEvaluation, PER_CALL_LIMIT, budget as running } from './cost.js';
import { celEnvironment } from './environment.js';
import { instrument, relaxHas } from './hooks.js';
import { CelAuthz } from './lib/authorizer.js';
import {
  type CelServices,
  GlobalContext,
  HttpContext,
  ImageDataContext,
  ResourceContext,
} from './lib/kyverno.js';

export interface CelSite {
  /** "ValidatingAdmissionPolicy/require-labels" or the like. */
  policy: string;
  /** e.g. `spec.validations[2].expression`. */
  field: string;
  /** The policy file, when known, for the message prefix. */
  file?: string;
}

export type CelOutcome = { ok: true; value: unknown } | { ok: false; error: string; costExceeded?: boolean };

export interface CelProgram {
  readonly expression: string;
  readonly site: CelSite;
  /** The checked result type, e.g. "bool", "string", "dyn". */
  readonly resultType: string;
  evaluate(activation: Record<string, unknown>, budget?: number): CelOutcome;
}

type Compiled = ((ctx: Record<string, unknown>) => unknown) & {
  check(): { valid: boolean; type?: string; error?: Error & { range?: { start: number } } };
  ast: unknown;
};

/** 1-based line and column of a character offset in an expression. */
export function position(expression: string, offset: number): { line: number; column: number } {
  const before = expression.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** Compile-time failure: names policy, field and position; exit code 2 like every invalid input. */
function compileError(
  site: CelSite,
  expression: string,
  error: Error & { range?: { start: number } },
): UserError {
  const pos = error.range ? position(expression, error.range.start) : undefined;
  const where = pos ? ` (line ${pos.line}, column ${pos.column})` : '';
  const msg = `${site.policy}: ${site.field}${where}: ${firstLine(error.message)}`;
  return new UserError(msg, site.file ? { position: { file: site.file } } : {});
}

/**
 * Checked programs by expression text. Policies repeat expressions (the same check across a library, autogen
 * variants, a rule type's load-time check and its first use): the parse, type-check and instrumentation run once
 * per text. A checked program holds no per-evaluation state, so sharing it is safe. Failures are not cached:
 * their message names the site.
 */
const checkedByText = new Map<string, { compiled: Compiled; resultType: string }>();
const CACHE_LIMIT = 10_000;

function checkedProgram(expression: string, site: CelSite): { compiled: Compiled; resultType: string } {
  const hit = checkedByText.get(expression);
  if (hit) return hit;
  const env = celEnvironment();
  let compiled: Compiled;
  try {
    compiled = env.parse(rewriteObjectConstruction(expression)) as unknown as Compiled;
  } catch (e) {
    throw compileError(site, expression, e as Error);
  }
  relaxHas(compiled.ast);
  const checked = compiled.check();
  if (!checked.valid) throw compileError(site, expression, checked.error ?? new Error('type check failed'));
  instrument(compiled.ast);
  const entry = { compiled, resultType: checked.type ?? 'dyn' };
  if (checkedByText.size >= CACHE_LIMIT) checkedByText.clear();
  checkedByText.set(expression, entry);
  return entry;
}

export function compileCel(expression: string, site: CelSite, expect?: 'bool' | 'string'): CelProgram {
  const { compiled, resultType } = checkedProgram(expression, site);
  if (expect && resultType !== expect && resultType !== 'dyn')
    throw compileError(site, expression, new Error(`must evaluate to ${expect}, not ${resultType}`));
  return {
    expression,
    site,
    resultType,
    evaluate(activation, budget = PER_CALL_LIMIT) {
      countEvaluation();
      // Errors are outcomes here, and capturing a stack trace for each costs more than evaluating.
      const stackLimit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      // A fresh budget, inline rather than through withBudget: no closure per evaluation. A lazy variable
      // evaluated inside this expression opens its own and restores this one.
      const savedUsed = running.used;
      const savedLimit = running.limit;
      running.used = 0;
      running.limit = budget;
      try {
        return { ok: true, value: compiled(activation) };
      } catch (e) {
        if (e instanceof CostLimitError || (e as Error)?.cause instanceof CostLimitError)
          return { ok: false, error: new CostLimitError(budget).message, costExceeded: true };
        return { ok: false, error: firstLine((e as Error)?.message ?? String(e)) };
      } finally {
        running.used = savedUsed;
        running.limit = savedLimit;
        Error.stackTraceLimit = stackLimit;
      }
    },
  };
}

/**
 * The service variables every activation carries (offline lookups and the deny-by-default authorizer); `image`
 * and `imagedata` are one image-data context under Kyverno's newer and older names.
 */
export function serviceVariables(services: CelServices = {}): Record<string, unknown> {
  const images = new ImageDataContext(services.images ?? new Map());
  return {
    resource: new ResourceContext(services.resources ?? []),
    http: new HttpContext(services.http ?? []),
    globalContext: new GlobalContext(services.globalContext ?? []),
    imagedata: images,
    image: images,
    authorizer: new CelAuthz(),
  };
}
