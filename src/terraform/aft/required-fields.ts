import {
  type AftRule,
  aftRule,
  exampleRequest,
  knownFields,
  missingFields,
  parametersFinding,
  perRequest,
  REQUIRED_PARAMETERS,
  unknownBlock,
} from './request.js';

export const AFT_REQUIRED = aftRule(
  'aft-required-fields',
  'Account request misses required control_tower_parameters',
  'high',
  'Set AccountEmail, AccountName, ManagedOrganizationalUnit, SSOUserEmail, SSOUserFirstName and SSOUserLastName.',
);

export const requiredFields: AftRule = {
  meta: AFT_REQUIRED,
  check: perRequest((request) => {
    if (unknownBlock(request.parameters) !== undefined) return [];
    const missing = missingFields(knownFields(request.parameters), REQUIRED_PARAMETERS);
    if (missing.length === 0) return [];
    return [
      parametersFinding(request, AFT_REQUIRED, `control_tower_parameters misses ${missing.join(', ')}`),
    ];
  }),
  cases: {
    valid: [
      { requests: [exampleRequest()] },
      { requests: [exampleRequest({}, { AccountName: '${var.name}' })] },
    ],
    invalid: [
      { requests: [exampleRequest({}, { SSOUserLastName: undefined })] },
      { requests: [exampleRequest({}, { AccountName: '  ' })] },
    ],
  },
};
