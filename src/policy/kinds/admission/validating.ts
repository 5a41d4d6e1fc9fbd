/**
 * The validating core that ValidatingAdmissionPolicy, Kyverno's ValidatingPolicy and `validate.cel` share:
 * matchConditions, lazily evaluated variables, validations with message / messageExpression / reason, and
 * auditAnnotations — compiled once from the policy document, evaluated per object.
 */
import { type CelProgram, compileCel, fromCel, PER_CALL_LIMIT } from '../../cel/index.js';

export interface CompiledValidation {
  program: CelProgram;
  message?: string;
  messageExpression?: CelProgram;
  reason?: string;
}

export interface CompiledValidating {
  matchConditions: { name: string; program: CelProgram }[];
  variables: { name: string; program: CelProgram }[];
  validations: CompiledValidation[];
  auditAnnotations: { key: string; program: CelProgram }[];
  failurePolicy: 'Fail' | 'Ignore';
}

/** Where the expressions live in the document: `spec` for VAP/ValidatingPolicy, `spec.rules[0].validate.cel`... */
export interface SpecLayout {
  policy: string;
  file?: string;
  /** Path prefix of matchConditions (`spec` or `spec.rules[0]`). */
  matchConditionsAt?: string;
  /** The matchConditions field's name (`targetMatchConditions` for a mutate-existing policy's targets). */
  matchConditionsField?: string;
  /** Path prefix of variables, validations (`expressions` under validate.cel) and auditAnnotations. */
  bodyAt: string;
  validationsField: 'validations' | 'expressions';
}

function list(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? (v.filter((x) => x && typeof x === 'object') as Record<string, unknown>[]) : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function compileValidating(
  body: Record<string, unknown>,
  matchConditions: unknown,
  failurePolicy: unknown,
  layout: SpecLayout,
): CompiledValidating {
  const site = (field: string) => ({ policy: layout.policy, field, file: layout.file });
  const mcAt = layout.matchConditionsAt ?? layout.bodyAt;
  return {
    matchConditions: list(matchConditions).map((m, i) => ({
      name: str(m.name) ?? String(i),
      program: compileCel(
        String(m.expression ?? ''),
        site(`${mcAt}.${layout.matchConditionsField ?? 'matchConditions'}[${i}].expression`),
        'bool',
      ),
    })),
    variables: list(body.variables).map((v, i) => ({
      name: String(v.name ?? ''),
      program: compileCel(String(v.expression ?? ''), site(`${layout.bodyAt}.variables[${i}].expression`)),
    })),
    validations: list(body[layout.validationsField]).map((v, i) => ({
      program: compileCel(
        String(v.expression ?? ''),
        site(`${layout.bodyAt}.${layout.validationsField}[${i}].expression`),
        'bool',
      ),
      message: str(v.message),
      messageExpression:
        typeof v.messageExpression === 'string'
          ? compileCel(
              v.messageExpression,
              site(`${layout.bodyAt}.${layout.validationsField}[${i}].messageExpression`),
              'string',
            )
          : undefined,
      reason: str(v.reason),
    })),
    auditAnnotations: list(body.auditAnnotations).map((a, i) => ({
      key: String(a.key ?? ''),
      program: compileCel(
        String(a.valueExpression ?? ''),
        site(`${layout.bodyAt}.auditAnnotations[${i}].valueExpression`),
      ),
    })),
    failurePolicy: failurePolicy === 'Ignore' ? 'Ignore' : 'Fail',
  };
}

export type ValidatingOutcome =
  | { status: 'skip'; message: string }
  | { status: 'pass'; message: string; auditAnnotations: Record<string, string> }
  | {
      status: 'fail';
      message: string;
      index: number;
      reason?: string;
      auditAnnotations: Record<string, string>;
    }
  | { status: 'error'; message: string; index?: number };

/** Adds `variables` to an activation: each evaluated on first use, at most once (Kubernetes' lazy map). */
export function withVariables(
  activation: Record<string, unknown>,
  variables: CompiledValidating['variables'],
): Record<string, unknown> {
  // Most policies declare no variables: the shared activation (whose `variables` is empty) serves as is,
  // saving a copy of it per policy and object.
  if (variables.length === 0) return activation;
  const vars: Record<string, unknown> = {};
  const out = { ...activation, variables: vars };
  for (const v of variables) {
    let done = false;
    let value: unknown;
    Object.defineProperty(vars, v.name, {
      enumerable: true,
      get() {
        if (!done) {
          const r = v.program.evaluate(out);
          done = true;
          if (!r.ok) throw new Error(`variables.${v.name}: ${r.error}`);
          value = r.value;
        }
        return value;
      },
    });
  }
  return out;
}

/** Kubernetes' matchConditions semantics: any false → no match; errors count under failurePolicy Fail. */
export function evaluateMatchConditions(
  c: CompiledValidating,
  activation: Record<string, unknown>,
): { matched: true } | { matched: false; error?: string } {
  const errors: string[] = [];
  for (const m of c.matchConditions) {
    const r = m.program.evaluate(activation);
    if (!r.ok) {
      errors.push(`matchCondition '${m.name}': ${r.error}`);
      continue;
    }
    if (r.value !== true) return { matched: false };
  }
  if (errors.length === 0) return { matched: true };
  return c.failurePolicy === 'Ignore' ? { matched: false } : { matched: false, error: errors.join('; ') };
}

function auditAnnotations(
  c: CompiledValidating,
  activation: Record<string, unknown>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of c.auditAnnotations) {
    const r = a.program.evaluate(activation);
    if (r.ok && typeof r.value === 'string' && r.value !== '') out[a.key] = r.value;
  }
  return out;
}

