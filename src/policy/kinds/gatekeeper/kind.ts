/**
 * The engine's view of OPA Gatekeeper: ConstraintTemplates, Constraints and ExpansionTemplates load as
 * documents, and `link` makes each Constraint a policy with its template as companion (and the
 * ExpansionTemplates beside it). A result names the constraint as the policy and the template as the
 * rule; deny fails (Enforce), dryrun fails (Audit), warn warns.
 */

import { UserError } from '../../../core/errors.js';
import type { ResultStatus } from '../../../core/result.js';
import type { InvalidPolicy, LinkResult, LoadedPolicy, PolicyKind } from '../../engine/kind.js';
import type { ResourceRequest } from '../../engine/request.js';
import { ruleResponse } from '../../engine/response.js';
import { policyHeader } from '../../model/header.js';
import { admissionActivation } from '../admission/activation.js';
import { admissionFor, type CelRunContext, prepareCelRun } from '../admission/kind-support.js';
import {
  type Constraint,
  type EnforcementAction,
  isConstraintDocument,
  loadConstraint,
} from './constraint.js';
import type { Violation } from './engines/index.js';
import {
  type ExpansionTemplate,
  expand,
  impliedMessage,
  isExpansionDocument,
  loadExpansion,
  type Resultant,
} from './expansion.js';
import { buildInventory, type Inventory } from './inventory.js';
import { constraintMatches } from './match.js';
import { type ConstraintTemplate, isTemplateDocument, loadTemplate } from './template.js';

export interface GatekeeperPolicy extends LoadedPolicy {
  template?: ConstraintTemplate;
  constraint?: Constraint;
  expansion?: ExpansionTemplate;
  /** The ExpansionTemplates loaded beside the constraint. */
  expansions?: readonly ExpansionTemplate[];
}

interface GatekeeperRun extends CelRunContext {
  /** data.inventory, built on first use. */
  inventory?: Inventory;
  /** Resultants per resource (and patch revision), shared by every constraint. */
  resultants: WeakMap<ResourceRequest, { revision: number; list: Resultant[] }>;
  /** The admission activation of each resultant, built once and shared by every constraint. */
  activations: WeakMap<Record<string, unknown>, Record<string, unknown>>;
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

function resultantsOf(policy: GatekeeperPolicy, request: ResourceRequest, run: GatekeeperRun): Resultant[] {
  if (!policy.expansions?.length) return [];
  const hit = run.resultants.get(request);
  if (hit && hit.revision === request.revision) return hit.list;
  const list = expand(request.resource as Record<string, unknown>, policy.expansions);
  run.resultants.set(request, { revision: request.revision, list });
  return list;
}

function matchesObject(
  policy: GatekeeperPolicy,
  object: Record<string, unknown>,
  request: ResourceRequest,
  run: GatekeeperRun,
): boolean {
  const match = policy.constraint?.match;
  const namespaceLabels =
    match?.namespaceSelector !== undefined ? admissionFor(request, run).input.namespaceLabels : undefined;
  return constraintMatches(match, { object, namespaceLabels });
}

export const gatekeeperPolicyKind: PolicyKind<GatekeeperPolicy, GatekeeperRun> = {
  id: 'gatekeeper',
  recognises: (content) =>
    isTemplateDocument(content) || isConstraintDocument(content) || isExpansionDocument(content),
  load(doc) {
    const header = policyHeader(doc.content, doc.origin);
    const file = doc.origin?.file;
    if (isTemplateDocument(doc.content)) return { ...header, template: loadTemplate(doc.content, file) };
    if (isExpansionDocument(doc.content)) return { ...header, expansion: loadExpansion(doc.content, file) };
    return { ...header, constraint: loadConstraint(doc.content, file) };
  },
  link(own): LinkResult<GatekeeperPolicy> {
    const templates = new Map<string, GatekeeperPolicy>();
    for (const p of own) if (p.template && !templates.has(p.template.kind)) templates.set(p.template.kind, p);
    const expansions = own.flatMap((p) => (p.expansion ? [p.expansion] : []));
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
        expansions,
        companions: [{ content: t.raw, origin: t.origin }],
        ...('unavailable' in code ? { unsupported: code.unavailable } : {}),
      });
    }
    return { policies, invalid: bad };
  },
  prepare: (_policies, resourceSet, options) => ({
    ...prepareCelRun(resourceSet, options),
    resultants: new WeakMap(),
    activations: new WeakMap(),
  }),
  matches(policy, request: ResourceRequest, run) {
    const object = request.matchContext.resource as Record<string, unknown>;
    if (matchesObject(policy, object, request, run)) return true;
    return resultantsOf(policy, request, run).some(
      (r) =>
        r.error !== undefined || (r.object !== undefined && matchesObject(policy, r.object, request, run)),
    );
  },
  phases: () => ['validate'],
  evaluate(policy, request, phase, run) {
    const { template, constraint } = policy;
    if (phase !== 'validate' || !template || !constraint || 'unavailable' in template.code) return;
    const code = template.code;
    const shared = admissionFor(request, run);
    run.inventory ??= buildInventory(run.resources);
    const review = (activation: Record<string, unknown>, anyObject: unknown): Violation[] =>
      code.review({
        activation,
        constraint: policy.raw,
        parameters: constraint.parameters,
        anyObject,
        inventory: run.inventory as Inventory,
      });
    const own = constraint.action ?? 'dryrun';
    const found: { violation: Violation; action: EnforcementAction }[] = [];
    const object = request.matchContext.resource as Record<string, unknown>;
    if (matchesObject(policy, object, request, run))
      for (const v of review(shared.activation, request.matchContext.resource))
        found.push({ violation: v, action: own });
    for (const r of resultantsOf(policy, request, run)) {
      const action = r.template.action ?? own;
      if (r.error !== undefined) {
        found.push({ violation: { message: impliedMessage(r.template, r.error), error: true }, action });
        continue;
      }
      if (!r.object || !matchesObject(policy, r.object, request, run)) continue;
      let activation = run.activations.get(r.object);
      if (!activation) {
        activation = admissionActivation(
          { ...shared.input, object: r.object, oldObject: null },
          run.serviceVars,
        );
        run.activations.set(r.object, activation);
      }
      for (const v of review(activation, r.object))
        found.push({ violation: { ...v, message: impliedMessage(r.template, v.message) }, action });
    }
    const respond = (status: ResultStatus, message: string, enforcement: EnforcementAction) =>
      request.addResponse(
        ruleResponse(
          policy,
          template.name,
          request.document,
          request.ref,
          {
            status,
            message,
            properties: { 'gatekeeper.enforcementAction': enforcement, 'gatekeeper.engine': code.engine },
          },
          status,
          status === 'fail' || status === 'warn' ? STATUS[enforcement].action : undefined,
        ),
      );
    if (found.length === 0) return respond('pass', '', own);
    for (const { violation, action } of found) {
      if (violation.error) respond('error', violation.message, action);
      else respond(STATUS[action].status, violation.message, action);
    }
  },
};
