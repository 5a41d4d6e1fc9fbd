import { dirname } from 'node:path';
import type { SourcePosition } from '../../../core/document.js';
import type { Result } from '../../../core/result.js';
import { composePolicyDocument } from '../../../iam/compose.js';
import { type IamFinding, lintPolicy, type PolicyKind } from '../../../iam/lint.js';
import { expressionsIn, refersTo } from '../../expr.js';
import {
  finding,
  memberOrigin,
  nestedBlocks,
  type TfModule,
  type TfResource,
  terraformRule,
} from '../../model.js';
import { hasPlaceholders, type PolicyText, policyDocumentArgs, resolvePolicyText } from '../../policies.js';

/**
 * The pass every Terraform IAM rule reads: each policy in the module resolved once to its text, judged
 * unknown, invalid JSON, or linted with the IAM linter (whose findings keep the IAM rule ids).
 */

export const CATEGORY = 'terraform-iam' as const;

export const POLICY_UNKNOWN = terraformRule({
  id: 'tf-iam-policy-unknown',
  title: 'Policy value unknown',
  severity: 'info',
  pack: CATEGORY,
  fix: 'Write the policy with jsonencode() of literal values, a heredoc, file() or an aws_iam_policy_document data source so it can be checked before apply.',
});

export const POLICY_INVALID = terraformRule({
  id: 'tf-iam-policy-invalid-json',
  title: 'Policy is not valid JSON',
  severity: 'high',
  pack: CATEGORY,
  fix: 'Fix the JSON syntax; AWS rejects the policy at apply time.',
});

export interface PolicyDocuments {
  /** Unknown, invalid and lint findings, in the order the policies were read. */
  results: Result[];
  /** Inline policies by their text without white space, for tf-iam-inline-policy. */
  inlineTexts: Map<string, PolicySite[]>;
}

/** Which attributes of which resource types hold policies, and how each is judged. */
const POLICY_ATTRIBUTES: Record<string, { attribute: string; kind: PolicyKind }[]> = {
  aws_iam_policy: [{ attribute: 'policy', kind: 'identity' }],
  aws_iam_role_policy: [{ attribute: 'policy', kind: 'identity' }],
  aws_iam_user_policy: [{ attribute: 'policy', kind: 'identity' }],
  aws_iam_group_policy: [{ attribute: 'policy', kind: 'identity' }],
  aws_iam_role: [{ attribute: 'assume_role_policy', kind: 'trust' }],
  aws_s3_bucket_policy: [{ attribute: 'policy', kind: 'bucket' }],
  aws_s3_bucket: [{ attribute: 'policy', kind: 'bucket' }],
  aws_kms_key: [{ attribute: 'policy', kind: 'kms' }],
  aws_kms_key_policy: [{ attribute: 'policy', kind: 'kms' }],
  aws_sqs_queue_policy: [{ attribute: 'policy', kind: 'resource' }],
  aws_sqs_queue: [{ attribute: 'policy', kind: 'resource' }],
  aws_sns_topic_policy: [{ attribute: 'policy', kind: 'resource' }],
  aws_sns_topic: [{ attribute: 'policy', kind: 'resource' }],
  aws_ecr_repository_policy: [{ attribute: 'policy', kind: 'resource' }],
  aws_secretsmanager_secret_policy: [{ attribute: 'policy', kind: 'resource' }],
  aws_secretsmanager_secret: [{ attribute: 'policy', kind: 'resource' }],
};

export interface PolicySite {
  resource: TfResource;
  attribute: string;
  kind: PolicyKind;
  value: unknown;
  /** Where to point: the attribute, or the inline_policy block. */
  member: string;
}

function policySites(resource: TfResource): PolicySite[] {
  if (resource.mode !== 'managed') return [];
  const sites: PolicySite[] = [];
  for (const { attribute, kind } of POLICY_ATTRIBUTES[resource.type] ?? []) {
    const value = resource.values[attribute];
    if (value === undefined || value === null || value === '') continue;
    sites.push({ resource, attribute, kind, value, member: attribute });
  }
  if (resource.type === 'aws_iam_role') {
    nestedBlocks(resource.values.inline_policy).forEach((block, i) => {
      if (block.policy === undefined || block.policy === null || block.policy === '') return;
      sites.push({
        resource,
        attribute: `inline_policy[${i}].policy`,
        kind: 'identity',
        value: block.policy,
        member: 'inline_policy',
      });
    });
  }
  return sites;
}

async function resolveSite(site: PolicySite, module: TfModule): Promise<PolicyText> {
  // Plans hold the final JSON, where `${aws:username}` is an IAM policy variable, not a template.
  if (site.resource.fromPlan) {
    return typeof site.value === 'string'
      ? { known: true, text: site.value, via: [] }
      : { known: false, expression: JSON.stringify(site.value), reason: 'not a string' };
  }
  const moduleDir = site.resource.moduleDir ?? dirname(site.resource.origin.file);
  return resolvePolicyText(site.value, { module, moduleDir });
}

