import type { SourcePosition } from '../../core/document.js';
import type { Result } from '../../core/result.js';
import { finding, memberOrigin } from '../model.js';
import {
  type AftRequest,
  type AftRule,
  aftRule,
  exampleRequest,
  knownFields,
  unknownBlock,
} from './request.js';

export const AFT_UNKNOWN = aftRule(
  'aft-value-unknown',
  'Account request value unknown',
  'info',
  'Write account request values as literals so they can be checked before the pipeline runs.',
);

/** Which checks an unknown field leaves undecided. */
const UNKNOWN_SKIPS: Record<string, string[]> = {
  control_tower_parameters: [
    'aft-required-fields',
    'aft-account-email',
    'aft-account-email-unique',
    'aft-account-name-unique',
    'aft-organizational-unit',
  ],
  AccountEmail: ['aft-account-email', 'aft-account-email-unique'],
  SSOUserEmail: ['aft-account-email'],
  AccountName: ['aft-account-name-unique'],
  ManagedOrganizationalUnit: ['aft-organizational-unit'],
  account_tags: ['aft-account-tags'],
  change_management_parameters: ['aft-change-management'],
  'custom_fields.vpc_cidr': ['aft-vpc-cidr', 'aft-vpc-cidr-overlap'],
};

/** Values Terraform computes are not guessed: each is a skip naming the checks it leaves undecided. */
function unknownValues(request: AftRequest): Result[] {
  const r = request.resource;
  const out: Result[] = [];
  const unknown = (what: string, expression: string, origin: SourcePosition) =>
    out.push(
      finding(r, AFT_UNKNOWN, `${what} is unknown (${expression}); not checked`, {
        origin,
        status: 'skip',
        properties: { rules: UNKNOWN_SKIPS[what] ?? [] },
      }),
    );
  const ctpOrigin = memberOrigin(r, 'control_tower_parameters');
  const parameters = unknownBlock(request.parameters);
  if (parameters !== undefined) unknown('control_tower_parameters', parameters, ctpOrigin);
  const p = knownFields(request.parameters);
  for (const key of ['AccountEmail', 'SSOUserEmail', 'AccountName', 'ManagedOrganizationalUnit']) {
    const f = p[key];
    if (f && !f.known) unknown(key, f.expression, ctpOrigin);
  }
  const tags = unknownBlock(request.tags);
  if (tags !== undefined) unknown('account_tags', tags, memberOrigin(r, 'account_tags'));
  const change = unknownBlock(request.change);
  if (change !== undefined)
    unknown('change_management_parameters', change, memberOrigin(r, 'change_management_parameters'));
  const cidr = request.vpcCidr;
  if (cidr && !cidr.known)
    unknown('custom_fields.vpc_cidr', cidr.expression, memberOrigin(r, 'custom_fields'));
  return out;
}

export const valueUnknown: AftRule = {
  meta: AFT_UNKNOWN,
  check: (requests) => requests.flatMap(unknownValues),
  // Skips, not failures: the valid case has only literals, the "invalid" one a value only Terraform knows.
  cases: {
    valid: [{ requests: [exampleRequest()] }],
    invalid: [{ requests: [exampleRequest({}, { AccountEmail: '${var.email}' })] }],
  },
};
