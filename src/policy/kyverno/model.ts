import type { SourcePosition } from '../../core/document.js';
import { isObject } from '../../core/document.js';
import { UserError } from '../../core/errors.js';
import { computeAutogenRules } from '../autogen/index.js';
import { checkRuleExpressions } from '../model/expressions.js';
import { isPolicyOfKind, PolicyValidationError, policyHeader } from '../model/header.js';
import {
  type FailureAction,
  type Policy,
  RULE_BODY_FIELDS,
  type Rule,
  VALIDATE_BODIES,
} from '../model/types.js';
import { validatePodSecuritySpec } from '../podsecurity/index.js';

export const KYVERNO_KINDS = new Set(['ClusterPolicy', 'Policy']);
const KYVERNO_VERSIONS = new Set(['kyverno.io/v1', 'kyverno.io/v2beta1', 'kyverno.io/v2']);

const SPEC_FIELDS = new Set([
  'rules',
  'validationFailureAction',
  'validationFailureActionOverrides',
  'background',
  'admission',
  'failurePolicy',
  'webhookTimeoutSeconds',
  'mutateExistingOnPolicyUpdate',
  'generateExisting',
  'generateExistingOnPolicyUpdate',
  'useServerSideApply',
  'schemaValidation',
  'applyRules',
  'emitWarning',
  'webhookConfiguration',
  'evaluation',
]);
const RULE_FIELDS = new Set([
  'name',
  'match',
  'exclude',
  'context',
  'preconditions',
  'celPreconditions',
  'validate',
  'mutate',
  'generate',
  'verifyImages',
  'skipBackgroundRequests',
  'reportProperties',
  'imageExtractors',
]);
const VALIDATE_FIELDS = new Set([
  'message',
  'failureAction',
  'failureActionOverrides',
  'allowExistingViolations',
  ...VALIDATE_BODIES,
]);
const FOREACH_FIELDS = new Set([
  'list',
  'elementScope',
  'context',
  'preconditions',
  'pattern',
  'anyPattern',
  'deny',
  'foreach',
]);
const MATCH_FIELDS = new Set(['any', 'all', 'resources', 'subjects', 'roles', 'clusterRoles']);
const FILTER_FIELDS = new Set(['resources', 'subjects', 'roles', 'clusterRoles']);
const RESOURCE_FIELDS = new Set([
  'kinds',
  'name',
  'names',
  'namespaces',
  'annotations',
  'selector',
  'namespaceSelector',
  'operations',
]);
const CONTEXT_FIELDS = new Set([
  'name',
  'variable',
  'configMap',
  'apiCall',
  'imageRegistry',
  'globalReference',
]);

/** A kyverno.io ClusterPolicy or Policy document (whatever its validity). */
export function isKyvernoPolicyDocument(content: unknown): boolean {
  return isPolicyOfKind(content, KYVERNO_KINDS);
}

export function parseFailureAction(
  value: unknown,
  field: string,
  problems: string[],
): FailureAction | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    const v = value.toLowerCase();
    if (v === 'audit') return 'Audit';
    if (v === 'enforce') return 'Enforce';
  }
  problems.push(`${field}: must be Audit or Enforce, got ${JSON.stringify(value)}`);
  return undefined;
}

function unknownFields(
  obj: Record<string, unknown>,
  allowed: Set<string>,
  path: string,
  problems: string[],
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.has(key)) problems.push(`${path}.${key}: unknown field`);
  }
}

