import type { RuleType } from '../engine/rule-type.js';
import { validateRule } from './index.js';

/** Kyverno validate rules with the bodies this engine evaluates; validate.cel and others plug in beside it. */
export const validateRuleType: RuleType = {
  field: 'validate',
  bodies: ['pattern', 'anyPattern', 'deny', 'foreach', 'podSecurity'],
  phase: 'validate',
  // The rule context carries every field of the validation environment.
  apply: (c) => validateRule(c.rule, c),
};
