import { TEMPLATE_POD_CONTROLLERS } from '../../core/k8s/pod-controllers.js';
import { obj } from './helpers.js';
import type { Obj } from './types.js';

/** Raised for inputs Kyverno's podSecurity handler rejects (the rule's result is then `error`). */
export class PodSecurityError extends Error {
  override name = 'PodSecurityError';
}

const TEMPLATE_KINDS = new Set(TEMPLATE_POD_CONTROLLERS);

export interface PodView {
  kind: string;
  meta: Obj;
  spec: Obj;
}

/**
 * The pod metadata and spec Kyverno checks (validate_pss.go getSpec): a Pod's own, a controller's
 * `spec.template`, and for a CronJob the job template's spec with the *job template's* metadata, as Kyverno
 * reads it.
 */
export function podOf(resource: unknown): PodView {
  const r = obj(resource);
  if (!r) throw new PodSecurityError('could not find correct resource type');
  const kind = typeof r.kind === 'string' ? r.kind : '';
  const spec = obj(r.spec);
  if (kind === 'Pod') return { kind, meta: obj(r.metadata) ?? {}, spec: spec ?? {} };
  if (TEMPLATE_KINDS.has(kind)) {
    const template = obj(spec?.template);
    return { kind, meta: obj(template?.metadata) ?? {}, spec: obj(template?.spec) ?? {} };
  }
  if (kind === 'CronJob') {
    const jobTemplate = obj(spec?.jobTemplate);
    const podTemplate = obj(obj(jobTemplate?.spec)?.template);
    return { kind, meta: obj(jobTemplate?.metadata) ?? {}, spec: obj(podTemplate?.spec) ?? {} };
  }
  throw new PodSecurityError('could not find correct resource type');
}

/**
 * Kyverno's convertChecks: rewrites pod-relative field paths for the resource that was checked. It is a
 * plain substring replacement, applied to every occurrence, and `metadata` becomes `spec.template.metadata`
 * for every kind (a Pod's and a CronJob's too) — reproduced as is so messages match Kyverno's.
 */
export function resourceFieldPath(field: string, kind: string): string {
  let out = field;
  if (TEMPLATE_KINDS.has(kind)) out = out.replaceAll('spec', 'spec.template.spec');
  else if (kind === 'CronJob') out = out.replaceAll('spec', 'spec.jobTemplate.spec.template.spec');
  return out.includes('metadata') ? out.replaceAll('metadata', 'spec.template.metadata') : out;
}
