import assert from 'node:assert/strict';
import type { Document } from '../../../../src/core/document.js';
import '../../../../src/policy/builtins.js';
import { evaluateResources } from '../../../../src/policy/engine/evaluate.js';
import { loadPolicyDocuments } from '../../../../src/policy/parse.js';

/** A policy or resource as a loaded document. */
const doc = (content: Record<string, unknown>, index = 0): Document => ({
  id: String(index),
  origin: { file: 'p.yaml', line: 1, column: 1, index },
  format: 'kubernetes',
  content,
});

/**
 * Runs mutating policies, in order, on one resource: the patched object's labels and annotations and
 * each response as [policy, status] (what the reinvocation tests of both mutating kinds compare).
 */
export function runMutations(resource: Record<string, unknown>, policies: Record<string, unknown>[]) {
  const loaded = loadPolicyDocuments(policies.map((p, i) => doc(p, i)));
  assert.deepEqual(loaded.invalid, []);
  const [response] = evaluateResources(loaded.policies, [doc(resource)]).resources;
  assert.ok(response);
  const meta = (response.patchedResource?.metadata ?? {}) as {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  return {
    labels: meta.labels ?? {},
    annotations: meta.annotations ?? {},
    results: response.ruleResponses.map((r) => [r.policy, r.status]),
  };
}
