/**
 * The engine's view of MutatingPolicy / NamespacedMutatingPolicy: the mutate phase, the patched object chained on.
 * A mutate-existing policy leaves the trigger as it is and answers with the existing resources it patched
 * (`patchedTargets`), as a ClusterPolicy's `mutate.targets` rule does.
 */
import type { LoadedPolicy, PolicyKind } from '../../engine/kind.js';
import { ruleResponse } from '../../engine/response.js';
import { policyHeader } from '../../model/header.js';
import {
  admissionFor,
  type CelRunContext,
  celExceptionFor,
  namespaceLabels,
  prepareCelRun,
} from '../admission/kind-support.js';
import { evaluateMpolExisting } from './existing.js';
import { evaluateMpol, isMpolDocument, loadMpol, type MutatingPolicy } from './policy.js';

export interface MpolPolicy extends LoadedPolicy {
  mpol: MutatingPolicy;
}

export const mpolPolicyKind: PolicyKind<MpolPolicy, CelRunContext> = {
  id: 'mpol',
  recognises: isMpolDocument,
  load(doc) {
    const header = policyHeader(doc.content, doc.origin);
    const mpol = loadMpol(doc.content, doc.origin?.file);
    return { ...header, namespace: mpol.namespace, mpol };
  },
  // Mutate-existing targets are looked up among every given object, as a ClusterPolicy's mutate.targets.
  referencedKinds: (policies) => (policies.some((p) => p.mpol.mutateExisting) ? ['*'] : []),
  prepare: (_policies, resourceSet, options) => prepareCelRun(resourceSet, options),
  phases: () => ['mutate'],
  evaluate(policy, request, phase, run) {
    if (phase !== 'mutate' || request.operation === 'DELETE') return;
    const shared = admissionFor(request, run);
    if (policy.mpol.mutateExisting) {
      const existing = evaluateMpolExisting(policy.mpol, {
        ...shared.withActivation,
        // The same candidates as a ClusterPolicy's mutate.targets: the run's resource set.
        candidates: (request.options.resourceSet ?? [])
          .map((d) => d.content)
          .filter(
            (c): c is Record<string, unknown> => c !== null && typeof c === 'object' && !Array.isArray(c),
          ),
        labelsOfNamespace: (ns) => namespaceLabels(ns, request, run),
        exempt: (activation) => celExceptionFor(policy, request, activation),
      });
      if (existing)
        request.addResponse(ruleResponse(policy, 'mutation', request.document, request.ref, existing));
      return;
    }
    const outcome = evaluateMpol(policy.mpol, shared.withActivation);
    if (!outcome) return;
    const exempt =
      outcome.status === 'skip' ? undefined : celExceptionFor(policy, request, shared.activation);
    if (exempt) {
      request.addResponse(ruleResponse(policy, 'mutation', request.document, request.ref, exempt));
      return;
    }
    request.addResponse(
      ruleResponse(policy, 'mutation', request.document, request.ref, {
        status: outcome.status,
        message: outcome.message,
        ...(outcome.status === 'pass' ? { patchedResource: outcome.patched } : {}),
      }),
    );
    if (outcome.status === 'pass') request.patch(outcome.patched);
    // Its mutations ran (a `skip` that changed nothing included): an IfNeeded policy may be due again.
    const ran = outcome.status === 'pass' || (outcome.status === 'skip' && outcome.unchanged === true);
    if (ran && policy.mpol.reinvocationPolicy === 'IfNeeded') request.markReinvocable(policy);
  },
};
