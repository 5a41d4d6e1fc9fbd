import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { isObject, type SourcePosition } from '../core/document.js';
import type { Result } from '../core/result.js';
import { ruleResult } from '../core/rule.js';
import { type IamFinding, invalidDocument, lintPolicy, type PolicyKind } from './lint.js';
import { IAM_RULES } from './rules.js';

/** Picks the lint rules for a JSON policy from its shape when the user did not say. */
export function guessPolicyKind(policy: unknown): PolicyKind {
  if (!isObject(policy)) return 'identity';
  const statements = [policy.Statement].flat().filter(isObject);
  if (!statements.some((s) => s.Principal !== undefined || s.NotPrincipal !== undefined)) return 'identity';
  const actions = statements
    .flatMap((s) => [s.Action, s.NotAction].flat())
    .filter((a) => typeof a === 'string') as string[];
  if (
    actions.length > 0 &&
    actions.every((a) => /^sts:(AssumeRole|TagSession|SetSourceIdentity|SetContext)/i.test(a))
  )
    return 'trust';
  const resources = statements
    .flatMap((s) => [s.Resource].flat())
    .filter((r) => typeof r === 'string') as string[];
  if (resources.some((r) => r.startsWith('arn:aws:s3:::')) || actions.some((a) => /^s3:/i.test(a)))
    return 'bucket';
  if (actions.length > 0 && actions.every((a) => /^kms:/i.test(a))) return 'kms';
  return 'resource';
}

/**
 * Lints one JSON policy text; findings point at the statement they are about. A YAML policy (as
 * CloudFormation and the Serverless Framework write them) comes with its parsed value in `parsed`:
 * its positions are read from the same YAML tree, as JSON is YAML.
 */
export function lintJsonText(
  text: string,
  file: string,
  kind?: PolicyKind,
  parsed?: { value: unknown },
): Result[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  const origin = (offset: number): SourcePosition => {
    const pos = lineCounter.linePos(offset);
    return { file, line: pos.line, column: pos.col, index: 0 };
  };
  const start: SourcePosition = { file, line: 1, column: 1, index: 0 };
  let policy: unknown;
  try {
    policy = parsed ? parsed.value : JSON.parse(text);
  } catch (error) {
    return [
      toResult(
        invalidDocument(`invalid JSON: ${(error as Error).message}`, 'Fix the JSON syntax.'),
        file,
        'identity',
        start,
      ),
    ];
  }
  const policyKind = kind ?? guessPolicyKind(policy);
  const statementNodes = (() => {
    if (!isMap(doc.contents)) return [];
    const node = doc.contents.get('Statement', true);
    if (isSeq(node)) return node.items;
    return node ? [node] : [];
  })();
  return lintPolicy(policy, { kind: policyKind }).map((f) => {
    const node = f.statementIndex !== undefined ? statementNodes[f.statementIndex] : undefined;
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    return toResult(f, file, policyKind, range ? origin(range[0]) : start);
  });
}

function toResult(f: IamFinding, file: string, kind: PolicyKind, origin: SourcePosition): Result {
  return ruleResult(IAM_RULES[f.id], {
    resource: { kind: 'IAMPolicy', namespace: '', name: file, apiVersion: kind },
    origin,
    message: f.message,
    severity: f.severity,
    title: f.title,
    fix: f.fix,
    properties: {
      policyKind: kind,
      ...(f.statementIndex !== undefined ? { statementIndex: f.statementIndex } : {}),
    },
  });
}
