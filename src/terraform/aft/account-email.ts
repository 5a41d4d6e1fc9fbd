import {
  type AftRule,
  aftRule,
  exampleRequest,
  knownFields,
  parametersFinding,
  perRequest,
} from './request.js';

export const AFT_EMAIL = aftRule(
  'aft-account-email',
  'Invalid account email',
  'high',
  'Use a valid address of at most 64 characters for AccountEmail and SSOUserEmail.',
);

const EMAIL =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

export function emailProblem(email: string): string | undefined {
  if (email.length > 64) return `"${email}" is longer than the 64 characters AWS allows`;
  if (email.length < 6) return `"${email}" is shorter than the 6 characters AWS requires`;
  if (!EMAIL.test(email)) return `"${email}" is not a valid email address`;
  return undefined;
}

export const accountEmail: AftRule = {
  meta: AFT_EMAIL,
  check: perRequest((request) => {
    const p = knownFields(request.parameters);
    return ['AccountEmail', 'SSOUserEmail'].flatMap((key) => {
      const f = p[key];
      const problem = f?.known && f.value !== '' ? emailProblem(f.value) : undefined;
      return problem ? [parametersFinding(request, AFT_EMAIL, `${key}: ${problem}`)] : [];
    });
  }),
  cases: {
    valid: [{ requests: [exampleRequest({}, { SSOUserEmail: 'first.last+aft@sub.example.org' })] }],
    invalid: [
      { requests: [exampleRequest({}, { AccountEmail: 'not-an-email' })] },
      { requests: [exampleRequest({}, { SSOUserEmail: `${'a'.repeat(60)}@example.com` })] },
    ],
  },
};
