/** The engine's view of DeletingPolicy / NamespacedDeletingPolicy: Kyverno CLI's matched / not matched verdicts. */
import type { LoadedPolicy, PolicyKind } from '../../engine/kind.js';
import { ruleResponse } from '../../engine/response.js';
import { policyHeader } from '../../model/header.js';
import { admissionFor, type CelRunContext, prepareCelRun } from '../admission/kind-support.js';
import { type DeletingPolicy, evaluateDpol, isDpolDocument, loadDpol } from './policy.js';

export interface DpolPolicy extends LoadedPolicy {
  dpol: DeletingPolicy;
}

export const dpolPolicyKind: PolicyKind<DpolPolicy, CelRunContext> = {
  id: 'dpol',
  recognises: isDpolDocument,
  load(doc) {
    const header = policyHeader(doc.content, doc.origin);
    const dpol = loadDpol(doc.content, doc.origin?.file);
    return { ...header, namespace: dpol.namespace, dpol };
  },
  prepare: (_policies, resourceSet, options) => prepareCelRun(resourceSet, options),
  phases: () => ['validate'],
  evaluate(policy, request, phase, run) {
    if (phase !== 'validate' || request.operation === 'DELETE') return;
    const shared = admissionFor(request, run);
    const outcome = evaluateDpol(policy.dpol, shared.withActivation);
    request.addResponse(ruleResponse(policy, 'deletion', request.document, request.ref, outcome));
  },
};
