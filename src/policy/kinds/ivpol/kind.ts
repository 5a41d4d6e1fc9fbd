/** The engine's view of ImageValidatingPolicy / NamespacedImageValidatingPolicy (verifyImages phase, offline). */
import type { LoadedPolicy, PolicyKind } from '../../engine/kind.js';
import { ruleResponse } from '../../engine/response.js';
import { policyHeader } from '../../model/header.js';
import {
  admissionFor,
  type CelRunContext,
  celExceptionFor,
  prepareCelRun,
} from '../admission/kind-support.js';
import { evaluateIvpol, type ImageValidatingPolicy, isIvpolDocument, loadIvpol } from './policy.js';

export interface IvpolPolicy extends LoadedPolicy {
  ivpol: ImageValidatingPolicy;
}

export const ivpolPolicyKind: PolicyKind<IvpolPolicy, CelRunContext> = {
  id: 'ivpol',
  recognises: isIvpolDocument,
  load(doc) {
    const header = policyHeader(doc.content, doc.origin);
    const ivpol = loadIvpol(doc.content, doc.origin?.file);
    return { ...header, namespace: ivpol.namespace, ivpol };
  },
  prepare: (_policies, resourceSet, options) => prepareCelRun(resourceSet, options),
  phases: () => ['verifyImages'],
  evaluate(policy, request, phase, run) {
    if (phase !== 'verifyImages' || request.operation === 'DELETE') return;
    const shared = admissionFor(request, run);
    const outcome = evaluateIvpol(policy.ivpol, shared.withActivation);
    if (!outcome) return;
    const exempt =
      outcome.status === 'skip' ? undefined : celExceptionFor(policy, request, shared.activation);
    if (exempt) {
      request.addResponse(ruleResponse(policy, 'verification', request.document, request.ref, exempt));
      return;
    }
    request.addResponse(
      ruleResponse(policy, 'verification', request.document, request.ref, {
        status: outcome.status,
        message: outcome.message,
        ...(outcome.offline ? { properties: { offline: 'true' } } : {}),
      }),
    );
  },
};
