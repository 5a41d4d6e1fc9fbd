import {
  type AftRule,
  aftRule,
  duplicates,
  exampleRequest,
  knownFields,
  parametersFinding,
  where,
} from './request.js';

export const AFT_NAME_UNIQUE = aftRule(
  'aft-account-name-unique',
  'Account name used by another request',
  'high',
  'Give each account request a distinct AccountName.',
);

export const accountNameUnique: AftRule = {
  meta: AFT_NAME_UNIQUE,
  check: (requests) =>
    duplicates(requests, (r) => {
      const name = knownFields(r.parameters).AccountName;
      return name?.known && name.value !== '' ? name.value.toLowerCase() : undefined;
    }).flatMap((group) =>
      group.map((request) => {
        const name = knownFields(request.parameters).AccountName;
        const others = group.filter((g) => g !== request).map(where);
        return parametersFinding(
          request,
          AFT_NAME_UNIQUE,
          `AccountName "${name?.known ? name.value : ''}" is also requested by ${others.join(', ')}`,
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
          exampleRequest({}, { AccountEmail: 'b@example.com', AccountName: 'TEAM-A' }),
        ],
      },
    ],
  },
};
