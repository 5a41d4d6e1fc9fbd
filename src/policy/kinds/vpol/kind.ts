/** The engine's view of ValidatingPolicy / NamespacedValidatingPolicy. */
import type { LoadedPolicy, PolicyKind } from '../../engine/kind.js';
import { ruleResponse } from '../../engine/response.js';
import { policyHeader } from '../../model/header.js';
import {
  addOutcome,
  admissionFor,
  type CelRunContext,
  celExceptionFor,
  prepareCelRun,
} from '../admission/kind-support.js';
import { evaluateVpol, isVpolDocument, loadVpol, type ValidatingPolicy } from './policy.js';

export interface VpolPolicy extends LoadedPolicy {
  vpol: ValidatingPolicy;
}

export const vpolPolicyKind: PolicyKind<VpolPolicy, CelRunContext> = {
  id: 'vpol',
  recognises: isVpolDocument,
  load(doc) {
    const header = policyHeader(doc.content, doc.origin);
    const vpol = loadVpol(doc.content, doc.origin?.file);
    return { ...header, namespace: vpol.namespace, vpol };
  },
  prepare: (_policies, resourceSet, options) => prepareCelRun(resourceSet, options),
  phases: () => ['validate'],
  evaluate(policy, request, phase, run) {
    if (phase !== 'validate' || policy.vpol.mode === 'JSON') return;
    const shared = admissionFor(request, run);
    const outcome = evaluateVpol(policy.vpol, shared.withActivation);
    if (!outcome) return;
    const exempt =
      outcome.status === 'skip' ? undefined : celExceptionFor(policy, request, shared.activation);
    if (exempt)
      request.addResponse(ruleResponse(policy, 'validation', request.document, request.ref, exempt));
    else addOutcome(policy, outcome.status === 'skip' ? '' : 'validation', request, outcome);
  },
};
