import type { TsRule } from '../../rule.js';
import { appliesTo, namespaceRule } from './helpers.js';

export const namespaceDefaultDeny: TsRule = namespaceRule(
  {
    id: 'namespace-default-deny',
    title: 'Namespaces without a default-deny NetworkPolicy',
    severity: 'medium',
    pack: 'governance',
    rationale:
      'Kubernetes networking is allow-all until a NetworkPolicy selects a pod. In a multi-tenant cluster every namespace should start from a default-deny ingress policy (podSelector: {} and no ingress rules) and open only what it serves.',
    fix: 'Add a NetworkPolicy with podSelector: {}, policyTypes: [Ingress] (and Egress where possible) and no rules, then allow specific traffic.',
    appliesTo,
  },
  (f) => f.defaultDenyIngress,
  'has no default-deny ingress NetworkPolicy in the scanned set: every pod in it accepts traffic from anywhere in the cluster.',
);
