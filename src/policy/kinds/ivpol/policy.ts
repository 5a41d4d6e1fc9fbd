/**
 * policies.kyverno.io ImageValidatingPolicy and NamespacedImageValidatingPolicy, offline. The policy is parsed
 * and compiled like a ValidatingPolicy; `images` holds the object's container images (and those of the
 * `spec.images` extractors) that `spec.matchImageReferences` selects, `attestors` / `attestations` the named
 * entries. Validations that need no registry are evaluated for real; the first one that calls a verification
 * function (verifyImageSignatures, verifyAttestationSignatures, extractPayload, getImageData) makes the result
 * a `skip` saying signatures cannot be checked offline, as verifyImages rules of ClusterPolicies do.
 */
import { isObject } from '../../../core/document.js';
import { UserError } from '../../../core/errors.js';
import { type CelProgram, compileCel, fromCel, OFFLINE_IMAGE_VERIFICATION, toCel } from '../../cel/index.js';
import { wildcardMatch } from '../../pattern/wildcard.js';
import { type AdmissionInput, admissionActivation } from '../admission/activation.js';
import { matchResources } from '../admission/match-resources.js';
import {
  type CompiledValidating,
  compileValidating,
  evaluateValidating,
  type ValidatingOutcome,
} from '../admission/validating.js';
import { KYVERNO_MESSAGES } from '../vpol/policy.js';

export const IVPOL_KINDS = new Set(['ImageValidatingPolicy', 'NamespacedImageValidatingPolicy']);

type ImageReference = { glob: string } | { program: CelProgram };

export interface ImageValidatingPolicy {
  kind: string;
  name: string;
  namespace?: string;
  matchConstraints?: Record<string, unknown>;
  references: ImageReference[];
  extractors: { name: string; program: CelProgram }[];
  attestors: Record<string, unknown>;
  attestations: Record<string, unknown>;
  compiled: CompiledValidating;
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function list(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.map(obj) : [];
}

export function isIvpolDocument(content: Record<string, unknown>): boolean {
  return (
    String(content.apiVersion ?? '').startsWith('policies.kyverno.io/') &&
    IVPOL_KINDS.has(String(content.kind))
  );
}

function byName(entries: Record<string, unknown>[]): Record<string, unknown> {
  return Object.fromEntries(entries.map((e) => [String(e.name ?? ''), e]));
}

export function loadIvpol(content: Record<string, unknown>, file?: string): ImageValidatingPolicy {
  const kind = String(content.kind);
  const meta = obj(content.metadata);
  const name = String(meta.name ?? '');
  if (!name) throw new UserError(`${kind}: metadata.name is required`, file ? { position: { file } } : {});
  const spec = obj(content.spec);
  const label = `${kind}/${name}`;
  const site = (field: string) => ({ policy: label, field, file });
  const references = list(spec.matchImageReferences).map((r, i): ImageReference => {
    if (typeof r.glob === 'string') return { glob: r.glob };
    return {
      program: compileCel(
        String(r.expression ?? ''),
        site(`spec.matchImageReferences[${i}].expression`),
        'bool',
      ),
    };
  });
  return {
    kind,
    name,
    namespace: kind === 'NamespacedImageValidatingPolicy' ? String(meta.namespace ?? 'default') : undefined,
    matchConstraints: spec.matchConstraints ? obj(spec.matchConstraints) : undefined,
    references,
    extractors: list(spec.images).map((e, i) => ({
      name: String(e.name ?? ''),
      program: compileCel(String(e.expression ?? ''), site(`spec.images[${i}].expression`)),
    })),
    attestors: byName(list(spec.attestors)),
    attestations: byName(list(spec.attestations)),
    compiled: compileValidating(spec, spec.matchConditions, spec.failurePolicy, {
      policy: label,
      file,
      bodyAt: 'spec',
      validationsField: 'validations',
    }),
  };
}

function podSpecOf(object: Record<string, unknown>): Record<string, unknown> | undefined {
  const spec = obj(object.spec);
  if (object.kind === 'Pod') return spec;
  if (object.kind === 'CronJob') return obj(obj(obj(obj(spec.jobTemplate).spec).template).spec);
  return isObject(spec.template) ? obj(obj(spec.template).spec) : undefined;
}

function referenced(policy: ImageValidatingPolicy, image: string): boolean {
  if (policy.references.length === 0) return true;
  return policy.references.some((r) => {
    if ('glob' in r) return wildcardMatch(r.glob, image);
    const out = r.program.evaluate({ ref: image });
    return out.ok && out.value === true;
  });
}

/** The `images` variable: container group (or extractor name) → the selected image references. */
function imagesOf(
  policy: ImageValidatingPolicy,
  object: Record<string, unknown>,
  activation: Record<string, unknown>,
): { images: Record<string, string[]>; count: number } | { error: string } {
  const groups: Record<string, string[]> = {};
  const spec = podSpecOf(object);
  for (const group of ['containers', 'initContainers', 'ephemeralContainers']) {
    const containers = spec ? list(spec[group]) : [];
    groups[group] = containers.map((c) => c.image).filter((i): i is string => typeof i === 'string');
  }
  for (const e of policy.extractors) {
    const r = e.program.evaluate(activation);
    if (!r.ok) return { error: `spec.images '${e.name}': ${r.error}` };
    const value = fromCel(r.value);
    groups[e.name] = Array.isArray(value) ? value.filter((i): i is string => typeof i === 'string') : [];
  }
  let count = 0;
  for (const [group, images] of Object.entries(groups)) {
    groups[group] = images.filter((i) => referenced(policy, i));
    count += groups[group].length;
  }
  return { images: groups, count };
}

export interface IvpolInput extends AdmissionInput {
  object: Record<string, unknown>;
  namespaceLabels?: Record<string, string>;
  activation?: Record<string, unknown>;
}

export type IvpolOutcome = ValidatingOutcome & { offline?: boolean };

/** `undefined` when matchConstraints does not select the object (no response). */
export function evaluateIvpol(policy: ImageValidatingPolicy, input: IvpolInput): IvpolOutcome | undefined {
  const objNs = String(obj(input.object.metadata).namespace ?? '');
  if (policy.namespace !== undefined && objNs !== policy.namespace) return undefined;
  const m = {
    object: input.object,
    operation: input.operation ?? 'CREATE',
    namespaceLabels: input.namespaceLabels,
  };
  if (!matchResources(policy.matchConstraints, m)) return undefined;
  const base = {
    ...(input.activation ?? admissionActivation(input)),
    attestors: toCel(policy.attestors),
    attestations: toCel(policy.attestations),
  };
  const selected = imagesOf(policy, input.object, base);
  if ('error' in selected) return { status: 'error', message: `error: ${selected.error}` };
  if (selected.count === 0)
    return { status: 'skip', message: 'no image of the resource matches spec.matchImageReferences' };
  const outcome = evaluateValidating(
    policy.compiled,
    { ...base, images: toCel(selected.images) },
    KYVERNO_MESSAGES,
  );
  if (outcome.status === 'error' && outcome.message.includes(OFFLINE_IMAGE_VERIFICATION))
    return { status: 'skip', message: OFFLINE_IMAGE_VERIFICATION, offline: true };
  if (outcome.status === 'pass') return { ...outcome, message: 'success' };
  return outcome;
}