function checkMatch(value: unknown, path: string, problems: string[]): void {
  if (value === undefined) return;
  if (!isObject(value)) {
    problems.push(`${path}: must be an object`);
    return;
  }
  unknownFields(value, MATCH_FIELDS, path, problems);
  for (const block of ['any', 'all'] as const) {
    const list = value[block];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      problems.push(`${path}.${block}: must be a list`);
      continue;
    }
    list.forEach((f, i) => {
      if (!isObject(f)) problems.push(`${path}.${block}[${i}]: must be an object`);
      else {
        unknownFields(f, FILTER_FIELDS, `${path}.${block}[${i}]`, problems);
        checkResources(f.resources, `${path}.${block}[${i}].resources`, problems);
      }
    });
  }
  checkResources(value.resources, `${path}.resources`, problems);
  if (value.resources !== undefined && (value.any !== undefined || value.all !== undefined)) {
    problems.push(`${path}: can't specify any/all together with resources`);
  }
}

function checkResources(value: unknown, path: string, problems: string[]): void {
  if (value === undefined) return;
  if (!isObject(value)) {
    problems.push(`${path}: must be an object`);
    return;
  }
  unknownFields(value, RESOURCE_FIELDS, path, problems);
  if (
    value.kinds !== undefined &&
    !(Array.isArray(value.kinds) && value.kinds.every((k) => typeof k === 'string'))
  ) {
    problems.push(`${path}.kinds: must be a list of strings`);
  }
}

function checkValidate(v: Record<string, unknown>, path: string, problems: string[]): void {
  unknownFields(v, VALIDATE_FIELDS, path, problems);
  parseFailureAction(v.failureAction, `${path}.failureAction`, problems);
  const kinds = VALIDATE_BODIES.filter((k) => v[k] !== undefined);
  if (kinds.length === 0)
    problems.push(`${path}: one of pattern, anyPattern, deny, foreach, podSecurity, cel is required`);
  if (kinds.length > 1) problems.push(`${path}: only one of ${kinds.join(', ')} may be set`);
  if (v.anyPattern !== undefined && !Array.isArray(v.anyPattern))
    problems.push(`${path}.anyPattern: must be a list`);
  if (v.deny !== undefined && !isObject(v.deny)) problems.push(`${path}.deny: must be an object`);
  if (v.foreach !== undefined) checkForeach(v.foreach, `${path}.foreach`, problems);
  if (v.message !== undefined && typeof v.message !== 'string')
    problems.push(`${path}.message: must be a string`);
  if (v.podSecurity !== undefined) {
    const ps = v.podSecurity;
    if (!isObject(ps)) problems.push(`${path}.podSecurity: must be an object`);
    else for (const problem of validatePodSecuritySpec(ps)) problems.push(`${path}.podSecurity: ${problem}`);
  }
}

function checkForeach(value: unknown, path: string, problems: string[]): void {
  if (!Array.isArray(value)) {
    problems.push(`${path}: must be a list`);
    return;
  }
  value.forEach((f, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(f)) {
      problems.push(`${p}: must be an object`);
      return;
    }
    unknownFields(f, FOREACH_FIELDS, p, problems);
    if (typeof f.list !== 'string') problems.push(`${p}.list: required string`);
    if (f.foreach !== undefined) checkForeach(f.foreach, `${p}.foreach`, problems);
    checkContext(f.context, `${p}.context`, problems);
  });
}

function checkContext(value: unknown, path: string, problems: string[]): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    problems.push(`${path}: must be a list`);
    return;
  }
  value.forEach((e, i) => {
    if (!isObject(e)) problems.push(`${path}[${i}]: must be an object`);
    else {
      unknownFields(e, CONTEXT_FIELDS, `${path}[${i}]`, problems);
      if (typeof e.name !== 'string' || !e.name) problems.push(`${path}[${i}].name: required`);
    }
  });
}

