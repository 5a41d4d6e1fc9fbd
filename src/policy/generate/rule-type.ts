import { isObject } from '../../core/document.js';
import type { RuleType } from '../engine/rule-type.js';
import { checkGenerate, generateRule } from './index.js';

/** Kyverno generate rules: data, clone, cloneList, foreach; clone sources come from the run's resource set. */
export const generateRuleType: RuleType = {
  field: 'generate',
  phase: 'generate',
  check(rule, path, problems) {
    problems.push(...checkGenerate(rule.generate, `${path}.generate`));
  },
  apply(c) {
    const cloneSources = [c.document, ...(c.options.resourceSet ?? [])]
      .map((d) => d.content)
      .filter(isObject);
    const outcome = generateRule(c.rule, {
      ctx: c.ctx,
      sources: c.sources,
      resource: c.resource,
      cloneSources,
      foreachValues: c.foreachValues,
    });
    if (!outcome) return undefined;
    return outcome.generated.length
      ? { status: outcome.status, message: outcome.message, generated: outcome.generated }
      : { status: outcome.status, message: outcome.message };
  },
};
