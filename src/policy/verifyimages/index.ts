/**
 * `verifyImages` rules: validated field by field (attestors, attestations, imageReferences,
 * mutateDigest, verifyDigest, required), and evaluated offline: verifying a signature needs the
 * registry, so every image the rule selects gives `skip` with the reason "image verification needs
 * registry access" — unless the caller supplies the outcome per image (a test's expectations).
 */
import { isObject } from '../../core/document.js';
import type { Rule } from '../model/types.js';
import { wildcardMatch } from '../pattern/wildcard.js';
import type { RuleOutcome } from '../validate/index.js';

export const OFFLINE_REASON = 'image verification needs registry access';

const ENTRY_FIELDS = new Set([
  'type',
  'image',
  'imageReferences',
  'skipImageReferences',
  'key',
  'roots',
  'subject',
  'issuer',
  'additionalExtensions',
  'attestors',
  'attestations',
  'annotations',
  'repository',
  'cosignOCI11',
  'mutateDigest',
  'verifyDigest',
  'validate',
  'required',
  'imageRegistryCredentials',
  'useCache',
  'failureAction',
]);
const ATTESTOR_ENTRY_FIELDS = new Set([
  'keys',
  'certificates',
  'keyless',
  'attestor',
  'annotations',
  'repository',
  'signatureAlgorithm',
]);
const TYPES = new Set(['Cosign', 'SigstoreBundle', 'Notary']);

/** Problems in a rule's verifyImages list, each naming the field. */
export function checkVerifyImages(value: unknown, path: string): string[] {
  const problems: string[] = [];
  if (!Array.isArray(value)) return [`${path}: must be a list`];
  value.forEach((entry, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(entry)) {
      problems.push(`${p}: must be an object`);
      return;
    }
    for (const key of Object.keys(entry))
      if (!ENTRY_FIELDS.has(key)) problems.push(`${p}.${key}: unknown field`);
    if (entry.type !== undefined && !TYPES.has(String(entry.type))) {
      problems.push(`${p}.type: must be one of Cosign, SigstoreBundle, Notary`);
    }
    const refs = entry.imageReferences ?? (entry.image !== undefined ? [entry.image] : undefined);
    if (!Array.isArray(refs) || refs.length === 0 || !refs.every((r) => typeof r === 'string' && r !== '')) {
      problems.push(`${p}.imageReferences: at least one image reference is required`);
    }
    for (const flag of ['mutateDigest', 'verifyDigest', 'required', 'useCache', 'cosignOCI11']) {
      if (entry[flag] !== undefined && typeof entry[flag] !== 'boolean')
        problems.push(`${p}.${flag}: must be a boolean`);
    }
    if (entry.mutateDigest === true && entry.failureAction === 'Audit') {
      problems.push(`${p}.mutateDigest: must be false when failureAction is Audit`);
    }
    checkAttestors(entry.attestors, `${p}.attestors`, problems);
    if (entry.attestations !== undefined) {
      if (!Array.isArray(entry.attestations)) problems.push(`${p}.attestations: must be a list`);
      else
        entry.attestations.forEach((a, j) => {
          const ap = `${p}.attestations[${j}]`;
          if (!isObject(a)) problems.push(`${ap}: must be an object`);
          else {
            if (typeof (a.type ?? a.predicateType) !== 'string') problems.push(`${ap}.type: required`);
            checkAttestors(a.attestors, `${ap}.attestors`, problems);
            if (a.conditions !== undefined && !Array.isArray(a.conditions))
              problems.push(`${ap}.conditions: must be a list`);
          }
        });
    }
  });
  return problems;
}

