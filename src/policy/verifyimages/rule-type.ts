import type { RuleType } from '../engine/rule-type.js';
import { checkVerifyImages, verifyImagesRule } from './index.js';

/** Kyverno verifyImages rules: validated at load time; offline they skip unless a verdict is supplied
 * (a values file's `imageVerifications`). */
export const verifyImagesRuleType: RuleType = {
  field: 'verifyImages',
  phase: 'verifyImages',
  check(rule, path, problems) {
    problems.push(...checkVerifyImages(rule.verifyImages, `${path}.verifyImages`));
  },
  apply: (c) => verifyImagesRule(c.rule, c.resource, c.options.imageVerdict, c.policy),
};
