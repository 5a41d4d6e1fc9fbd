/**
 * Compares an actual patched or generated object with the expected one the way Kyverno's CLI does
 * (cmd/cli/kubectl-kyverno/test: tidy both, normalise labels, then an empty JSON merge patch means
 * equal): `null`s and empty maps/lists are dropped recursively, `generate.kyverno.io/*` labels are
 * removed and `app.kubernetes.io/managed-by: kyverno` is set on both. A mismatch comes with a unified
 * diff of the two objects as YAML.
 */
import { isDeepStrictEqual } from 'node:util';
import { createTwoFilesPatch } from 'diff';
import YAML from 'yaml';
import { isObject } from '../../core/document.js';

function tidy(value: unknown): unknown {
  if (Array.isArray(value)) {
    const out = value.map(tidy).filter((v) => v !== undefined);
    return out.length ? out : undefined;
  }
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const t = tidy(v);
      if (t !== undefined) out[k] = t;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value === null ? undefined : value;
}

/** The object as Kyverno's CLI compares it. */
export function normalizeForComparison(object: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(object);
  const meta = isObject(copy.metadata) ? copy.metadata : (copy.metadata = {});
  const labels: Record<string, unknown> = isObject(meta.labels) ? meta.labels : {};
  for (const key of Object.keys(labels)) if (key.startsWith('generate.kyverno.io/')) delete labels[key];
  labels['app.kubernetes.io/managed-by'] = 'kyverno';
  meta.labels = labels;
  return (tidy(copy) ?? {}) as Record<string, unknown>;
}

/** `apiVersion,kind,namespace,name` of an object (namespace as given: defaulting is the loader's job). */
export function objectKey(object: Record<string, unknown>): string {
  const meta = isObject(object.metadata) ? object.metadata : {};
  return [object.apiVersion, object.kind, meta.namespace ?? '', meta.name ?? '']
    .map((p) => String(p ?? ''))
    .join(',');
}

export interface Comparison {
  equal: boolean;
  /** Unified diff (expected → actual) when they differ. */
  diff?: string;
}

/** Sorted keys give a stable YAML rendering, so the diff shows only real differences. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys(value[k])]),
  );
}

export function compareObjects(
  expected: Record<string, unknown>,
  actual: Record<string, unknown>,
  labels: { expected: string; actual: string } = { expected: 'expected', actual: 'actual' },
): Comparison {
  const e = normalizeForComparison(expected);
  const a = normalizeForComparison(actual);
  if (isDeepStrictEqual(sortKeys(e), sortKeys(a))) return { equal: true };
  const diff = createTwoFilesPatch(
    labels.expected,
    labels.actual,
    YAML.stringify(sortKeys(e)),
    YAML.stringify(sortKeys(a)),
    undefined,
    undefined,
    { context: 3 },
  );
  // Drop the "Index:"/"====" preamble; keep the ---/+++ headers and hunks.
  return { equal: false, diff: diff.replace(/^(Index:.*\n)?=+\n/, '') };
}
