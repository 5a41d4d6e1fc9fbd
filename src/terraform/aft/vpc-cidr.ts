import { parseCidr } from '../cidr.js';
import { finding, memberOrigin } from '../model.js';
import { type AftRule, aftRule, exampleRequest, perRequest } from './request.js';

export const AFT_CIDR = aftRule(
  'aft-vpc-cidr',
  'Invalid custom_fields.vpc_cidr',
  'high',
  'Use an IPv4 network in CIDR notation, e.g. 10.20.0.0/16.',
);

export const vpcCidr: AftRule = {
  meta: AFT_CIDR,
  check: perRequest((request) => {
    const cidr = request.vpcCidr;
    if (!cidr?.known) return [];
    const parsed = parseCidr(cidr.value);
    if (parsed.ok) return [];
    const r = request.resource;
    return [
      finding(r, AFT_CIDR, `custom_fields.vpc_cidr: ${parsed.reason}`, {
        origin: memberOrigin(r, 'custom_fields'),
      }),
    ];
  }),
  cases: {
    valid: [{ requests: [exampleRequest({ custom_fields: { vpc_cidr: '10.20.0.0/16' } })] }],
    invalid: [
      { requests: [exampleRequest({ custom_fields: { vpc_cidr: '10.20.0.1/16' } })] },
      { requests: [exampleRequest({ custom_fields: { vpc_cidr: '300.0.0.0/8' } })] },
    ],
  },
};
