import type { Result } from '../../core/result.js';
import { finding, type TerraformScanConfig } from '../model.js';
import { accountEmail } from './account-email.js';
import { accountEmailUnique } from './account-email-unique.js';
import { accountNameUnique } from './account-name-unique.js';
import { accountTags } from './account-tags.js';
import { changeManagement } from './change-management.js';
import { organizationalUnit } from './organizational-unit.js';
import type { AftRequest, AftRule } from './request.js';
import { requiredFields } from './required-fields.js';
import { valueUnknown } from './value-unknown.js';
import { vpcCidr } from './vpc-cidr.js';
import { vpcCidrOverlap } from './vpc-cidr-overlap.js';

export { emailProblem } from './account-email.js';
export {
  type AftRequest,
  aftRequest,
  collectAftRequests,
  isAftRequest,
  REQUIRED_PARAMETERS,
} from './request.js';

/**
 * The AFT checks, in the order their findings are reported: each request's own fields first, then the
 * checks across requests; `aft-value-unknown` (skips for values Terraform computes) last.
 */
export const AFT_CHECKS: readonly AftRule[] = [
  requiredFields,
  accountEmail,
  organizationalUnit,
  accountTags,
  changeManagement,
  vpcCidr,
  accountEmailUnique,
  accountNameUnique,
  vpcCidrOverlap,
  valueUnknown,
];

/** The rules every request passes or fails (a pass is reported for each rule nothing was found for). */
export const AFT_RULES = [
  requiredFields.meta,
  accountEmail.meta,
  accountEmailUnique.meta,
  accountNameUnique.meta,
  organizationalUnit.meta,
  accountTags.meta,
  changeManagement.meta,
  vpcCidr.meta,
  vpcCidrOverlap.meta,
];

/** Every AFT check over all requests of the scanned tree. */
export function checkAftRequests(requests: AftRequest[], config: TerraformScanConfig = {}): Result[] {
  const results = AFT_CHECKS.flatMap((rule) => rule.check(requests, config));
  // A pass per request and rule, as Kyverno reports matched resources, so reports show what was checked.
  for (const request of requests) {
    const decided = new Set<string>(
      results
        .filter(
          (x) =>
            x.resource.name === request.resource.address && x.origin?.file === request.resource.origin.file,
        )
        .flatMap((x) => [x.rule, ...((x.properties?.rules as string[] | undefined) ?? [])]),
    );
    for (const rule of AFT_RULES) {
      if (!decided.has(rule.id)) {
        results.push(
          finding(request.resource, rule, `${request.resource.address} passes ${rule.id}`, {
            status: 'pass',
          }),
        );
      }
    }
  }
  return results;
}
