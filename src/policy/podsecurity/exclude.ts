import { matchesAnyWildcard } from '../pattern/wildcard.js';
import { CONTROL_CHECK_IDS } from './controls.js';
import { list, obj, str } from './helpers.js';
import type { PodView } from './pod.js';
import { type Evaluated, evaluateChecks, type Level, type PolicyVersion } from './registry.js';
import type { BadValue, FieldError, Obj } from './types.js';

export interface Exclusion {
  controlName: string;
  images: string[];
  restrictedField: string;
  values: string[];
}

const CONTAINER_TYPES = new Set(['containers', 'initContainers', 'ephemeralContainers']);

interface ParsedField {
  /** The path with every run of digits replaced by `*`, as exclusions spell restricted fields. */
  field: string;
  containerType?: string;
  containerIndex?: number;
}

/** Kyverno's parseField: the second word of the path tells whether the field belongs to a container. */
function parseField(field: string, containerLevel: boolean): ParsedField {
  const generic = field.replace(/\d+/g, '*');
  if (!containerLevel) return { field: generic };
  const words = field.match(/[a-zA-Z]+/g) ?? [];
  const type = words[1] ?? '';
  if (!CONTAINER_TYPES.has(type)) return { field: generic };
  const index = Number((field.match(/\d+/) ?? ['0'])[0]);
  return { field: generic, containerType: type, containerIndex: index };
}

function containerName(spec: Obj, parsed: ParsedField): string {
  if (parsed.containerType === undefined) return '';
  return str(obj(list(spec[parsed.containerType])[parsed.containerIndex ?? 0])?.name);
}

/** Kyverno's extractBadValues: the values an exclusion's `values` must all match. */
function badValues(value: BadValue): string[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return value === '' ? [] : [value];
  return [String(value)];
}

/**
 * Kyverno's ApplyPodSecurityExclusion. Each exclusion re-runs the checks on a reduced pod — the pod with one
 * bare container when no images are given, or only the containers whose image matches — and every field
 * error that reduced pod still produces for the excluded control cancels one matching field error of the
 * full evaluation (same generic path, and the same container name for container fields), provided the
 * error's values all match `values`. A check whose errors are all cancelled passes. Results are keyed by
 * check ID afterwards, so repeated results of one check collapse into one, as in Kyverno.
 */
export function applyExclusions(
  level: Level,
  version: PolicyVersion,
  exclusions: readonly Exclusion[],
  failed: readonly Evaluated[],
  pod: PodView,
): Evaluated[] {
  let current = failed.map((e) => ({ id: e.id, result: { ...e.result, errors: [...e.result.errors] } }));
  for (const exclusion of exclusions) {
    let reduced: Obj;
    let meta: Obj;
    const containerLevel = exclusion.images.length > 0;
    if (!containerLevel) {
      reduced = { ...pod.spec, containers: [{ name: 'fake' }] };
      delete reduced.initContainers;
      delete reduced.ephemeralContainers;
      meta = pod.meta;
    } else {
      reduced = {};
      for (const type of CONTAINER_TYPES) {
        const kept = list(pod.spec[type]).filter((c) =>
          matchesAnyWildcard(exclusion.images, str(obj(c)?.image)),
        );
        if (kept.length > 0) reduced[type] = kept;
      }
      meta = { name: pod.meta.name, namespace: pod.meta.namespace };
    }
    // Only the excluded control's checks can cancel anything, so the others need not run again.
    const ids = CONTROL_CHECK_IDS[exclusion.controlName] ?? [];
    const excludedResults = evaluateChecks(level, version, meta, reduced, ids).filter(
      (e) => !e.result.allowed,
    );
    current = exempt(current, excludedResults, exclusion, pod.spec, reduced, containerLevel);
  }
  return current;
}

function exempt(
  current: Evaluated[],
  excludedResults: Evaluated[],
  exclusion: Exclusion,
  podSpec: Obj,
  reducedSpec: Obj,
  containerLevel: boolean,
): Evaluated[] {
  const byId = new Map<string, Evaluated>();
  for (const e of current) byId.set(e.id, e);
  const ids = CONTROL_CHECK_IDS[exclusion.controlName] ?? [];
  for (const excluded of excludedResults) {
    if (!ids.includes(excluded.id)) continue;
    for (const excludedError of excluded.result.errors) {
      const parsed = parseField(excludedError.field, containerLevel);
      const excludedContainer = containerName(reducedSpec, parsed);
      if (exclusion.restrictedField !== '' && parsed.field !== exclusion.restrictedField) continue;
      if (exclusion.values.length > 0) {
        if (!badValues(excludedError.badValue).every((v) => matchesAnyWildcard(exclusion.values, v)))
          continue;
      }
      const target = byId.get(excluded.id);
      if (!target) continue;
      const errors = target.result.errors;
      const idx = errors.findIndex((candidate: FieldError) => {
        const p = parseField(candidate.field, containerLevel);
        if (p.field !== parsed.field) return false;
        return p.containerType === undefined || containerName(podSpec, p) === excludedContainer;
      });
      if (idx >= 0) {
        // Go's remove(): the last error takes the removed one's place.
        errors[idx] = errors[errors.length - 1]!;
        errors.pop();
      }
      if (errors.length === 0) byId.delete(excluded.id);
    }
  }
  return [...byId.values()];
}
