import type { Result } from '../../core/result.js';
import type { RuleContext, RuleMeta, TerraformScanConfig, TfModule } from '../model.js';

/** Examples a Terraform rule keeps beside it: each `fire` main.tf raises the rule, each `pass` one does not. */
export interface TerraformRuleCases {
  config?: TerraformScanConfig;
  /** Other files written next to main.tf (scripts, policy JSON read with file()). */
  files?: Record<string, string>;
  fire: string[];
  pass: string[];
}

/** One Terraform rule: its metadata, its check over one module, and its cases. */
export interface TerraformRule {
  meta: RuleMeta;
  check(module: TfModule, ctx: RuleContext): Result[] | Promise<Result[]>;
  cases: TerraformRuleCases;
}
