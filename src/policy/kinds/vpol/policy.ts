import { type CelServices, serviceVariables, toCel } from '../../cel/index.js';
import { type AdmissionInput, admissionActivation } from '../admission/activation.js';
import { autogenSpecs } from '../admission/autogen.js';
import { kyvernoPolicyHead } from '../admission/kyverno-head.js';
import { matchResources } from '../admission/match-resources.js';
import {
  type CompiledValidating,
  evaluateValidating,
  type MessageStyle,
  type ValidatingOutcome,
} from '../admission/validating.js';

export const VPOL_KINDS = new Set(['ValidatingPolicy', 'NamespacedValidatingPolicy']);

export const KYVERNO_MESSAGES: MessageStyle = {
  defaultMessage: (_expression, index) => `CEL expression validation failed at index ${index}`,
  errorMessage: (_expression, error) => `error: ${error}`,
};

interface Variant {
  matchConstraints?: Record<string, unknown>;
  compiled: CompiledValidating;
}

export interface ValidatingPolicy {
  kind: string;
  name: string;
  namespace?: string;
  mode: 'Kubernetes' | 'JSON';
  validationActions: string[];
  /** The policy as written, then its autogen variants for Pod controllers. */
  variants: Variant[];
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function isVpolDocument(content: Record<string, unknown>): boolean {
  return (
    String(content.apiVersion ?? '').startsWith('policies.kyverno.io/') &&
    VPOL_KINDS.has(String(content.kind))
  );
}

export function loadVpol(content: Record<string, unknown>, file?: string): ValidatingPolicy {
  const { kind, name, meta, spec, compile } = kyvernoPolicyHead(content, file);
  const mode = obj(spec.evaluation).mode === 'JSON' ? 'JSON' : 'Kubernetes';
  const variants: Variant[] = [
    {
      matchConstraints: spec.matchConstraints ? obj(spec.matchConstraints) : undefined,
      compiled: compile(spec, 'spec'),
    },
  ];
  const autogen = obj(obj(spec.autogen).podControllers).controllers;
  if (mode === 'Kubernetes') {
    for (const a of autogenSpecs(spec, Array.isArray(autogen) ? autogen.map(String) : undefined)) {
      // Autogen variants only rewrite field paths of expressions that already compiled: compile them on
      // first use, so loading a policy costs one compilation, not three.
      let compiled: CompiledValidating | undefined;
      variants.push({
        matchConstraints: obj(a.spec.matchConstraints),
        get compiled() {
          compiled ??= compile(a.spec, `spec (autogen ${a.name})`);
          return compiled;
        },
      });
    }
  }
  return {
    kind,
    name,
    namespace: kind === 'NamespacedValidatingPolicy' ? String(meta.namespace ?? 'default') : undefined,
    mode,
    validationActions: Array.isArray(spec.validationActions) ? spec.validationActions.map(String) : ['Deny'],
    variants,
  };
}

export interface VpolInput extends AdmissionInput {
  object: Record<string, unknown>;
  namespaceLabels?: Record<string, string>;
  /** The activation for this object when the caller built it already (shared by every policy). */
  activation?: Record<string, unknown>;
}

/** Kubernetes mode: `undefined` when no variant's matchConstraints selects the object (no response). */
export function evaluateVpol(policy: ValidatingPolicy, input: VpolInput): ValidatingOutcome | undefined {
  if (policy.mode === 'JSON') return evaluateVpolJson(policy, input.object, input.services);
  const objNs = String(obj(input.object.metadata).namespace ?? '');
  if (policy.namespace !== undefined && objNs !== policy.namespace) return undefined;
  const m = {
    object: input.object,
    operation: input.operation ?? 'CREATE',
    namespaceLabels: input.namespaceLabels,
  };
  const variant = policy.variants.find((v) => matchResources(v.matchConstraints, m));
  if (!variant) return undefined;
  return finish(
    evaluateValidating(variant.compiled, input.activation ?? admissionActivation(input), KYVERNO_MESSAGES),
  );
}

/** JSON mode: only `object` (the payload) and `variables` are bound. */
export function evaluateVpolJson(
  policy: ValidatingPolicy,
  payload: unknown,
  services?: CelServices,
): ValidatingOutcome {
  const variant = policy.variants[0] as Variant;
  const activation = {
    ...serviceVariables(services),
    object: toCel(payload),
    oldObject: null,
    request: null,
    namespaceObject: null,
    params: null,
    variables: {},
    exceptions: { allowedImages: [], allowedValues: [] },
    images: {},
  };
  return finish(evaluateValidating(variant.compiled, activation, KYVERNO_MESSAGES));
}

function finish(o: ValidatingOutcome): ValidatingOutcome {
  if (o.status === 'pass') return { ...o, message: 'success' };
  if (o.status === 'skip') return { ...o, message: 'skip' };
  return o;
}
