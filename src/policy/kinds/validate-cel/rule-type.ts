/**
 * Kyverno ClusterPolicy/Policy `validate.cel` rules and `celPreconditions`, as rule types of the Kyverno policy
 * kind. Expressions are compiled when the policy loads (`check`: a mistake names `spec.rules[i].validate.cel...`
 * and the column); evaluation follows Kyverno's validate_cel handler, which runs the rule as a
 * ValidatingAdmissionPolicy: pass, fail with the failing expression's message, error on evaluation errors.
 * Autogen rules (`autogen-…`, `autogen-cronjob-…`) read the Pod template of their controller.
 */
import { type CelProgram, compileCel, serviceVariables, toCel } from '../../cel/index.js';
import type { RuleContext, RuleFeature, RuleType } from '../../engine/rule-type.js';
import type { Rule } from '../../model/types.js';
import { admissionActivation } from '../admission/activation.js';
import { autogenRewrite } from '../admission/autogen.js';
import { type CompiledValidating, compileValidating, evaluateValidating } from '../admission/validating.js';

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function rewriteFor(rule: Rule): 'defaults' | 'cronjobs' | undefined {
  if (rule.name.startsWith('autogen-cronjob-')) return 'cronjobs';
  if (rule.name.startsWith('autogen-')) return 'defaults';
  return undefined;
}

function celBody(rule: Rule): Record<string, unknown> {
  const cel = obj(obj(rule.validate).cel);
  const ref = rewriteFor(rule);
  return ref ? (JSON.parse(autogenRewrite(JSON.stringify(cel), ref)) as Record<string, unknown>) : cel;
}

const compiledRules = new WeakMap<Rule, CompiledValidating>();

function compiledFor(rule: Rule, policyName: string, path = 'spec.rules[?]'): CompiledValidating {
  let c = compiledRules.get(rule);
  if (!c) {
    c = compileValidating(celBody(rule), [], 'Fail', {
      policy: policyName,
      bodyAt: `${path}.validate.cel`,
      validationsField: 'expressions',
    });
    compiledRules.set(rule, c);
  }
  return c;
}

function paramsFor(c: RuleContext): unknown[] | string {
  const cel = obj(obj(c.rule.validate).cel);
  const kind = obj(cel.paramKind);
  const ref = obj(cel.paramRef);
  if (!kind.kind || (!ref.name && !ref.selector)) return [null];
  const all = (c.options.resourceSet ?? []).map((d) => d.content as Record<string, unknown>);
  const ns = String(ref.namespace ?? obj(c.resource.metadata).namespace ?? '');
  const found = all.filter(
    (r) =>
      r?.kind === kind.kind &&
      r.apiVersion === kind.apiVersion &&
      (!ref.name || obj(r.metadata).name === ref.name) &&
      (!obj(r.metadata).namespace || !ns || obj(r.metadata).namespace === ns),
  );
  if (found.length) return found;
  return ref.parameterNotFoundAction === 'Allow'
    ? []
    : 'no params found for policy binding with `Deny` parameterNotFoundAction';
}

const serviceVarsByOptions = new WeakMap<object, Record<string, unknown>>();
const activationByResource = new WeakMap<
  object,
  { operation: string; activation: Record<string, unknown> }
>();

/** One activation per resource object (a patch makes a new object), shared by every validate.cel rule. */
function activationFor(c: RuleContext, params: unknown): Record<string, unknown> {
  const hit = activationByResource.get(c.resource);
  let base = hit && hit.operation === c.operation ? hit.activation : undefined;
  if (!base) {
    base = buildActivation(c);
    activationByResource.set(c.resource, { operation: c.operation, activation: base });
  }
  return params === null ? base : { ...base, params: toCel(params) };
}

function buildActivation(c: RuleContext): Record<string, unknown> {
  let services = serviceVarsByOptions.get(c.options);
  if (!services) {
    const all = (c.options.resourceSet ?? []).map((d) => d.content as Record<string, unknown>);
    const built = serviceVariables({
      ...(c.options.cel ?? {}),
      resources: [...all, ...(c.options.cel?.resources ?? [])],
    });
    serviceVarsByOptions.set(c.options, built);
    services = built;
  }
  const ns = String(obj(c.resource.metadata).namespace ?? '');
  const labels = ns ? c.options.namespaceLabels?.(ns) : undefined;
  return admissionActivation(
    {
      object: c.operation === 'DELETE' ? null : c.resource,
      oldObject: (c.oldResource as Record<string, unknown> | null) ?? null,
      operation: c.operation,
      userInfo: c.options.userInfo,
      namespaceObject: ns
        ? { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: labels ?? {} } }
        : null,
    },
    services,
  );
}

export const validateCelRuleType: RuleType = {
  field: 'validate',
  bodies: ['cel'],
  phase: 'validate',
  check(rule, path, problems) {
    try {
      compileValidating(obj(obj(rule.validate).cel), [], 'Fail', {
        policy: String(rule.name ?? ''),
        bodyAt: `${path}.validate.cel`,
        validationsField: 'expressions',
      });
    } catch (e) {
      problems.push((e as Error).message.replace(/^[^:]*: /, ''));
    }
  },
  apply(c) {
    const compiled = compiledFor(c.rule, c.policy.name);
    const params = paramsFor(c);
    if (typeof params === 'string') return { status: 'error', message: params };
    if (params.length === 0) return { status: 'pass', message: '' };
    let last: ReturnType<typeof evaluateValidating> | undefined;
    for (const p of params) {
      last = evaluateValidating(compiled, activationFor(c, p));
      if (last.status === 'fail' || last.status === 'error') break;
    }
    if (!last) return { status: 'pass', message: '' };
    return { status: last.status, message: last.message };
  },
};

const preconditionPrograms = new WeakMap<Rule, { name: string; program: CelProgram }[]>();

function preconditions(rule: Rule): { name: string; program: CelProgram }[] {
  let p = preconditionPrograms.get(rule);
  if (!p) {
    const ref = rewriteFor(rule);
    const raw = ref
      ? JSON.parse(autogenRewrite(JSON.stringify(rule.celPreconditions ?? []), ref))
      : rule.celPreconditions;
    p = (Array.isArray(raw) ? raw : []).map((m: Record<string, unknown>, i: number) => ({
      name: String(m.name ?? i),
      program: compileCel(
        String(m.expression ?? ''),
        { policy: rule.name, field: `celPreconditions[${i}].expression` },
        'bool',
      ),
    }));
    preconditionPrograms.set(rule, p);
  }
  return p;
}

/** celPreconditions: Kubernetes matchConditions before the rule body; not met → skip, as Kyverno reports it. */
export const celPreconditionsFeature: RuleFeature = {
  field: 'celPreconditions',
  apply(c) {
    let programs: { name: string; program: CelProgram }[];
    try {
      programs = preconditions(c.rule);
    } catch (e) {
      return { status: 'error', message: (e as Error).message };
    }
    const activation = activationFor(c, null);
    for (const p of programs) {
      const r = p.program.evaluate(activation);
      if (!r.ok) return { status: 'error', message: `celPreconditions '${p.name}': ${r.error}` };
      if (r.value !== true) return { status: 'skip', message: 'cel preconditions not met' };
    }
    return undefined;
  },
};