function checkRule(rule: unknown, i: number, problems: string[], names: Set<string>): void {
  const path = `spec.rules[${i}]`;
  if (!isObject(rule)) {
    problems.push(`${path}: must be an object`);
    return;
  }
  unknownFields(rule, RULE_FIELDS, path, problems);
  if (typeof rule.name !== 'string' || rule.name === '') problems.push(`${path}.name: required`);
  else {
    if (names.has(rule.name)) problems.push(`${path}.name: duplicate rule name "${rule.name}"`);
    names.add(rule.name);
    if (rule.name.length > 63) problems.push(`${path}.name: must be at most 63 characters`);
  }
  if (rule.match === undefined) problems.push(`${path}.match: required`);
  checkMatch(rule.match, `${path}.match`, problems);
  checkMatch(rule.exclude, `${path}.exclude`, problems);
  checkContext(rule.context, `${path}.context`, problems);
  const types = RULE_BODY_FIELDS.filter((k) => rule[k] !== undefined);
  if (types.length === 0)
    problems.push(`${path}: one of validate, mutate, generate or verifyImages is required`);
  if (types.length > 1) problems.push(`${path}: only one of ${types.join(', ')} may be set`);
  checkRuleExpressions(rule, path, problems);
  if (isObject(rule.validate)) checkValidate(rule.validate, `${path}.validate`, problems);
  else if (rule.validate !== undefined) problems.push(`${path}.validate: must be an object`);
}

/** Extra checks a rule type adds for its own body (`spec.rules[0].mutate`), each problem naming its field. */
export type RuleBodyCheck = (rule: Record<string, unknown>, path: string, problems: string[]) => void;

/**
 * Turns a kyverno.io ClusterPolicy / Policy document into a Policy, or throws PolicyValidationError
 * naming every bad field. `checkRuleBody` lets registered rule types validate their own bodies.
 */
export function parseKyvernoPolicy(
  doc: { content: unknown; origin: SourcePosition | null },
  checkRuleBody?: RuleBodyCheck,
): Policy {
  const raw = doc.content;
  if (!isObject(raw))
    throw new UserError('a policy must be an object', { position: doc.origin ?? undefined });
  const base = policyHeader(raw, doc.origin ?? null);
  const { name, kind, apiVersion } = base;
  const problems: string[] = [];
  if (!name) problems.push('metadata.name: required');
  if (!KYVERNO_VERSIONS.has(apiVersion)) problems.push(`apiVersion: unsupported "${apiVersion}"`);
  const spec = raw.spec;
  if (!isObject(spec)) {
    problems.push('spec: required');
    throw new PolicyValidationError(name || '(unnamed)', problems, doc.origin ?? undefined);
  }
  unknownFields(spec, SPEC_FIELDS, 'spec', problems);
  const action =
    parseFailureAction(spec.validationFailureAction, 'spec.validationFailureAction', problems) ?? 'Audit';
  if (spec.applyRules !== undefined && spec.applyRules !== 'All' && spec.applyRules !== 'One') {
    problems.push('spec.applyRules: must be All or One');
  }
  if (spec.background !== undefined && typeof spec.background !== 'boolean') {
    problems.push('spec.background: must be a boolean');
  }
  if (!Array.isArray(spec.rules) || spec.rules.length === 0)
    problems.push('spec.rules: at least one rule is required');
  const rules = Array.isArray(spec.rules) ? spec.rules : [];
  const names = new Set<string>();
  rules.forEach((r, i) => {
    checkRule(r, i, problems, names);
    if (checkRuleBody && isObject(r)) checkRuleBody(r, `spec.rules[${i}]`, problems);
  });
  if (problems.length)
    throw new PolicyValidationError(name || '(unnamed)', problems, doc.origin ?? undefined);
  const metadata = isObject(raw.metadata) ? raw.metadata : {};
  const policy: Policy = {
    ...base,
    namespace:
      kind === 'Policy'
        ? typeof metadata.namespace === 'string'
          ? metadata.namespace
          : 'default'
        : undefined,
    validationFailureAction: action,
    background: spec.background !== false,
    applyRules: spec.applyRules === 'One' ? 'One' : 'All',
    rules: rules as Rule[],
    computedRules: rules as Rule[],
  };
  policy.computedRules = computeAutogenRules(policy);
  return policy;
}
