/**
 * Gatekeeper's `K8sNativeValidation` engine: the template's code is a ValidatingAdmissionPolicy body
 * (variables, validations, matchConditions) run by Rampart's CEL evaluator, with Gatekeeper's extra
 * variables: `params` is the constraint itself, `variables.params` its `spec.parameters` and
 * `variables.anyObject` the object (oldObject on DELETE). Unlike a VAP, every failing validation is a
 * violation of its own, as Gatekeeper's k8scel driver reports them.
 */
import { UserError } from '../../../../core/errors.js';
import { PER_CALL_LIMIT, toCel } from '../../../cel/index.js';
import {
  type CompiledValidating,
  compileValidating,
  evaluateMatchConditions,
} from '../../admission/validating.js';
import type { CodeSite, CompiledCode, ReviewInput, TemplateEngine, Violation } from './engine.js';

/** Names Gatekeeper reserves in `variables` (a template's own variable may not take them). */
const RESERVED_VARIABLES = new Set(['params', 'anyObject']);
/** Gatekeeper keeps this prefix for its own variables and match conditions. */
const RESERVED_PREFIX = 'gatekeeper_internal_';

function withGatekeeperVariables(
  c: CompiledValidating,
  activation: Record<string, unknown>,
  input: ReviewInput,
): Record<string, unknown> {
  const vars: Record<string, unknown> = {
    params: toCel(input.parameters ?? null),
    anyObject: toCel(input.anyObject ?? null),
  };
  const out = { ...activation, params: toCel(input.constraint), variables: vars };
  for (const v of c.variables) {
    let done = false;
    let value: unknown;
    // Lazy and evaluated at most once, as Kubernetes' composited variables are.
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

function review(c: CompiledValidating, input: ReviewInput): Violation[] {
  const activation = withGatekeeperVariables(c, input.activation, input);
  const mc = evaluateMatchConditions(c, activation);
  if (!mc.matched) return mc.error ? [{ message: mc.error, error: true }] : [];
  const out: Violation[] = [];
  for (const v of c.validations) {
    const r = v.program.evaluate(activation, PER_CALL_LIMIT);
    if (!r.ok) {
      out.push({
        message: `expression '${v.program.expression}' resulted in error: ${r.error}`,
        error: true,
      });
      continue;
    }
    if (r.value === true) continue;
    if (r.value !== false) {
      out.push({
        message: `expression '${v.program.expression}' resulted in error: expression must evaluate to bool`,
        error: true,
      });
      continue;
    }
    let message = v.message ?? '';
    if (v.messageExpression) {
      const m = v.messageExpression.evaluate(activation);
      if (m.ok && typeof m.value === 'string' && m.value.trim() !== '') message = m.value;
    }
    out.push({ message: message || `failed expression: ${v.program.expression}` });
  }
  return out;
}

export const celEngine: TemplateEngine = {
  name: 'K8sNativeValidation',
  compile(source, site: CodeSite): CompiledCode {
    const body =
      source && typeof source === 'object' && !Array.isArray(source)
        ? (source as Record<string, unknown>)
        : {};
    const validations = Array.isArray(body.validations) ? body.validations : [];
    if (validations.length === 0)
      throw new UserError(
        `ConstraintTemplate "${site.template}": ${site.field}.validations: at least one validation is required`,
        site.file ? { position: { file: site.file } } : {},
      );
    const reserved = (list: unknown, field: string, names: ReadonlySet<string>) =>
      (Array.isArray(list) ? list : []).forEach((v, i) => {
        const name = String((v as Record<string, unknown> | null)?.name ?? '');
        if (names.has(name) || name.startsWith(RESERVED_PREFIX))
          throw new UserError(
            `ConstraintTemplate "${site.template}": ${site.field}.${field}[${i}].name: "${name}" is reserved by Gatekeeper`,
            site.file ? { position: { file: site.file } } : {},
          );
      });
    reserved(body.variables, 'variables', RESERVED_VARIABLES);
    reserved(body.matchConditions, 'matchConditions', new Set());
    const compiled = compileValidating(body, body.matchConditions, body.failurePolicy, {
      policy: `ConstraintTemplate/${site.template}`,
      file: site.file,
      bodyAt: site.field,
      validationsField: 'validations',
    });
    return { engine: 'K8sNativeValidation', review: (input) => review(compiled, input) };
  },
};
