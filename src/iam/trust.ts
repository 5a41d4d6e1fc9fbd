import { UserError } from '../core/errors.js';
import { type ComposedPolicy, composePolicyDocument, type PolicyDocumentArgs } from './compose.js';

/**
 * Trust policies for IAM Roles for Service Accounts (EKS IRSA): the role may be assumed with a web
 * identity token from the cluster's OIDC provider, only by one service account (`:sub`) and only for
 * STS (`:aud`), as the EKS user guide's "Assign IAM roles to Kubernetes service accounts" prescribes.
 */
export interface IrsaOptions {
  oidcProviderArn: string;
  /** Issuer URL (`https://oidc.eks.REGION.amazonaws.com/id/ID`); taken from the ARN when omitted. */
  oidcProviderUrl?: string;
  namespace: string;
  serviceAccount: string;
}

const PROVIDER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/(.+)$/;
/** Kubernetes names (RFC 1123 labels / subdomains); `*` allowed for a wildcard (then StringLike is used). */
const K8S_NAME = /^[a-z0-9*]([-a-z0-9.*]*[a-z0-9*])?$/;

export function irsaArgs(options: IrsaOptions): PolicyDocumentArgs {
  const m = PROVIDER_ARN.exec(options.oidcProviderArn);
  if (!m) {
    throw new UserError(
      `--oidc-provider-arn must look like arn:aws:iam::123456789012:oidc-provider/oidc.eks.REGION.amazonaws.com/id/ID, got "${options.oidcProviderArn}"`,
    );
  }
  const fromArn = m[1] as string;
  const issuer = (options.oidcProviderUrl ?? fromArn).replace(/^https?:\/\//, '').replace(/\/+$/, '');
  if (issuer !== fromArn) {
    throw new UserError(
      `--oidc-provider-url (${issuer}) does not match the provider in --oidc-provider-arn (${fromArn})`,
    );
  }
  for (const [flag, value] of [
    ['namespace', options.namespace],
    ['service-account', options.serviceAccount],
  ] as const) {
    if (!K8S_NAME.test(value) || value.length > 253) {
      throw new UserError(`--${flag} "${value}" is not a valid Kubernetes name`);
    }
  }
  const subject = `system:serviceaccount:${options.namespace}:${options.serviceAccount}`;
  const wildcard = subject.includes('*');
  return {
    statement: [
      {
        effect: 'Allow',
        actions: ['sts:AssumeRoleWithWebIdentity'],
        principals: [{ type: 'Federated', identifiers: [options.oidcProviderArn] }],
        condition: [
          { test: wildcard ? 'StringLike' : 'StringEquals', variable: `${issuer}:sub`, values: [subject] },
          { test: 'StringEquals', variable: `${issuer}:aud`, values: ['sts.amazonaws.com'] },
        ],
      },
    ],
  };
}

export function irsaTrustPolicy(options: IrsaOptions): ComposedPolicy {
  return composePolicyDocument(irsaArgs(options));
}

function hclString(s: string): string {
  // HCL templates interpolate ${ and %{; doubling the sigil keeps them literal.
  return JSON.stringify(s).replace(/([$%])\{/g, (_m, sigil: string) => `${sigil}${sigil}{`);
}

function hclList(values: string[]): string {
  return `[${values.map(hclString).join(', ')}]`;
}

/** Renders data-source arguments as an `aws_iam_policy_document` block (statements, principals, conditions). */
export function policyDocumentHcl(args: PolicyDocumentArgs, name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name))
    throw new UserError(`--name "${name}" is not a valid Terraform name`);
  const lines = [`data "aws_iam_policy_document" "${name}" {`];
  if (args.policy_id) lines.push(`  policy_id = ${hclString(args.policy_id)}`);
  if (args.version) lines.push(`  version   = ${hclString(args.version)}`);
  for (const s of args.statement ?? []) {
    lines.push('  statement {');
    const attrs: [string, string][] = [];
    if (s.sid) attrs.push(['sid', hclString(s.sid)]);
    if (s.effect) attrs.push(['effect', hclString(s.effect)]);
    for (const key of ['actions', 'not_actions', 'resources', 'not_resources'] as const) {
      const v = s[key];
      if (v && v.length > 0) attrs.push([key, hclList(v)]);
    }
    const width = Math.max(0, ...attrs.map(([k]) => k.length));
    for (const [k, v] of attrs) lines.push(`    ${k.padEnd(width)} = ${v}`);
    for (const key of ['principals', 'not_principals'] as const) {
      for (const p of s[key] ?? []) {
        lines.push(
          '',
          `    ${key} {`,
          `      type        = ${hclString(p.type)}`,
          `      identifiers = ${hclList(p.identifiers)}`,
          '    }',
        );
      }
    }
    for (const c of s.condition ?? []) {
      lines.push(
        '',
        '    condition {',
        `      test     = ${hclString(c.test)}`,
        `      variable = ${hclString(c.variable)}`,
        `      values   = ${hclList(c.values)}`,
        '    }',
      );
    }
    lines.push('  }');
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
