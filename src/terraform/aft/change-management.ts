import { finding, memberOrigin } from '../model.js';
import {
  type AftRule,
  aftRule,
  exampleRequest,
  knownFields,
  missingFields,
  perRequest,
  unknownBlock,
} from './request.js';

export const AFT_CHANGE = aftRule(
  'aft-change-management',
  'change_management_parameters missing',
  'medium',
  'Add change_management_parameters = { change_requested_by = "...", change_reason = "..." }.',
);

export const changeManagement: AftRule = {
  meta: AFT_CHANGE,
  check: perRequest((request) => {
    const r = request.resource;
    if (request.change === undefined)
      return [finding(r, AFT_CHANGE, `${r.address} has no change_management_parameters`)];
    if (unknownBlock(request.change) !== undefined) return [];
    const missing = missingFields(knownFields(request.change), ['change_requested_by', 'change_reason']);
    if (missing.length === 0) return [];
    return [
      finding(r, AFT_CHANGE, `change_management_parameters misses ${missing.join(', ')}`, {
        origin: memberOrigin(r, 'change_management_parameters'),
      }),
    ];
  }),
  cases: {
    valid: [{ requests: [exampleRequest({ change_management_parameters: '${local.change}' })] }],
    invalid: [
      { requests: [exampleRequest({ change_management_parameters: undefined })] },
      { requests: [exampleRequest({ change_management_parameters: { change_requested_by: 'Ada' } })] },
    ],
  },
};
