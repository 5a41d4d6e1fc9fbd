/** The engine's view of ValidatingAdmissionPolicy: documents, binding linkage, evaluation. */
import type { LinkResult, LoadedPolicy, PolicyKind } from '../../engine/kind.js';
import { policyHeader } from '../../model/header.js';
import { addOutcome, admissionFor, type CelRunContext, prepareCelRun } from '../admission/kind-support.js';
import {
  evaluateVap,
  isVapDocument,
  loadBinding,
  loadVap,
  type ValidatingAdmissionPolicy,
  type VapBinding,
} from './policy.js';

export interface VapPolicy extends LoadedPolicy {
  vap?: ValidatingAdmissionPolicy;
  binding?: VapBinding;
}

export const vapPolicyKind: PolicyKind<VapPolicy, CelRunContext> = {
  id: 'vap',
  recognises: isVapDocument,
  load(doc) {
    const header = policyHeader(doc.content, doc.origin);
    const file = doc.origin?.file;
    if (doc.content.kind === 'ValidatingAdmissionPolicyBinding')
      return { ...header, binding: loadBinding(doc.content) };
    return { ...header, vap: loadVap(doc.content, file) };
  },
  link(own): LinkResult<VapPolicy> {
    const policies = own.filter((p) => p.vap);
    for (const b of own) {
      if (!b.binding) continue;
      const target = policies.find((p) => p.vap?.name === b.binding?.policyName);
      if (!target?.vap) continue;
      if (!target.vap.bindings.includes(b.binding)) target.vap.bindings.push(b.binding);
      target.companions = [...(target.companions ?? []), { content: b.raw, origin: b.origin }];
    }
    return { policies };
  },
  referencedKinds(policies) {
    return policies.flatMap((p) => (p.vap?.paramKind ? [p.vap.paramKind.kind] : []));
  },
  prepare: (_policies, resourceSet, options) => prepareCelRun(resourceSet, options),
  phases: () => ['validate'],
  evaluate(policy, request, phase, run) {
    if (phase !== 'validate' || !policy.vap) return;
    const shared = admissionFor(request, run);
    const outcome = evaluateVap(policy.vap, shared.withActivation);
    if (outcome) addOutcome(policy, policy.vap.name, request, outcome);
  },
};
