/**
 * The engine's view of OPA Gatekeeper: ConstraintTemplates and Constraints load as documents, and `link`
 * makes each Constraint a policy with its template as companion. A result names the constraint as the
 * policy and the template as the rule; deny fails (Enforce), dryrun fails (Audit), warn warns.
 */

import { UserError } from '../../../core/errors.js';
import type { ResultStatus } from '../../../core/result.js';
import type { InvalidPolicy, LinkResult, LoadedPolicy, PolicyKind } from '../../engine/kind.js';
import type { ResourceRequest } from '../../engine/request.js';
import { ruleResponse } from '../../engine/response.js';
import { policyHeader } from '../../model/header.js';
import { admissionFor, type CelRunContext, prepareCelRun } from '../admission/kind-support.js';
import {
  type Constraint,
  type EnforcementAction,
  isConstraintDocument,
  loadConstraint,
} from './constraint.js';
import { constraintMatches } from './match.js';
import { type ConstraintTemplate, isTemplateDocument, loadTemplate } from './template.js';

export interface GatekeeperPolicy extends LoadedPolicy {
  template?: ConstraintTemplate;
  constraint?: Constraint;
}

function invalid(p: GatekeeperPolicy, message: string): InvalidPolicy {
  return {
    name: p.name,
    origin: p.origin,
    error: new UserError(message, p.origin ? { position: p.origin } : {}),
  };
}

const STATUS: Record<EnforcementAction, { status: ResultStatus; action: 'Audit' | 'Enforce' }> = {
  deny: { status: 'fail', action: 'Enforce' },
  dryrun: { status: 'fail', action: 'Audit' },
  warn: { status: 'warn', action: 'Audit' },
};

export const gatekeeperPolicyKind: PolicyKind<GatekeeperPolicy, CelRunContext> = {
  id: 'gatekeeper',
  recognises: (content) => isTemplateDocument(content) || isConstraintDocument(content),
  load(doc) {
    const header = policyHeader(doc.content, doc.origin);
    const file = doc.origin?.file;
    if (isTemplateDocument(doc.content)) return { ...header, template: loadTemplate(doc.content, file) };
    return { ...header, constraint: loadConstraint(doc.content, file) };
  },
  link(own): LinkResult<GatekeeperPolicy> {
    const templates = new Map<string, GatekeeperPolicy>();
    for (const p of own) if (p.template && !templates.has(p.template.kind)) templates.set(p.template.kind, p);
    const policies: GatekeeperPolicy[] = [];
    const bad: InvalidPolicy[] = [];
    for (const p of own) {
      if (!p.constraint) continue;
      const t = templates.get(p.constraint.kind);
      if (!t?.template) {
        bad.push(
          invalid(
            p,
            `${p.constraint.kind} "${p.name}": no ConstraintTemplate defines kind ${p.constraint.kind}`,
          ),
        );
        continue;
      }
      const problems = t.template.checkParameters(p.constraint.parameters);
      if (problems.length > 0) {
        bad.push(
          invalid(
            p,
            `invalid ${p.constraint.kind} "${p.name}": ${problems.join('; ')} (schema of ConstraintTemplate "${t.template.name}")`,
          ),
        );
        continue;
      }
      const code = t.template.code;
      policies.push({
        ...p,
        template: t.template,
        companions: [{ content: t.raw, origin: t.origin }],
        ...('unavailable' in code ? { unsupported: code.unavailable } : {}),
      });
    }
    return { policies, invalid: bad };
  },
  prepare: (_policies, resourceSet, options) => prepareCelRun(resourceSet, options),
  matches(policy, request: ResourceRequest, run) {
    const match = policy.constraint?.match;
    const namespaceLabels =
      match?.namespaceSelector !== undefined ? admissionFor(request, run).input.namespaceLabels : undefined;
    return constraintMatches(match, {
      object: request.matchContext.resource as Record<string, unknown>,
      namespaceLabels,
    });
  },
  phases: () => ['validate'],
  evaluate(policy, request, phase, run) {
    const { template, constraint } = policy;
    if (phase !== 'validate' || !template || !constraint || 'unavailable' in template.code) return;
    const shared = admissionFor(request, run);
    const violations = template.code.review({
      activation: shared.activation,
      constraint: policy.raw,
      parameters: constraint.parameters,
      anyObject: request.matchContext.resource,
    });
    const enforcement = constraint.action ?? 'dryrun';
    const properties = {
      'gatekeeper.enforcementAction': enforcement,
      'gatekeeper.engine': template.code.engine,
    };
    const respond = (status: ResultStatus, message: string, action?: 'Audit' | 'Enforce') =>
      request.addResponse(
        ruleResponse(
          policy,
          template.name,
          request.document,
          request.ref,
          { status, message, properties },
          status,
          action,
        ),
      );
    if (violations.length === 0) return respond('pass', '');
    for (const v of violations) {
      if (v.error) respond('error', v.message);
      else respond(STATUS[enforcement].status, v.message, STATUS[enforcement].action);
    }
  },
};
