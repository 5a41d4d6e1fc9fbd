/** The engine's view of GeneratingPolicy / NamespacedGeneratingPolicy: the generate phase. */
import type { LoadedPolicy, PolicyKind } from '../../engine/kind.js';
import { ruleResponse } from '../../engine/response.js';
import { policyHeader } from '../../model/header.js';
import {
  admissionFor,
  type CelRunContext,
  celExceptionFor,
  prepareCelRun,
} from '../admission/kind-support.js';
import { evaluateGpol, type GeneratingPolicy, isGpolDocument, loadGpol } from './policy.js';

export interface GpolPolicy extends LoadedPolicy {
  gpol: GeneratingPolicy;
}

export const gpolPolicyKind: PolicyKind<GpolPolicy, CelRunContext> = {
  id: 'gpol',
  recognises: isGpolDocument,
  load(doc) {
    const header = policyHeader(doc.content, doc.origin);
    const gpol = loadGpol(doc.content, doc.origin?.file);
    return { ...header, namespace: gpol.namespace, gpol };
  },
  prepare: (_policies, resourceSet, options) => prepareCelRun(resourceSet, options),
  phases: () => ['generate'],
  evaluate(policy, request, phase, run) {
    if (phase !== 'generate' || request.operation === 'DELETE') return;
    const shared = admissionFor(request, run);
    const outcome = evaluateGpol(policy.gpol, shared.withActivation);
    if (!outcome) return;
    const exempt =
      outcome.status === 'skip' ? undefined : celExceptionFor(policy, request, shared.activation);
    if (exempt) {
      request.addResponse(ruleResponse(policy, 'generation', request.document, request.ref, exempt));
      return;
    }
    request.addResponse(
      ruleResponse(policy, 'generation', request.document, request.ref, {
        status: outcome.status,
        message: outcome.message,
        ...(outcome.status === 'pass' ? { generated: outcome.generated } : {}),
      }),
    );
    if (outcome.status === 'pass') request.addGenerated(outcome.generated);
  },
};
