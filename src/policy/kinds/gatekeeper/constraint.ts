/**
 * constraints.gatekeeper.sh Constraints (any kind a template defines): match, parameters and the
 * enforcement action. Rampart reviews objects offline the way an admission webhook would, so for
 * `scopedEnforcementActions` the actions of the `validation.gatekeeper.sh` enforcement point (or `*`) count,
 * the strictest winning (deny over warn over dryrun).
 */
import { isObject } from '../../../core/document.js';
import { UserError } from '../../../core/errors.js';

export const CONSTRAINT_GROUP = 'constraints.gatekeeper.sh';
export const WEBHOOK_ENFORCEMENT_POINT = 'validation.gatekeeper.sh';

export type EnforcementAction = 'deny' | 'dryrun' | 'warn';

export interface Constraint {
  name: string;
  kind: string;
  match?: Record<string, unknown>;
  parameters: unknown;
  /** The action at the webhook enforcement point; undefined when the constraint is not enforced there. */
  action?: EnforcementAction;
}

export function isConstraintDocument(content: Record<string, unknown>): boolean {
  return String(content.apiVersion ?? '').startsWith(`${CONSTRAINT_GROUP}/`);
}

const ACTIONS: readonly EnforcementAction[] = ['deny', 'warn', 'dryrun'];

function scopedAction(scoped: unknown, fail: (p: string) => never): EnforcementAction | undefined {
  if (!Array.isArray(scoped) || scoped.length === 0)
    return fail('spec.scopedEnforcementActions: required when enforcementAction is "scoped"');
  const found = new Set<EnforcementAction>();
  scoped.forEach((s, i) => {
    const entry = isObject(s) ? s : {};
    const action = String(entry.action ?? '').toLowerCase() as EnforcementAction;
    if (!ACTIONS.includes(action))
      fail(`spec.scopedEnforcementActions[${i}].action: must be one of deny, warn, dryrun`);
    const points = Array.isArray(entry.enforcementPoints) ? entry.enforcementPoints : [];
    const names = points.map((p) => String((isObject(p) ? p.name : p) ?? ''));
    if (names.includes('*') || names.includes(WEBHOOK_ENFORCEMENT_POINT)) found.add(action);
  });
  return ACTIONS.find((a) => found.has(a));
}

export function loadConstraint(content: Record<string, unknown>, file?: string): Constraint {
  const name = String(isObject(content.metadata) ? (content.metadata.name ?? '') : '');
  const kind = String(content.kind ?? '');
  const fail = (problem: string): never => {
    throw new UserError(`invalid ${kind} "${name}": ${problem}`, file ? { position: { file } } : {});
  };
  if (!name) fail('metadata.name is required');
  const spec = isObject(content.spec) ? content.spec : {};
  if (spec.match !== undefined && !isObject(spec.match)) fail('spec.match: must be an object');
  const written = String(spec.enforcementAction ?? 'deny').toLowerCase();
  let action: EnforcementAction | undefined;
  if (written === 'scoped') action = scopedAction(spec.scopedEnforcementActions, fail);
  else if (ACTIONS.includes(written as EnforcementAction)) action = written as EnforcementAction;
  else fail(`spec.enforcementAction: "${written}" is not one of deny, dryrun, warn, scoped`);
  return {
    name,
    kind,
    match: spec.match as Record<string, unknown> | undefined,
    parameters: spec.parameters,
    action,
  };
}
