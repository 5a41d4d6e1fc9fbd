import type { Result } from '../../core/result.js';
import type { RuleContext, TfModule } from '../model.js';
import { IAM_RULES, iamRules } from './iam/index.js';
import type { TerraformRule } from './rule.js';
import { STATE_RULES } from './state/index.js';
import { WORKER_RULES } from './workers/index.js';

export { iamRules } from './iam/index.js';
export type { TerraformRule, TerraformRuleCases } from './rule.js';

/**
 * The Terraform rules (AFT's are in ../aft/), one module each under rules/<folder>/<rule id without tf->.ts,
 * listed by folder in registry order.
 */
export const TERRAFORM_RULE_FOLDERS: readonly { folder: string; rules: readonly TerraformRule[] }[] = [
  { folder: 'iam', rules: IAM_RULES },
  { folder: 'workers', rules: WORKER_RULES },
  { folder: 'state', rules: STATE_RULES },
];

/** The source file of a Terraform rule, for the registry and docs. */
export function terraformRuleSource(folder: string, rule: TerraformRule): string {
  return `src/terraform/rules/${folder}/${rule.meta.id.replace(/^tf-/, '')}.ts`;
}

/** Every Terraform rule over one module (results are sorted by the caller). */
export async function moduleRules(module: TfModule, ctx: RuleContext): Promise<Result[]> {
  const results = await iamRules(module, ctx);
  for (const rule of [...WORKER_RULES, ...STATE_RULES]) results.push(...(await rule.check(module, ctx)));
  return results;
}
