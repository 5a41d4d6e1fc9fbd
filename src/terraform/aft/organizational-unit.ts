import { type AftRule, aftRule, exampleRequest, knownFields, parametersFinding } from './request.js';

export const AFT_OU = aftRule(
  'aft-organizational-unit',
  'Organizational unit not allowed',
  'high',
  'Use one of the organizational units listed in rampart.yaml (terraform.aft.organizationalUnits).',
);

function allowedOu(value: string, allowed: string[]): boolean {
  // AFT accepts "Name" or "Name (ou-xxxx-yyyyyyyy)" for nested OUs; a list entry may be either form or the id.
  const m = /^(.*?)\s*\((ou-[a-z0-9]+-[a-z0-9]+)\)$/.exec(value);
  const name = m ? m[1]! : value;
  const id = m?.[2];
  return allowed.some((entry) => entry === value || entry === name || (id !== undefined && entry === id));
}

export const organizationalUnit: AftRule = {
  meta: AFT_OU,
  check: (requests, config) => {
    const ous = config.aft?.organizationalUnits ?? [];
    if (ous.length === 0) return [];
    return requests.flatMap((request) => {
      const ou = knownFields(request.parameters).ManagedOrganizationalUnit;
      if (!ou?.known || ou.value === '' || allowedOu(ou.value, ous)) return [];
      const list = ous.map((o) => `"${o}"`).join(', ');
      return [
        parametersFinding(request, AFT_OU, `ManagedOrganizationalUnit "${ou.value}" is not one of ${list}`),
      ];
    });
  },
  cases: {
    valid: [
      { requests: [exampleRequest()] },
      {
        requests: [exampleRequest({}, { ManagedOrganizationalUnit: 'Workloads (ou-ab12-cd345678)' })],
        config: { aft: { organizationalUnits: ['ou-ab12-cd345678'] } },
      },
    ],
    invalid: [{ requests: [exampleRequest()], config: { aft: { organizationalUnits: ['Sandbox'] } } }],
  },
};
