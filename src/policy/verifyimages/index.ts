/**
 * `verifyImages` rules: validated field by field (attestors, attestations, imageReferences,
 * mutateDigest, verifyDigest, required), and evaluated offline: verifying a signature needs the
 * registry, so every image the rule selects gives `skip` with the reason "image verification needs
 * registry access" — unless the caller supplies the outcome per image (a values file's
 * `imageVerifications`, see docs/test.md).
 */
import { isObject } from '../../core/document.js';
import type { JsonPatchOperation } from '../../core/result.js';
import type { LoadedPolicy, Rule } from '../model/types.js';
import { applyJsonPatch } from '../mutate/index.js';
import { wildcardMatch } from '../pattern/wildcard.js';
import type { RuleOutcome } from '../validate/index.js';
import { parseImageReference } from '../vars/index.js';

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
  return containerImages(resource).map((c) => c.image);
}

interface ContainerImage {
  image: string;
  /** JSON pointer of the container's `image` field (Kyverno's ImageInfo.Pointer). */
  pointer: string;
}

function containerImages(resource: Record<string, unknown>): ContainerImage[] {
  const found = podSpecOf(resource);
  if (!found) return [];
  const out: ContainerImage[] = [];
  for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
    const list = found.spec[field];
    if (!Array.isArray(list)) continue;
    list.forEach((c, i) => {
      if (isObject(c) && typeof c.image === 'string')
        out.push({ image: c.image, pointer: `${found.path}/${field}/${i}/image` });
    });
  }
  return out;
}

function podSpecOf(
  resource: Record<string, unknown>,
): { spec: Record<string, unknown>; path: string } | undefined {
  const spec = resource.spec;
  if (!isObject(spec)) return undefined;
  if (resource.kind === 'Pod') return { spec, path: '/spec' };
  if (isObject(spec.template) && isObject(spec.template.spec))
    return { spec: spec.template.spec, path: '/spec/template/spec' };
  const jobTemplate = isObject(spec.jobTemplate) ? spec.jobTemplate : undefined;
  const template = isObject(jobTemplate?.spec)
    ? (jobTemplate.spec as Record<string, unknown>).template
    : undefined;
  return isObject(template) && isObject(template.spec)
    ? { spec: template.spec, path: '/spec/jobTemplate/spec/template/spec' }
    : undefined;
}

/** A supplied verification: `pass`/`fail`, or whether the image verified and the digest it has. */
export type ImageVerification = 'pass' | 'fail' | { verified: boolean; digest?: string };

/** Outcome for one image a test or caller already knows (a values file's `imageVerifications`). */
export type ImageVerdict = (
  image: string,
  rule: string,
  policy?: Pick<LoadedPolicy, 'name' | 'namespace'>,
) => ImageVerification | undefined;

function fullReference(image: string): string | undefined {
  try {
    return parseImageReference(image).reference;
  } catch {
    return undefined;
  }
}

const verifiedOf = (v: ImageVerification | undefined): boolean | undefined =>
  v === undefined ? undefined : typeof v === 'string' ? v === 'pass' : v.verified;

/**
 * Evaluates a matched verifyImages rule offline. No response (undefined) when no image of the
 * resource is selected by any entry, as Kyverno responds only for the images it verified. With a
 * verdict for every selected image the rule passes (or fails for any unverified image); a verified
 * image without a digest that an entry with `mutateDigest` (Kyverno's default: true) selected gets
 * the supplied digest written into the resource, as Kyverno's patch does (`<full reference>@<digest>`).
 */
export function verifyImagesRule(
  rule: Rule,
  resource: Record<string, unknown>,
  verdict?: ImageVerdict,
  policy?: Pick<LoadedPolicy, 'name' | 'namespace'>,
): RuleOutcome | undefined {
  const entries = (Array.isArray(rule.verifyImages) ? rule.verifyImages : []).filter(isObject);
  const selected: string[] = [];
  /** Containers whose image an entry with mutateDigest selected. */
  const digestTargets: ContainerImage[] = [];
  for (const container of containerImages(resource)) {
    const { image } = container;
    // Kyverno matches the full reference (`nginx` is `docker.io/nginx:latest`); the image as written
    // is matched too.
    const full = fullReference(image);
    const matches = (pattern: string): boolean =>
      wildcardMatch(pattern, image) || (full !== undefined && wildcardMatch(pattern, full));
    const hits = entries.filter((e) => {
      const refs = (Array.isArray(e.imageReferences) ? e.imageReferences : [e.image]).filter(
        (r): r is string => typeof r === 'string',
      );
      const skips = (Array.isArray(e.skipImageReferences) ? e.skipImageReferences : []).filter(
        (r): r is string => typeof r === 'string',
      );
      return refs.some(matches) && !skips.some(matches);
    });
    if (hits.length === 0) continue;
    if (!selected.includes(image)) selected.push(image);
    if (hits.some((e) => e.mutateDigest !== false)) digestTargets.push(container);
  }
  if (selected.length === 0) return undefined;
  const verdicts = new Map(selected.map((image) => [image, verdict?.(image, rule.name, policy)] as const));
  const failed = selected.filter((image) => verifiedOf(verdicts.get(image)) === false);
  if (failed.length) return { status: 'fail', message: `failed to verify image ${failed.join(', ')}` };
  if (!selected.every((image) => verifiedOf(verdicts.get(image)) === true))
    return { status: 'skip', message: OFFLINE_REASON, properties: { offline: 'true' } };
  const message = `verified image signatures for ${selected.join(', ')}`;
  const patch: JsonPatchOperation[] = [];
  for (const { image, pointer } of digestTargets) {
    const v = verdicts.get(image);
    const digest = typeof v === 'object' ? v.digest : undefined;
    if (!digest) continue;
    let info: ReturnType<typeof parseImageReference>;
    try {
      info = parseImageReference(image);
    } catch {
      continue;
    }
    if (info.digest) continue;
    patch.push({ op: 'replace', path: pointer, value: `${info.reference}@${digest}` });
  }
  if (!patch.length) return { status: 'pass', message };
  return { status: 'pass', message, patch, patchedResource: applyJsonPatch(resource, patch) };
}
