import { type Cidr, overlaps, parseCidr } from '../cidr.js';
import { finding, memberOrigin } from '../model.js';
import { type AftRequest, type AftRule, aftRule, exampleRequest, where } from './request.js';

export const AFT_CIDR_OVERLAP = aftRule(
  'aft-vpc-cidr-overlap',
  'VPC CIDR overlaps another account request',
  'high',
  'Pick a CIDR block no other account request uses, so the VPCs can be peered or attached to a transit gateway.',
);

const withCidr = (cidr: string, name: string) =>
  exampleRequest(
    { custom_fields: { vpc_cidr: cidr } },
    { AccountName: name, AccountEmail: `${name}@example.com` },
  );

export const vpcCidrOverlap: AftRule = {
  meta: AFT_CIDR_OVERLAP,
  check: (requests) => {
    const cidrs: { request: AftRequest; cidr: Cidr }[] = [];
    for (const request of requests) {
      const parsed = request.vpcCidr?.known ? parseCidr(request.vpcCidr.value) : undefined;
      if (parsed?.ok) cidrs.push({ request, cidr: parsed.cidr });
    }
    return cidrs.flatMap((a) => {
      const clashes = cidrs.filter((b) => b !== a && overlaps(a.cidr, b.cidr));
      if (clashes.length === 0) return [];
      const list = clashes.map((c) => `${c.cidr.text} (${where(c.request)})`).join(', ');
      return [
        finding(
          a.request.resource,
          AFT_CIDR_OVERLAP,
          `custom_fields.vpc_cidr ${a.cidr.text} overlaps ${list}`,
          {
            origin: memberOrigin(a.request.resource, 'custom_fields'),
          },
        ),
      ];
    });
  },
  cases: {
    valid: [{ requests: [withCidr('10.20.0.0/16', 'a'), withCidr('10.21.0.0/16', 'b')] }],
    invalid: [{ requests: [withCidr('10.20.0.0/16', 'a'), withCidr('10.20.128.0/17', 'b')] }],
  },
};
