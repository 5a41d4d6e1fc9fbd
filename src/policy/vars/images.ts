/**
 * Image references as Kyverno parses them (pkg/utils/image): the default registry docker.io is added
 * before parsing with distribution's reference grammar, and the tag defaults to "latest" when neither
 * tag nor digest is given.
 */
import { VariableError } from './errors.js';

export interface ImageInfo {
  registry: string;
  path: string;
  name: string;
  tag?: string;
  digest?: string;
  reference: string;
  referenceWithTag: string;
}

export const DEFAULT_REGISTRY = 'docker.io';

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const NAME_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const REFERENCE_RE = new RegExp(
  `^((?:${DOMAIN}/)?${NAME_COMPONENT}(?:/${NAME_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`,
);
const ANCHORED_NAME_RE = new RegExp(`^(?:(${DOMAIN})/)?(${NAME_COMPONENT}(?:/${NAME_COMPONENT})*)$`);

const DIGEST_LENGTHS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

export class ImageReferenceError extends VariableError {}

function addDefaultRegistry(image: string): string {
  const i = image.indexOf('/');
  if (i === -1) return `${DEFAULT_REGISTRY}/${image}`;
  const first = image.slice(0, i);
  if (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first) {
    return `${DEFAULT_REGISTRY}/${image}`;
  }
  return image;
}

/** distribution's reference.Parse error text for a rejected reference. */
function referenceError(ref: string): string | undefined {
  if (ref === '') return 'repository name must have at least one component';
  const m = REFERENCE_RE.exec(ref);
  if (!m) {
    if (REFERENCE_RE.test(ref.toLowerCase())) return 'repository name must be lowercase';
    return 'invalid reference format';
  }
  if (m[1]!.length > 255) return 'repository name must not be more than 255 characters';
  const digest = m[3];
  if (digest) {
    const [alg, hex] = digest.split(':') as [string, string];
    const want = DIGEST_LENGTHS[alg];
    if (want === undefined) return 'unsupported digest algorithm';
    if (hex.length !== want) return 'invalid checksum digest length';
    if (!/^[a-f0-9]+$/.test(hex)) return 'invalid checksum digest format';
  }
  return undefined;
}

const infoCache = new Map<string, ImageInfo>();

/** Kyverno's GetImageInfo with the default configuration (docker.io, registry mutation enabled). */
export function parseImageReference(image: string): ImageInfo {
  const cached = infoCache.get(image);
  if (cached) return { ...cached };
  const info = parseUncached(image);
  if (infoCache.size >= 4096) infoCache.clear();
  infoCache.set(image, info);
  return { ...info };
}

function parseUncached(image: string): ImageInfo {
  const full = addDefaultRegistry(image);
  const problem = referenceError(full);
  if (problem) {
    throw new ImageReferenceError(
      `bad image: ${full}, defaultRegistry: ${DEFAULT_REGISTRY}, enableDefaultRegistryMutation: true: ${problem}`,
    );
  }
  const m = REFERENCE_RE.exec(full)!;
  const named = ANCHORED_NAME_RE.exec(m[1]!)!;
  const registry = named[1] ?? '';
  const path = named[2]!;
  const name = path.slice(path.lastIndexOf('/') + 1);
  let tag = m[2] ?? '';
  const digest = m[3] ?? '';
  if (digest === '' && tag === '') tag = 'latest';
  const base = registry ? `${registry}/${path}` : path;
  const info: ImageInfo = {
    registry,
    path,
    name,
    reference: digest ? `${base}@${digest}` : `${base}:${tag}`,
    referenceWithTag: `${base}:${tag}`,
  };
  if (tag) info.tag = tag;
  if (digest) info.digest = digest;
  return info;
}

