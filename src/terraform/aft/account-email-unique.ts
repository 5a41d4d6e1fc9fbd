import { type AftRule, aftRule, exampleRequest, uniqueParameter } from './request.js';

export const AFT_EMAIL_UNIQUE = aftRule(
  'aft-account-email-unique',
  'Account email used by another request',
  'high',
  'Every AWS account needs its own root email; use a distinct address or sub-address (name+account@example.com).',
);

export const accountEmailUnique: AftRule = {
  meta: AFT_EMAIL_UNIQUE,
  check: uniqueParameter(
    AFT_EMAIL_UNIQUE,
    'AccountEmail',
    (email, others) => `AccountEmail ${email.toLowerCase()} is also requested by ${others}`,
  ),
  cases: {
    valid: [
      {
        requests: [exampleRequest(), exampleRequest({}, { AccountEmail: 'b@example.com', AccountName: 'b' })],
      },
    ],
    invalid: [
      {
        requests: [
          exampleRequest(),
          exampleRequest({}, { AccountEmail: 'Team-A@example.com', AccountName: 'b' }),
        ],
      },
    ],
  },
};