async function analyse(module: TfModule): Promise<PolicyDocuments> {
  const results: Result[] = [];
  const referencedDocs = new Set<string>();
  const inlineTexts = new Map<string, PolicySite[]>();
  const sites = module.resources.flatMap(policySites);
  // The WASM parser behind jsonencode() evaluation waits on timers; resolving concurrently overlaps the waits.
  const texts = await Promise.all(sites.map((site) => resolveSite(site, module)));
  for (const [i, site] of sites.entries()) {
    const resource = site.resource;
    const origin = memberOrigin(resource, site.member);
    const text = texts[i]!;
    // A consumer owns the documents it names, whether or not they resolve, so they are not reported twice.
    for (const e of expressionsIn(site.value)) {
      for (const m of e.matchAll(/data\.aws_iam_policy_document\.([A-Za-z_][\w-]*)/g))
        referencedDocs.add(`data.aws_iam_policy_document.${m[1]}`);
    }
    if (!text.known && text.invalid) {
      results.push(finding(resource, POLICY_INVALID, `${site.attribute}: ${text.reason}`, { origin }));
      continue;
    }
    if (!text.known) {
      results.push(
        finding(
          resource,
          POLICY_UNKNOWN,
          `${site.attribute}: value unknown: ${text.reason} (${text.expression})`,
          {
            origin,
            status: 'skip',
          },
        ),
      );
      continue;
    }
    for (const address of text.via) referencedDocs.add(address);
    if (isInline(site)) {
      const key = text.text.replace(/\s+/g, '');
      inlineTexts.set(key, [...(inlineTexts.get(key) ?? []), site]);
    }
    let policy: unknown;
    try {
      policy = JSON.parse(text.text);
    } catch (error) {
      results.push(
        finding(resource, POLICY_INVALID, `${site.attribute}: ${(error as Error).message}`, { origin }),
      );
      continue;
    }
    results.push(
      ...lintResults(resource, site.attribute, policy, site.kind, hasPlaceholders(text.text), origin),
    );
  }
  results.push(...(await unreferencedDocuments(module, referencedDocs)));
  return { results, inlineTexts };
}

const analysed = new WeakMap<TfModule, Promise<PolicyDocuments>>();

/** The module's policies, read once however many rules ask. */
export function policyDocuments(module: TfModule): Promise<PolicyDocuments> {
  let pass = analysed.get(module);
  if (!pass) {
    pass = analyse(module);
    analysed.set(module, pass);
  }
  return pass;
}

function lintResults(
  resource: TfResource,
  attribute: string,
  policy: unknown,
  kind: PolicyKind,
  placeholders: boolean,
  origin: SourcePosition,
): Result[] {
  let findings: IamFinding[];
  try {
    findings = lintPolicy(policy, { kind });
  } catch (error) {
    return [finding(resource, POLICY_INVALID, `${attribute}: ${(error as Error).message}`, { origin })];
  }
  return (
    findings
      // A finding about a `${...}` reference judges Terraform's text, not the value AWS will see.
      .filter((f) => !(placeholders && f.message.includes('${')))
      .map((f) =>
        finding(
          resource,
          terraformRule({ id: f.id, title: f.title, severity: f.severity, pack: CATEGORY, fix: f.fix }),
          `${attribute}: ${f.message}`,
          {
            origin,
            properties: {
              policyKind: kind,
              ...(f.statementIndex !== undefined ? { statementIndex: f.statementIndex } : {}),
            },
          },
        ),
      )
  );
}

/** Policy documents nobody in the module consumes directly are still checked, as identity policies. */
async function unreferencedDocuments(module: TfModule, referenced: Set<string>): Promise<Result[]> {
  const results: Result[] = [];
  for (const doc of module.resources) {
    if (
      doc.mode !== 'data' ||
      doc.type !== 'aws_iam_policy_document' ||
      referenced.has(doc.address) ||
      consumedElsewhere(doc, module)
    )
      continue;
    if (doc.fromPlan) continue;
    const moduleDir = doc.moduleDir ?? dirname(doc.origin.file);
    const args = await policyDocumentArgs(doc, { module, moduleDir });
    if (!args.known) {
      results.push(finding(doc, POLICY_UNKNOWN, `value unknown: ${args.reason}`, { status: 'skip' }));
      continue;
    }
    let json: string;
    try {
      json = composePolicyDocument(args.args).json;
    } catch (error) {
      results.push(finding(doc, POLICY_INVALID, (error as Error).message));
      continue;
    }
    const policy = JSON.parse(json) as { Statement?: { Principal?: unknown; Action?: unknown }[] };
    const statements = policy.Statement ?? [];
    const kind: PolicyKind = statements.some((s) => s.Principal !== undefined)
      ? statements.every((s) =>
          [s.Action].flat().every((a) => typeof a === 'string' && a.startsWith('sts:AssumeRole')),
        )
        ? 'trust'
        : 'resource'
      : 'identity';
    results.push(...lintResults(doc, 'json', policy, kind, json.includes('${'), doc.origin));
  }
  return results;
}

/** Service control policies restrict rather than grant, so identity-policy findings do not apply to them. */
function consumedElsewhere(doc: TfResource, module: TfModule): boolean {
  return module.resources.some(
    (r) =>
      (r.type === 'aws_organizations_policy' &&
        refersTo(r.values.content, 'data.aws_iam_policy_document', doc.name)) ||
      // A document merged into another one is checked as part of it.
      (r !== doc &&
        r.type === 'aws_iam_policy_document' &&
        refersTo(
          [r.values.source_policy_documents, r.values.override_policy_documents],
          'data.aws_iam_policy_document',
          doc.name,
        )),
  );
}

function isInline(site: PolicySite): boolean {
  return (
    ['aws_iam_role_policy', 'aws_iam_user_policy', 'aws_iam_group_policy'].includes(site.resource.type) ||
    site.attribute.startsWith('inline_policy')
  );
}
