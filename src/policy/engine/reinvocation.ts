/**
 * Reinvocation of mutating policies, as the API server does it for MutatingAdmissionPolicies
 * (k8s.io/apiserver admission/plugin/policy/mutating: dispatcher.go, reinvocationcontext.go) and for
 * webhooks: policies run in order; a policy that ran its mutations with `reinvocationPolicy: IfNeeded` is
 * remembered, and when a later policy changes the object every policy remembered so far is due again. After
 * the pass, the due policies run once more, in their order, on the current object (each matched again):
 * one extra round at most, however much that round changes.
 *
 * Kinds take part through `ResourceRequest.markReinvocable` (an `IfNeeded` policy that ran its mutations);
 * a policy of any kind that changes the object (a ClusterPolicy's mutate rule too) makes earlier ones due.
 * The responses: a reinvocation that changed the object, or failed, replaces the policy's first responses
 * (their patched object is out of date); one that changed nothing is dropped, so an idempotent policy keeps
 * its first verdict (a MutatingPolicy's `skip` for "nothing to change" would otherwise hide its pass).
 */
import { isDeepStrictEqual } from 'node:util';
import type { LoadedPolicy } from '../model/types.js';
import type { ResourceRequest } from './request.js';
import type { RuleResponse } from './response.js';

export function mutateWithReinvocation<S extends { policy: LoadedPolicy }>(
  scheduled: readonly S[],
  request: ResourceRequest,
  step: (s: S) => void,
): void {
  // Invoked IfNeeded policies no later change has made due yet, and those that are due.
  let remembered: S[] = [];
  const due = new Set<S>();
  const first = new Map<S, readonly RuleResponse[]>();
  for (const s of scheduled) {
    const before = request.resource;
    const mark = request.responseCount();
    step(s);
    // Only a remembered policy cares whether the object changed: without one, no comparison is paid for.
    if (remembered.length > 0 && changed(before, request.resource)) {
      for (const r of remembered) due.add(r);
      remembered = [];
    }
    // After the change check, as the API server does: a policy's own change never makes itself due.
    if (request.takeReinvocable(s.policy)) {
      remembered.push(s);
      first.set(s, request.responsesSince(mark));
    }
  }
  if (due.size === 0) return;
  for (const s of scheduled) {
    if (!due.has(s)) continue;
    const before = request.resource;
    const mark = request.responseCount();
    step(s);
    request.takeReinvocable(s.policy);
    const added = request.responsesSince(mark);
    if (added.length === 0) continue;
    if (changed(before, request.resource) || added.some((r) => r.status === 'error'))
      request.removeResponses(first.get(s) ?? []);
    else request.removeResponses(added);
  }
}

/** Whether a policy changed the object: a patch may hand back an equal copy (an ApplyConfiguration that set what was there). */
function changed(before: unknown, after: unknown): boolean {
  return before !== after && !isDeepStrictEqual(before, after);
}
