import type { SourcePosition } from './document.js';
import type { Severity } from './severity.js';

/** Statuses follow Kyverno's meaning, so PolicyReports come for free. */
export type ResultStatus = 'pass' | 'fail' | 'warn' | 'error' | 'skip';

export interface ResourceRef {
  kind: string;
  namespace: string;
  name: string;
  apiVersion: string;
}

/** One RFC 6902 JSON Patch operation (`path` is a JSON Pointer). */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

export interface Result {
  policy: string;
  rule: string;
  resource: ResourceRef;
  status: ResultStatus;
  message: string;
  severity: Severity;
  category: string;
  origin: SourcePosition | null;
  /** Optional extras: how to fix, a docs link, a title, properties for SARIF. */
  fix?: string;
  docs?: string;
  title?: string;
  /** Enforce or Audit for policy-engine results; absent for non-policy checks. */
  action?: 'Audit' | 'Enforce';
  properties?: Record<string, unknown>;
  /** Policy engine only: the JSON Patch a mutating rule applied to the resource. */
  patch?: JsonPatchOperation[];
  /** Policy engine only: the objects a generating rule produced. */
  generated?: Record<string, unknown>[];
  /** Existing resources a mutate-existing rule patched (mutate.targets), as they are after the patch. */
  patchedTargets?: Record<string, unknown>[];
}

export function countByStatus(results: Iterable<Result>): Record<ResultStatus, number> {
  const counts: Record<ResultStatus, number> = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}
