/** The engine's view of MutatingPolicy / NamespacedMutatingPolicy: the mutate phase, the patched object chained on. */
import type { LoadedPolicy, PolicyKind } from '../../engine/kind.js';
import { ruleResponse } from '../../engine/response.js';
import { policyHeader } from '../../model/header.js';
import {
  admissionFor,
  type CelRunContext,
  celExceptionFor,
  prepareCelRun,
} from '../admission/kind-support.js';
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
  prepare: (_policies, resourceSet, options) => prepareCelRun(resourceSet, options),
  phases: () => ['mutate'],
  evaluate(policy, request, phase, run) {
    if (phase !== 'mutate' || request.operation === 'DELETE') return;
    const shared = admissionFor(request, run);
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
  },
};
