import {
  type AftRule,
  aftRule,
  duplicates,
  exampleRequest,
  knownFields,
  parametersFinding,
  where,
} from './request.js';

export const AFT_EMAIL_UNIQUE = aftRule(
  'aft-account-email-unique',
  'Account email used by another request',
  'high',
  'Every AWS account needs its own root email; use a distinct address or sub-address (name+account@example.com).',
);

export const accountEmailUnique: AftRule = {
  meta: AFT_EMAIL_UNIQUE,
  check: (requests) =>
    duplicates(requests, (r) => {
      const email = knownFields(r.parameters).AccountEmail;
      return email?.known && email.value !== '' ? email.value.toLowerCase() : undefined;
    }).flatMap((group) =>
      group.map((request) => {
        const email = knownFields(request.parameters).AccountEmail as { value: string };
        const others = group.filter((g) => g !== request).map(where);
        return parametersFinding(
          request,
          AFT_EMAIL_UNIQUE,
          `AccountEmail ${email.value.toLowerCase()} is also requested by ${others.join(', ')}`,
        );
      }),
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
