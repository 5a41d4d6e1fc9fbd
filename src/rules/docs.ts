import { listPackNames, loadPack, type Pack } from '../packs/index.js';
import { DEFAULT_PARAMETERS } from '../packs/parameters.js';
import { TERRAFORM_PACKS } from '../terraform/model.js';
import { FIX_ANNOTATION, POLICY_DESCRIPTION, POLICY_SUBJECT, packRules, type RuleEntry } from './registry.js';

/**
 * Renders docs/packs.md from the rule registry (policy annotations and TsRule.meta), so the page that
 * every finding's `docs` link points to cannot drift from what the scanner reports.
 */

const SCORED = 'policies.kyverno.io/scored';
const RULE_SEVERITY_PREFIX = 'rampart.dev/severity.';

/** One-line summaries; a pack missing here still gets its section, just without the summary. */
const PACK_SUMMARIES: Record<string, string> = {
  governance:
    'Ownership and tenancy hygiene: labels and annotations that say who owns a workload, and the per-namespace NetworkPolicy, ResourceQuota and LimitRange that keep tenants apart.',
  'gpu-isolation':
    'Ways a pod can reach GPUs it was not allocated (environment variables, CDI annotations, runtime classes, host device mounts, privilege) and GPU resource requests that can never be scheduled or that share a GPU across tenants.',
  'pod-security':
    'The Kubernetes Pod Security Standards (baseline and restricted) plus image pinning, read-only root filesystems and service-account token mounting.',
  resources:
    'CPU and memory requests and limits: missing requests and memory limits, CPU limits that throttle, risky limit/request ratios, requests no node can satisfy, sidecars left at injector defaults, and QoS classes (BestEffort in production, critical workloads that are not Guaranteed).',
};

interface RuleDoc {
  id: string;
  title: string;
  severity: string;
  severityOverrides: [string, string][];
  appliesTo: string;
  rationale: string;
  fix: string;
  source: string;
  innerRules: string[];
  autogenRules: string[];
  warnOnly: boolean;
  parameters: string[];
}

/** Text from annotations is prose, not markdown: keep `<name>` and `/dev/nvidia*` literal when rendered. */
function prose(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\*/g, '\\*');
}

function cell(text: string): string {
  return prose(text).replace(/\|/g, '\\|');
}

function parametersIn(text: string, pattern: (key: string) => string): string[] {
  return Object.keys(DEFAULT_PARAMETERS)
    .filter((key) => text.includes(pattern(key)))
    .sort();
}

/** One rule's section: Kyverno policies add their inner, autogen and per-rule severity details. */
function ruleDoc(entry: RuleEntry): RuleDoc {
  const { meta } = entry;
  if (entry.definedAs === 'kyverno-policy') {
    const p = entry.policy;
    const a = p.annotations;
    const overrides = Object.keys(a)
      .filter((k) => k.startsWith(RULE_SEVERITY_PREFIX))
      .sort()
      .map((k): [string, string] => [k.slice(RULE_SEVERITY_PREFIX.length), a[k]!]);
    return {
      id: meta.id,
      title: meta.title,
      // The raw annotation, as written: the page shows what the policy says.
      severity: a['policies.kyverno.io/severity'] ?? 'medium',
      severityOverrides: overrides,
      appliesTo: a[POLICY_SUBJECT] ?? 'Pod',
      rationale: a[POLICY_DESCRIPTION] ?? '',
      fix: a[FIX_ANNOTATION] ?? '',
      source: entry.source,
      innerRules: p.rules.map((r) => r.name),
      autogenRules: p.computedRules.map((r) => r.name).filter((n) => n.startsWith('autogen-')),
      warnOnly: a[SCORED] === 'false',
      // Pack policies read rampart.yaml parameters as JMESPath variables named rampart.<parameter>.
      parameters: parametersIn(JSON.stringify(p.rules), (key) => `rampart.${key}`),
    };
  }
  const rationale = entry.definedAs === 'typescript' ? entry.meta.rationale : '';
  const appliesTo = entry.definedAs === 'typescript' ? entry.meta.appliesTo : [];
  return {
    id: meta.id,
    title: meta.title,
    severity: meta.severity,
    severityOverrides: [],
    appliesTo: appliesTo.join(', '),
    rationale,
    fix: meta.fix ?? '',
    source: entry.source,
    innerRules: [],
    autogenRules: [],
    warnOnly: false,
    parameters: parametersIn(`${rationale} ${meta.fix ?? ''}`, (key) => `parameters.${key}`),
  };
}

function yamlValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.join(', ')}]`;
  if (typeof value === 'string') return `"${value}"`;
  return String(value);
}

function renderRule(r: RuleDoc): string[] {
  const severity = [
    `\`${r.severity}\``,
    ...r.severityOverrides.map(([rule, s]) => `\`${s}\` for rule \`${rule}\` (and its autogen variants)`),
  ].join('; ');
  const lines = [
    `### ${r.id}`,
    '',
    `**${prose(r.title)}**`,
    '',
    `- Severity: ${severity}`,
    `- Applies to: ${prose(r.appliesTo)}`,
    `- Reported as: ${r.warnOnly ? '`warn` (the policy is annotated `policies.kyverno.io/scored: "false"`)' : '`fail`'}`,
  ];
  if (r.innerRules.length) {
    const names = (list: string[]) => list.map((n) => `\`${n}\``).join(', ');
    lines.push(
      `- Defined in: \`${r.source}\`, Kyverno rule${r.innerRules.length > 1 ? 's' : ''} ${names(r.innerRules)}`,
    );
    if (r.autogenRules.length) lines.push(`- Pod controllers (autogen): ${names(r.autogenRules)}`);
  } else {
    lines.push(`- Defined in: \`${r.source}\` (TypeScript rule)`);
  }
  if (r.parameters.length) {
    lines.push(
      `- Parameters: ${r.parameters.map((p) => `\`${p}\` (default \`${yamlValue(DEFAULT_PARAMETERS[p])}\`)`).join(', ')}`,
    );
  }
  lines.push('', `Why: ${prose(r.rationale)}`, '', `Fix: ${prose(r.fix)}`, '');
  return lines;
}

function renderIntro(packs: { pack: Pack; rules: RuleDoc[] }[]): string[] {
  const total = packs.reduce((n, p) => n + p.rules.length, 0);
  return [
    '# Guardrail packs',
    '',
    "<!-- Generated from the packs' metadata by `npx tsx scripts/gen-pack-docs.ts`; edit the policies and rules, not this file. -->",
    '',
    `\`rampart scan\` runs ${packs.length} built-in guardrail packs with ${total} rules over Kubernetes manifests (see [scan.md](scan.md)), and the [Terraform packs](#terraform-packs) over Terraform.`,
    'A pack is a folder `src/packs/<pack>/` holding Kyverno `ClusterPolicy` files (`policies/*.yaml`, evaluated by',
    "Rampart's Kyverno-compatible engine and covered by Kyverno CLI test files in `tests/`) and, where a pattern",
    'cannot express the check (it needs several documents at once, such as a namespace and its NetworkPolicies),',
    'TypeScript rules in `rules.ts`. The rule id is the policy name (or the TypeScript rule id); it is what',
    'findings, `--rule`, `rampart.yaml` and suppressions refer to. A finding names the rule as `<rule-id>/<kyverno-rule>`,',
    "and its `docs` link points to the rule's section below.",
    '',
    'Every rule reports `pass`, `fail` or `warn` per matching resource; `skip` means the rule did not apply (or the',
    'finding was suppressed) and `error` that it could not be evaluated. Policies annotated',
    '`policies.kyverno.io/scored: "false"` report `warn` instead of `fail`. `rampart scan` exits 1 when a `fail`',
    'at or above `--fail-on` (default `high`) remains.',
    '',
    '| Rule | Pack | Severity | Title |',
    '| --- | --- | --- | --- |',
    ...packs.flatMap(({ pack, rules }) =>
      rules.map((r) => `| [${r.id}](#${r.id}) | ${pack.name} | ${r.severity} | ${cell(r.title)} |`),
    ),
    '',
  ];
}

