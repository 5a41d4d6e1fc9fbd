/**
 * admissionregistration.k8s.io ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding (v1, v1beta1,
 * v1alpha1): loading (expressions compiled once; a mistake names the field and column), binding, params and
 * evaluation with Kyverno's CLI verdicts — one response per policy, named after the policy: skip when match
 * conditions aren't met, error on an evaluation error, fail with the first failing validation's message.
 */
import { UserError } from '../../../core/errors.js';
import { toCel } from '../../cel/index.js';
import { selectorMatches } from '../../match/selector.js';
import { type AdmissionInput, admissionActivation } from '../admission/activation.js';
import { matchResources } from '../admission/match-resources.js';
import {
  type CompiledValidating,
  compileValidating,
  evaluateValidating,
  type ValidatingOutcome,
} from '../admission/validating.js';

export const VAP_API_GROUP = 'admissionregistration.k8s.io';

export interface VapBinding {
  name: string;
  policyName: string;
  paramRef?: {
    name?: string;
    namespace?: string;
    selector?: unknown;
    parameterNotFoundAction?: 'Allow' | 'Deny';
  };
  matchResources?: Record<string, unknown>;
  validationActions: string[];
}

export interface ValidatingAdmissionPolicy {
  name: string;
  matchConstraints?: Record<string, unknown>;
  paramKind?: { apiVersion: string; kind: string };
  compiled: CompiledValidating;
  bindings: VapBinding[];
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function isVapDocument(content: Record<string, unknown>): boolean {
  return (
    String(content.apiVersion ?? '').startsWith(`${VAP_API_GROUP}/`) &&
    (content.kind === 'ValidatingAdmissionPolicy' || content.kind === 'ValidatingAdmissionPolicyBinding')
  );
}

export function loadVap(content: Record<string, unknown>, file?: string): ValidatingAdmissionPolicy {
  const name = String(obj(content.metadata).name ?? '');
  if (!name)
    throw new UserError(
      'ValidatingAdmissionPolicy: metadata.name is required',
      file ? { position: { file } } : {},
    );
  const spec = obj(content.spec);
  const paramKind = obj(spec.paramKind);
  return {
    name,
    matchConstraints: spec.matchConstraints ? obj(spec.matchConstraints) : undefined,
    paramKind: paramKind.kind
      ? { apiVersion: String(paramKind.apiVersion ?? ''), kind: String(paramKind.kind) }
      : undefined,
    compiled: compileValidating(spec, spec.matchConditions, spec.failurePolicy, {
      policy: `ValidatingAdmissionPolicy/${name}`,
      file,
      bodyAt: 'spec',
      validationsField: 'validations',
    }),
    bindings: [],
  };
}

export function loadBinding(content: Record<string, unknown>): VapBinding {
  const spec = obj(content.spec);
  const paramRef = spec.paramRef ? obj(spec.paramRef) : undefined;
  return {
    name: String(obj(content.metadata).name ?? ''),
    policyName: String(spec.policyName ?? ''),
    paramRef: paramRef && {
      name: paramRef.name as string | undefined,
      namespace: paramRef.namespace as string | undefined,
      selector: paramRef.selector,
      parameterNotFoundAction: paramRef.parameterNotFoundAction === 'Allow' ? 'Allow' : 'Deny',
    },
    matchResources: spec.matchResources ? obj(spec.matchResources) : undefined,
    validationActions: Array.isArray(spec.validationActions) ? spec.validationActions.map(String) : ['Deny'],
  };
}

export interface VapInput extends AdmissionInput {
  object: Record<string, unknown>;
  namespaceLabels?: Record<string, string>;
  /** Every object the run knows (params are looked up here). */
  resources: readonly Record<string, unknown>[];
  /** The activation for this object when the caller built it already (shared by every policy). */
  activation?: Record<string, unknown>;
}

function findParams(
  policy: ValidatingAdmissionPolicy,
  binding: VapBinding,
  input: VapInput,
): unknown[] | string {
  const kind = policy.paramKind;
  const ref = binding.paramRef;
  if (!kind || !ref) return [null];
  const objectNs = String(obj(input.object.metadata).namespace ?? '');
  const candidates = input.resources.filter((r) => r.kind === kind.kind && r.apiVersion === kind.apiVersion);
  const ns = ref.namespace ?? objectNs;
  const inNs = (r: Record<string, unknown>) => {
    const rns = String(obj(r.metadata).namespace ?? '');
    return rns === '' || ns === '' || rns === ns;
  };
  let found: Record<string, unknown>[];
  if (ref.name) found = candidates.filter((r) => obj(r.metadata).name === ref.name && inNs(r));
  else if (ref.selector !== undefined)
    found = candidates.filter(
      (r) => inNs(r) && selectorMatches(ref.selector, obj(obj(r.metadata).labels) as Record<string, string>),
    );
  else found = [];
  if (found.length > 0) return found;
  if (ref.parameterNotFoundAction === 'Allow') return [];
  return `no params found for policy binding with \`Deny\` parameterNotFoundAction`;
}

/**
 * Evaluates one VAP on one object. `undefined` means the policy (or none of its bindings) does not select the
 * object, which Kyverno reports as no response at all.
 */
export function evaluateVap(
  policy: ValidatingAdmissionPolicy,
  input: VapInput,
): ValidatingOutcome | undefined {
  const op = input.operation ?? 'CREATE';
  const m = { object: input.object, operation: op, namespaceLabels: input.namespaceLabels };
  if (!matchResources(policy.matchConstraints, m)) return undefined;
  const bindings = policy.bindings.length > 0 ? policy.bindings : [undefined];
  for (const binding of bindings) {
    if (binding?.matchResources && !matchResources(binding.matchResources, m)) continue;
    const params = binding ? findParams(policy, binding, input) : [null];
    if (typeof params === 'string') return { status: 'error', message: params };
    if (params.length === 0) return { status: 'pass', message: '', auditAnnotations: {} };
    let last: ValidatingOutcome | undefined;
    const base = input.activation ?? admissionActivation(input);
    for (const p of params) {
      last = evaluateValidating(policy.compiled, p === null ? base : { ...base, params: toCel(p) });
      if (last.status === 'fail' || last.status === 'error') return last;
    }
    return last;
  }
  return undefined;
}
