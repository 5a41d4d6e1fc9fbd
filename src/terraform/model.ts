import type { SourcePosition } from '../core/document.js';
import type { Result } from '../core/result.js';
import { type RuleMeta as CoreRuleMeta, ruleResult } from '../core/rule.js';
import type { Severity } from '../core/severity.js';
import type { HclBlock, HclFile } from './hcl.js';

/** The `terraform:` section of rampart.yaml. */
export interface TerraformScanConfig {
  /** Report `aws_iam_role` resources without `permissions_boundary` (default false). */
  requirePermissionsBoundary?: boolean;
  aft?: {
    /** Allowed `ManagedOrganizationalUnit` values; empty or absent allows any. Entries match the whole value, the OU name or the OU id. */
    organizationalUnits?: string[];
    /** Tag keys every request's `account_tags` must hold (default CostCenter, Environment, Project). */
    requiredTags?: string[];
  };
}

export const DEFAULT_AFT_TAGS = ['CostCenter', 'Environment', 'Project'];

/** One resource, data source or module call, from a `.tf` file or a plan. */
export interface TfResource {
  /** `aws_iam_policy.x`, `data.aws_iam_policy_document.d`, `module.m`; plans give full addresses. */
  address: string;
  mode: 'managed' | 'data' | 'module';
  /** Resource type; `module` for module calls. */
  type: string;
  name: string;
  /** HCL: the block's attributes as hcl2json gives them; plans: the planned values. */
  values: Record<string, any>;
  origin: SourcePosition;
  /** Resources with the same key belong to one Terraform module (a directory, or a plan's module). */
  moduleKey: string;
  /** Directory of the `.tf` file; undefined for plans. */
  moduleDir: string | undefined;
  fromPlan: boolean;
  block?: HclBlock;
}

export interface TfModule {
  key: string;
  dir: string | undefined;
  resources: TfResource[];
  files: HclFile[];
}

export interface RuleContext {
  config: TerraformScanConfig;
  /** Every module in the scan, for checks across the whole tree (AFT uniqueness). */
  modules: TfModule[];
}

/** The Terraform rule packs, selectable with --pack/--skip-pack like the Kubernetes packs. */
export const TERRAFORM_PACKS = ['terraform-iam', 'worker-fleet', 'terraform-state', 'aft'] as const;
export type TerraformPack = (typeof TERRAFORM_PACKS)[number];

export const DOCS_URL = 'docs/terraform.md';

/** A Terraform rule: the core contract, in one of the Terraform packs, documented in docs/terraform.md. */
export interface RuleMeta extends CoreRuleMeta {
  pack: TerraformPack;
  fix: string;
  docs: string;
}

export function terraformRule(meta: Omit<RuleMeta, 'docs'>): RuleMeta {
  return { ...meta, docs: `${DOCS_URL}#${meta.id}` };
}

/** Position of an attribute or nested block inside the resource, falling back to the block itself. */
export function memberOrigin(resource: TfResource, member: string): SourcePosition {
  const pos = resource.block?.members[member];
  return pos ? { ...resource.origin, line: pos.line, column: pos.column } : resource.origin;
}

export function finding(
  resource: TfResource,
  meta: RuleMeta,
  message: string,
  extra: {
    origin?: SourcePosition;
    severity?: Severity;
    fix?: string;
    status?: Result['status'];
    properties?: Record<string, unknown>;
  } = {},
): Result {
  return ruleResult(meta, {
    resource: {
      kind: resource.type,
      namespace: resource.moduleDir ?? resource.moduleKey,
      name: resource.address,
      apiVersion: 'terraform',
    },
    origin: extra.origin ?? resource.origin,
    message,
    status: extra.status,
    severity: extra.severity,
    fix: extra.fix,
    properties: extra.properties,
  });
}

/** A nested block as hcl2json gives it: a list of objects (or one object in plan values). */
export function nestedBlocks(value: unknown): Record<string, any>[] {
  if (Array.isArray(value)) return value.filter((v) => v !== null && typeof v === 'object');
  if (value !== null && typeof value === 'object') return [value as Record<string, any>];
  return [];
}
