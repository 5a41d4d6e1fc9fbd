import { type AftRule, aftRule, exampleRequest, uniqueParameter } from './request.js';

export const AFT_NAME_UNIQUE = aftRule(
  'aft-account-name-unique',
  'Account name used by another request',
  'high',
  'Give each account request a distinct AccountName.',
);

const other = (name: string) => exampleRequest({}, { AccountEmail: 'b@example.com', AccountName: name });

export const accountNameUnique: AftRule = {
  meta: AFT_NAME_UNIQUE,
  check: uniqueParameter(
    AFT_NAME_UNIQUE,
    'AccountName',
    (name, others) => `AccountName "${name}" is also requested by ${others}`,
  ),
  cases: {
    valid: [{ requests: [exampleRequest(), other('b')] }],
    invalid: [{ requests: [exampleRequest(), other('TEAM-A')] }],
  },
};