function checkAttestors(value: unknown, path: string, problems: string[]): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    problems.push(`${path}: must be a list`);
    return;
  }
  value.forEach((set, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(set)) {
      problems.push(`${p}: must be an object`);
      return;
    }
    if (set.count !== undefined && (typeof set.count !== 'number' || set.count < 1))
      problems.push(`${p}.count: must be a positive integer`);
    if (!Array.isArray(set.entries) || set.entries.length === 0) {
      problems.push(`${p}.entries: at least one attestor is required`);
      return;
    }
    if (typeof set.count === 'number' && set.count > set.entries.length) {
      problems.push(`${p}.count: ${set.count} is more than the ${set.entries.length} entries`);
    }
    set.entries.forEach((e, j) => {
      const ep = `${p}.entries[${j}]`;
      if (!isObject(e)) {
        problems.push(`${ep}: must be an object`);
        return;
      }
      for (const key of Object.keys(e))
        if (!ATTESTOR_ENTRY_FIELDS.has(key)) problems.push(`${ep}.${key}: unknown field`);
      const kinds = ['keys', 'certificates', 'keyless', 'attestor'].filter((k) => e[k] !== undefined);
      if (kinds.length !== 1)
        problems.push(`${ep}: exactly one of keys, certificates, keyless or attestor is required`);
      if (isObject(e.keys) && !e.keys.publicKeys && !e.keys.kms && !e.keys.secret) {
        problems.push(`${ep}.keys: one of publicKeys, kms or secret is required`);
      }
    });
  });
}

/** Every container image of a Pod or pod template (containers, initContainers, ephemeralContainers). */
export function imagesOf(resource: Record<string, unknown>): string[] {
  const spec = podSpecOf(resource);
  if (!spec) return [];
  const out: string[] = [];
  for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
    const list = spec[field];
    if (!Array.isArray(list)) continue;
    for (const c of list) if (isObject(c) && typeof c.image === 'string') out.push(c.image);
  }
  return out;
}

function podSpecOf(resource: Record<string, unknown>): Record<string, unknown> | undefined {
  const spec = resource.spec;
  if (!isObject(spec)) return undefined;
  if (resource.kind === 'Pod') return spec;
  const jobTemplate = isObject(spec.jobTemplate) ? spec.jobTemplate : undefined;
  const template = isObject(spec.template)
    ? spec.template
    : isObject(jobTemplate?.spec)
      ? (jobTemplate.spec as any).template
      : undefined;
  return isObject(template) && isObject(template.spec) ? template.spec : undefined;
}

/** Outcome for one image a test or caller already knows (e.g. from a registry run). */
export type ImageVerdict = (image: string, rule: string) => 'pass' | 'fail' | undefined;

/**
 * Evaluates a matched verifyImages rule offline. No response (undefined) when no image of the
 * resource is selected by any entry, as Kyverno responds only for the images it verified.
 */
export function verifyImagesRule(
  rule: Rule,
  resource: Record<string, unknown>,
  verdict?: ImageVerdict,
): RuleOutcome | undefined {
  const entries = Array.isArray(rule.verifyImages) ? rule.verifyImages : [];
  const selected: string[] = [];
  for (const image of imagesOf(resource)) {
    const hit = entries.some((e) => {
      if (!isObject(e)) return false;
      const refs = (Array.isArray(e.imageReferences) ? e.imageReferences : [e.image]).filter(
        (r): r is string => typeof r === 'string',
      );
      const skips = (Array.isArray(e.skipImageReferences) ? e.skipImageReferences : []).filter(
        (r): r is string => typeof r === 'string',
      );
      return refs.some((r) => wildcardMatch(r, image)) && !skips.some((r) => wildcardMatch(r, image));
    });
    if (hit && !selected.includes(image)) selected.push(image);
  }
  if (selected.length === 0) return undefined;
  const verdicts = selected.map((image) => [image, verdict?.(image, rule.name)] as const);
  const failed = verdicts.filter(([, v]) => v === 'fail').map(([image]) => image);
  if (failed.length) return { status: 'fail', message: `failed to verify image ${failed.join(', ')}` };
  if (verdicts.every(([, v]) => v === 'pass'))
    return { status: 'pass', message: `verified image signatures for ${selected.join(', ')}` };
  return { status: 'skip', message: OFFLINE_REASON, properties: { offline: 'true' } };
}
