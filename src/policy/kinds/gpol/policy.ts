/**
 * policies.kyverno.io GeneratingPolicy and NamespacedGeneratingPolicy: matchConstraints, matchConditions,
 * variables and `generate` expressions that call `generator.Apply(namespace, [objects])`. Offline the objects
 * are reported (as the generate rules of ClusterPolicies are), never created. Verdicts as Kyverno's engine
 * gives them (pkg/cel/policies/gpol): skip when match conditions aren't met, error when an expression fails,
 * otherwise pass with the generated objects.
 */
import { UserError } from '../../../core/errors.js';
import { type CelProgram, compileCel, GeneratorContext } from '../../cel/index.js';
import { type AdmissionInput, admissionActivation } from '../admission/activation.js';
import { matchResources } from '../admission/match-resources.js';
import {
  type CompiledValidating,
  compileValidating,
  evaluateMatchConditions,
  withVariables,
} from '../admission/validating.js';

export const GPOL_KINDS = new Set(['GeneratingPolicy', 'NamespacedGeneratingPolicy']);

export interface GeneratingPolicy {
  kind: string;
  name: string;
  namespace?: string;
  matchConstraints?: Record<string, unknown>;
  compiled: CompiledValidating;
  generate: CelProgram[];
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function isGpolDocument(content: Record<string, unknown>): boolean {
  return (
    String(content.apiVersion ?? '').startsWith('policies.kyverno.io/') &&
    GPOL_KINDS.has(String(content.kind))
  );
}

export function loadGpol(content: Record<string, unknown>, file?: string): GeneratingPolicy {
  const kind = String(content.kind);
  const meta = obj(content.metadata);
  const name = String(meta.name ?? '');
  if (!name) throw new UserError(`${kind}: metadata.name is required`, file ? { position: { file } } : {});
  const spec = obj(content.spec);
  const label = `${kind}/${name}`;
  const generate = (Array.isArray(spec.generate) ? spec.generate : []).map((g: unknown, i: number) =>
    compileCel(String(obj(g).expression ?? ''), {
      policy: label,
      field: `spec.generate[${i}].expression`,
      file,
    }),
  );
  return {
    kind,
    name,
    namespace: kind === 'NamespacedGeneratingPolicy' ? String(meta.namespace ?? 'default') : undefined,
    matchConstraints: spec.matchConstraints ? obj(spec.matchConstraints) : undefined,
    compiled: compileValidating(spec, spec.matchConditions, spec.failurePolicy, {
      policy: label,
      file,
      bodyAt: 'spec',
      validationsField: 'validations',
    }),
    generate,
  };
}

export type GpolOutcome =
  | { status: 'skip'; message: string }
  | { status: 'error'; message: string }
  | { status: 'pass'; message: string; generated: Record<string, unknown>[] };

export interface GpolInput extends AdmissionInput {
  object: Record<string, unknown>;
  namespaceLabels?: Record<string, string>;
  activation?: Record<string, unknown>;
}

/** `undefined` when matchConstraints does not select the object (no response). */
export function evaluateGpol(policy: GeneratingPolicy, input: GpolInput): GpolOutcome | undefined {
  const objNs = String(obj(input.object.metadata).namespace ?? '');
  if (policy.namespace !== undefined && objNs !== policy.namespace) return undefined;
  const m = {
    object: input.object,
    operation: input.operation ?? 'CREATE',
    namespaceLabels: input.namespaceLabels,
  };
  if (!matchResources(policy.matchConstraints, m)) return undefined;
  const generator = new GeneratorContext();
  const activation = withVariables(
    { ...(input.activation ?? admissionActivation(input)), generator },
    policy.compiled.variables,
  );
  const mc = evaluateMatchConditions(policy.compiled, activation);
  if (!mc.matched)
    return mc.error ? { status: 'error', message: mc.error } : { status: 'skip', message: 'skip' };
  for (const program of policy.generate) {
    const r = program.evaluate(activation);
    if (!r.ok)
      return {
        status: 'error',
        message: `failed to evaluate policy: expression '${program.expression}': ${r.error}`,
      };
  }
  return { status: 'pass', message: 'success', generated: generator.generated };
}