export interface MessageStyle {
  /** Kubernetes: "failed expression: X"; Kyverno: "CEL expression validation failed at index N". */
  defaultMessage(expression: string, index: number): string;
  /** How a runtime error of validation N reads. */
  errorMessage(expression: string, error: string, index: number): string;
}

export const KUBERNETES_MESSAGES: MessageStyle = {
  defaultMessage: (expression) => `failed expression: ${expression}`,
  errorMessage: (expression, error) => `expression '${expression}' resulted in error: ${error}`,
};

/**
 * matchConditions → validations in order, the first failing or erroring one decides. `activation` already holds
 * object/oldObject/request/params/namespaceObject and the service variables.
 */
export function evaluateValidating(
  c: CompiledValidating,
  activation: Record<string, unknown>,
  style: MessageStyle = KUBERNETES_MESSAGES,
): ValidatingOutcome {
  const base = withVariables(activation, c.variables);
  const mc = evaluateMatchConditions(c, base);
  if (!mc.matched) {
    if (mc.error) return { status: 'error', message: mc.error };
    return { status: 'skip', message: "match conditions aren't met" };
  }
  for (let i = 0; i < c.validations.length; i++) {
    const v = c.validations[i] as CompiledValidation;
    const r = v.program.evaluate(base, PER_CALL_LIMIT);
    if (!r.ok)
      return { status: 'error', message: style.errorMessage(v.program.expression, r.error, i), index: i };
    if (r.value === true) continue;
    if (r.value !== false)
      return {
        status: 'error',
        message: style.errorMessage(v.program.expression, 'expression must evaluate to bool', i),
        index: i,
      };
    let message = v.message ?? '';
    if (v.messageExpression) {
      const m = v.messageExpression.evaluate(base);
      if (m.ok && typeof m.value === 'string' && m.value.trim() !== '') message = m.value;
    }
    if (message === '') message = style.defaultMessage(v.program.expression, i);
    return {
      status: 'fail',
      message,
      index: i,
      reason: v.reason,
      auditAnnotations: auditAnnotations(c, base),
    };
  }
  return { status: 'pass', message: '', auditAnnotations: auditAnnotations(c, base) };
}

export { fromCel };