function renderConfig(packs: { pack: Pack; rules: RuleDoc[] }[]): string[] {
  const usedBy = (key: string) =>
    packs
      .flatMap(({ rules }) => rules)
      .filter((r) => r.parameters.includes(key))
      .map((r) => `[${r.id}](#${r.id})`)
      .join(', ') || '—';
  return [
    '## Configuration: rampart.yaml',
    '',
    '`rampart scan` reads `rampart.yaml` (or `.rampart.yaml`) from the first scanned directory (from the',
    'directory of the first path when it is a file), or the file given with `--config`. A missing file means the',
    'defaults below; unknown fields, unknown parameters and values of the wrong type are errors (exit 2).',
    '',
    '```yaml',
    'packs:',
    '  resources: { enabled: false }     # turn a whole pack off (same as --skip-pack resources)',
    'rules:',
    '  cpu-limits-throttling: { enabled: false }',
    '  require-image-digest: { severity: low }   # info, low, medium, high or critical',
    'parameters:',
    '  requiredLabels: [team, app.kubernetes.io/name]',
    '  productionNamespaces: [prod, production]',
    'terraform:',
    '  requirePermissionsBoundary: true',
    '```',
    '',
    '- `packs.<pack>.enabled`: `false` removes the pack from the scan. Packs not listed run.',
    '  Pack names and rule ids in `packs` and `rules` are not checked against the packs: a misspelt id has no effect.',
    '- `rules.<rule-id>.enabled`: `false` removes the rule. `rules.<rule-id>.severity` replaces the severity of',
    '  every finding of the rule (including per-rule severities set by the pack), before `--severity` filtering and',
    '  the `--fail-on` check.',
    '- `parameters`: values the rules read; a parameter you set replaces the default entirely (lists are not merged).',
    '- `terraform`: settings of the [Terraform packs](#terraform-packs), validated as described in',
    '  [terraform.md](terraform.md#configuration-rampartyaml).',
    '',
    '| Parameter | Default | Used by |',
    '| --- | --- | --- |',
    ...Object.keys(DEFAULT_PARAMETERS)
      .sort()
      .map((key) => `| \`${key}\` | \`${yamlValue(DEFAULT_PARAMETERS[key])}\` | ${usedBy(key)} |`),
    '',
    '## Suppressing a finding',
    '',
    'Annotate the resource (its `metadata.annotations`, or those of the pod template at `spec.template` of a',
    'Deployment, StatefulSet, DaemonSet, ReplicaSet or Job) with the rule ids to ignore and a reason:',
    '',
    '```yaml',
    'metadata:',
    '  annotations:',
    '    rampart.dev/ignore: "pss-restricted,require-image-digest"   # comma-separated rule ids, or *',
    '    rampart.dev/ignore-reason: "vendor image, tracked in PLAT-1234"',
    '```',
    '',
    'A suppressed `fail` or `warn` is reported as `skip` with the message `suppressed: <reason>` (shown with `-v`',
    'and kept in JSON, SARIF and PolicyReport output), so suppressions stay auditable. The ids may also name a',
    'Kyverno rule inside a policy (e.g. `gpu-pod`). `rampart.dev/ignore-reason` is required: without it the',
    'finding stays as it was and its message says `(suppression ignored: rampart.dev/ignore-reason is required)`.',
    '',
  ];
}

/** Terraform rules live with the Terraform scanner; this page only says how scan selects them. */
function renderTerraformPacks(): string[] {
  return [
    '## Terraform packs',
    '',
    'When a scanned tree holds `.tf` files or Terraform plan JSON, `rampart scan` also runs the Terraform rule packs',
    `${TERRAFORM_PACKS.map((p) => `[\`${p}\`](terraform.md#${p})`).join(', ')}, documented with their rule ids in`,
    '[terraform.md](terraform.md#rules). They are selected like the packs above (`--pack`, `--skip-pack`,',
    '`packs.<pack>.enabled`); `rules.<rule-id>` in `rampart.yaml` takes their rule ids (`tf-...`, `aft-...`), and the',
    '`terraform` section holds their settings. The `rampart.dev/ignore` annotations apply to Kubernetes objects only.',
    '',
  ];
}

export async function renderPackDocs(): Promise<string> {
  const packs: { pack: Pack; rules: RuleDoc[] }[] = [];
  for (const name of listPackNames()) {
    const pack = await loadPack(name);
    const rules = (await packRules(pack))
      .map(ruleDoc)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    packs.push({ pack, rules });
  }
  const lines = [...renderIntro(packs), ...renderConfig(packs)];
  for (const { pack, rules } of packs) {
    lines.push(`## Pack: ${pack.name}`, '');
    const summary = PACK_SUMMARIES[pack.name];
    if (summary) lines.push(summary, '');
    lines.push(
      `Select it with \`--pack ${pack.name}\`, leave it out with \`--skip-pack ${pack.name}\` or \`packs: { ${pack.name}: { enabled: false } }\`.`,
      '',
    );
    for (const r of rules) lines.push(...renderRule(r));
  }
  lines.push(...renderTerraformPacks());
  return `${lines.join('\n').trimEnd()}\n`;
}