const POD_PATHS: Record<string, string[]> = {
  Pod: ['spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

const CONTAINER_TYPES = ['initContainers', 'containers', 'ephemeralContainers'] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A key that changes whenever the `images` variable would: every container's type, name and image.
 * A patch that leaves the images alone keeps the key, so the variable need not be rebuilt.
 */
export function imagesKey(resource: unknown): string {
  if (!isRecord(resource) || typeof resource.kind !== 'string') return '';
  const specPath = POD_PATHS[resource.kind];
  if (!specPath) return '';
  let spec: unknown = resource;
  for (const key of specPath) spec = isRecord(spec) ? spec[key] : undefined;
  if (!isRecord(spec)) return '';
  let key = resource.kind;
  for (const type of CONTAINER_TYPES) {
    const containers = spec[type];
    if (!Array.isArray(containers)) continue;
    key += `\n${type}`;
    for (const c of containers) {
      key += isRecord(c) ? `\n${String(c.name)}\u0000${String(c.image)}` : '\n\u0001';
    }
  }
  return key;
}

function podSpecOf(resource: Record<string, unknown>): unknown {
  const specPath = POD_PATHS[resource.kind as string];
  if (!specPath) return undefined;
  let spec: unknown = resource;
  for (const key of specPath) spec = isRecord(spec) ? spec[key] : undefined;
  return isRecord(spec) ? spec : undefined;
}

/**
 * Whether two resources give the same `images` variable: `imagesKey(a) === imagesKey(b)`, without
 * building either key, and stopping at the first shared subtree (a patch shares what it left alone).
 */
export function sameImages(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const kindA = isRecord(a) && typeof a.kind === 'string' ? a.kind : undefined;
  const kindB = isRecord(b) && typeof b.kind === 'string' ? b.kind : undefined;
  if (kindA === undefined || kindB === undefined) return imagesKey(a) === imagesKey(b);
  if (kindA !== kindB) return imagesKey(a) === imagesKey(b);
  const specA = podSpecOf(a as Record<string, unknown>);
  const specB = podSpecOf(b as Record<string, unknown>);
  if (specA === specB) return true;
  if (!isRecord(specA) || !isRecord(specB)) return false;
  for (const type of CONTAINER_TYPES) {
    const listA = specA[type];
    const listB = specB[type];
    if (listA === listB) continue;
    if (!Array.isArray(listA) || !Array.isArray(listB) || listA.length !== listB.length) return false;
    for (let i = 0; i < listA.length; i++) {
      const x = listA[i];
      const y = listB[i];
      if (x === y) continue;
      if (isRecord(x) !== isRecord(y)) return false;
      if (
        isRecord(x) &&
        isRecord(y) &&
        (String(x.name) !== String(y.name) || String(x.image) !== String(y.image))
      ) {
        return false;
      }
    }
  }
  return true;
}

/**
 * Kyverno's `images` variable: `{containers|initContainers|ephemeralContainers: {<container name>:
 * {registry, path, name, tag, digest, reference, referenceWithTag, jsonPointer}}}` for Pods and Pod
 * controllers; an empty object for other kinds. Throws VariableError for an unparsable image.
 */
export function buildImagesVariable(resource: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isRecord(resource) || typeof resource.kind !== 'string') return out;
  const specPath = POD_PATHS[resource.kind];
  if (!specPath) return out;
  let spec: unknown = resource;
  for (const key of specPath) spec = isRecord(spec) ? spec[key] : undefined;
  if (!isRecord(spec)) return out;
  for (const type of CONTAINER_TYPES) {
    const containers = spec[type];
    if (!Array.isArray(containers)) continue;
    const infos: Record<string, unknown> = {};
    containers.forEach((container, index) => {
      if (!isRecord(container)) throw new VariableError('invalid image config');
      const pointer = `/${[...specPath, type, String(index)].join('/')}/image`;
      const image = container.image;
      if (typeof image !== 'string' || image.trim() === '') return;
      const key = container.name;
      if (typeof key !== 'string') throw new VariableError('invalid key');
      try {
        infos[key] = { ...parseImageReference(image), jsonPointer: pointer };
      } catch (error) {
        throw new VariableError(`invalid image '${image}' (${(error as Error).message})`);
      }
    });
    if (Object.keys(infos).length > 0) out[type] = infos;
  }
  return out;
}
