import { basename } from 'node:path';
import { DOCS_ANNOTATION, FIX_ANNOTATION, type RuleMeta } from '../core/rule.js';
import { SEVERITIES, type Severity } from '../core/severity.js';
import {
  listPackNames,
  loadPack,
  type Pack,
  packRuleMeta,
  type TsRule,
  type TsRuleMeta,
} from '../packs/index.js';
import type { Policy } from '../policy/model/types.js';
import { TERRAFORM_PACKS } from '../terraform/model.js';

/**
 * Every pack and every rule Rampart has, with its metadata: the one list that `rampart scan` selects
 * packs from, that rule settings are checked against, and that docs/packs.md is generated from. A new
 * rule module is added here (or to its pack's folder, which is read as it is).
 */

export const POLICY_TITLE = 'policies.kyverno.io/title';
export const POLICY_SEVERITY = 'policies.kyverno.io/severity';
export const POLICY_DESCRIPTION = 'policies.kyverno.io/description';
export const POLICY_SUBJECT = 'policies.kyverno.io/subject';
export { DOCS_ANNOTATION, FIX_ANNOTATION } from '../core/rule.js';

/** What a pack checks: Kubernetes manifests (Kyverno policies and TypeScript rules) or Terraform. */
export type PackTarget = 'kubernetes' | 'terraform';

export interface PackEntry {
  name: string;
  target: PackTarget;
}

/** Every pack, Kubernetes packs first (folders under src/packs/), then the Terraform packs. */
export function listPacks(): PackEntry[] {
  return [
    ...listPackNames().map((name) => ({ name, target: 'kubernetes' as const })),
    ...TERRAFORM_PACKS.map((name) => ({ name, target: 'terraform' as const })),
  ];
}

export type RuleEntry =
  | { definedAs: 'kyverno-policy'; meta: RuleMeta; source: string; policy: Policy }
  | { definedAs: 'typescript'; meta: TsRuleMeta; source: string; rule: TsRule }
  | { definedAs: 'code'; meta: RuleMeta; source: string };

/** A pack policy's metadata from its annotations (the policy name is the rule id). */
export function policyRuleMeta(policy: Policy, pack: string): RuleMeta {
  const a = policy.annotations;
  const severity = a[POLICY_SEVERITY];
  return {
    id: policy.name,
    title: a[POLICY_TITLE] ?? policy.name,
    severity: (SEVERITIES as readonly string[]).includes(severity ?? '') ? (severity as Severity) : 'medium',
    pack,
    policy: policy.name,
    ...(a[FIX_ANNOTATION] !== undefined ? { fix: a[FIX_ANNOTATION] } : {}),
    docs: a[DOCS_ANNOTATION] ?? `docs/packs.md#${policy.name}`,
  };
}

/** The rules of one Kubernetes pack: its Kyverno policies, then its TypeScript rules. */
export async function packRules(pack: Pack): Promise<RuleEntry[]> {
  const policies: RuleEntry[] = pack.policies.map((policy) => ({
    definedAs: 'kyverno-policy',
    meta: policyRuleMeta(policy, pack.name),
    source: `src/packs/${pack.name}/policies/${policy.origin?.file ? basename(policy.origin.file) : `${policy.name}.yaml`}`,
    policy,
  }));
  const code: RuleEntry[] = pack.rules.map((rule) => ({
    definedAs: 'typescript',
    meta: { ...packRuleMeta(rule.meta), rationale: rule.meta.rationale, appliesTo: rule.meta.appliesTo },
    source: `src/packs/${pack.name}/rules/${rule.meta.id}.ts`,
    rule,
  }));
  return [...policies, ...code];
}

function isRuleMeta(value: unknown): value is RuleMeta {
  const v = value as Partial<RuleMeta> | null;
  return typeof v === 'object' && v !== null && typeof v.id === 'string' && typeof v.pack === 'string';
}

/**
 * Rules written as code outside the Kubernetes packs: Terraform, AFT, IAM lint and disk. Imported
 * here, when listed, so that loading the registry (every scan does) does not load those checkers.
 */
export async function codeRules(): Promise<RuleEntry[]> {
  const [{ TERRAFORM_RULE_FOLDERS, terraformRuleSource }, { AFT_CHECKS }, { IAM_RULES }, { DISK_RULES }] =
    await Promise.all([
      import('../terraform/rules/index.js'),
      import('../terraform/aft/index.js'),
      import('../iam/rules.js'),
      import('../disk/findings.js'),
    ]);
  const entries = (source: string, metas: Iterable<unknown>): RuleEntry[] =>
    [...metas].filter(isRuleMeta).map((meta) => ({ definedAs: 'code', meta, source }));
  return [
    ...TERRAFORM_RULE_FOLDERS.flatMap(({ folder, rules }) =>
      rules.map(
        (rule): RuleEntry => ({
          definedAs: 'code',
          meta: rule.meta,
          source: terraformRuleSource(folder, rule),
        }),
      ),
    ),
    ...AFT_CHECKS.map(
      (check): RuleEntry => ({
        definedAs: 'code',
        meta: check.meta,
        source: `src/terraform/aft/${check.meta.id.replace(/^aft-/, '')}.ts`,
      }),
    ),
    ...entries('src/iam/rules.ts', Object.values(IAM_RULES)),
    ...entries('src/disk/findings.ts', Object.values(DISK_RULES)),
  ];
}

/** Every rule: the Kubernetes packs' (in pack order), then the rules written as code elsewhere. */
export async function listRules(): Promise<RuleEntry[]> {
  const packs = await Promise.all(listPackNames().map((name) => loadPack(name)));
  const perPack = await Promise.all(packs.map(packRules));
  return [...perPack.flat(), ...(await codeRules())];
}

/**
 * The rule ids `rules.<id>` in rampart.yaml can name: every rule `rampart scan` reports, that is the
 * rules of every pack and the IAM lint rules the terraform-iam pack reports under their own ids.
 */
export async function scanRuleIds(): Promise<Set<string>> {
  const packs = new Set<string>([...listPacks().map((p) => p.name), 'iam']);
  return new Set((await listRules()).filter((r) => packs.has(r.meta.pack)).map((r) => r.meta.id));
}
