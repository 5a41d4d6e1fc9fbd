/** The engine's view of MutatingAdmissionPolicy: documents, binding linkage, the mutate phase. */
import type { LinkResult, LoadedPolicy, PolicyKind } from '../../engine/kind.js';
import { ruleResponse } from '../../engine/response.js';
import { policyHeader } from '../../model/header.js';
import { admissionFor, type CelRunContext, prepareCelRun } from '../admission/kind-support.js';
import type { VapBinding } from '../vap/policy.js';
import { evaluateMap, isMapDocument, loadBinding, loadMap, type MutatingAdmissionPolicy } from './policy.js';

export interface MapPolicy extends LoadedPolicy {
  map?: MutatingAdmissionPolicy;
  binding?: VapBinding;
}

export const mapPolicyKind: PolicyKind<MapPolicy, CelRunContext> = {
  id: 'mutating-admission-policy',
  recognises: isMapDocument,
  load(doc) {
    const header = policyHeader(doc.content, doc.origin);
    if (doc.content.kind === 'MutatingAdmissionPolicyBinding')
      return { ...header, binding: loadBinding(doc.content) };
    return { ...header, map: loadMap(doc.content, doc.origin?.file) };
  },
  link(own): LinkResult<MapPolicy> {
    const policies = own.filter((p) => p.map);
    for (const b of own) {
      if (!b.binding) continue;
      const target = policies.find((p) => p.map?.name === b.binding?.policyName);
      if (!target?.map) continue;
      target.map.bindings.push(b.binding);
      target.companions = [...(target.companions ?? []), { content: b.raw, origin: b.origin }];
    }
    return { policies };
  },
  referencedKinds: (policies) => policies.flatMap((p) => (p.map?.paramKind ? [p.map.paramKind.kind] : [])),
  prepare: (_policies, resourceSet, options) => prepareCelRun(resourceSet, options),
  phases: () => ['mutate'],
  evaluate(policy, request, phase, run) {
    if (phase !== 'mutate' || !policy.map || request.operation === 'DELETE') return;
    const { input } = admissionFor(request, run);
    const outcome = evaluateMap(policy.map, { ...input, object: request.resource });
    if (!outcome) return;
    request.addResponse(
      ruleResponse(policy, policy.map.name, request.document, request.ref, {
        status: outcome.status,
        message: outcome.message,
        ...(outcome.status === 'pass' ? { patchedResource: outcome.patched } : {}),
      }),
    );
    if (outcome.status !== 'pass') return;
    request.patch(outcome.patched);
    if (policy.map.reinvocationPolicy === 'IfNeeded') request.markReinvocable(policy);
  },
};
