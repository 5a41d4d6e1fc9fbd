/**
 * Loading policy documents through the registered policy kinds (src/policy/engine/kind.ts): the kind
 * that recognises a document validates it into its typed policy; known kinds nobody handles yet load as
 * "unsupported" (one skip result); anything else is not a policy document.
 */
import './builtins.js';
import type { Document, SourcePosition } from '../core/document.js';
import { isObject } from '../core/document.js';
import { UserError } from '../core/errors.js';
import {
  type InvalidPolicy,
  type PolicyDocument,
  type PolicyKind,
  policyKindFor,
  rememberPolicyKind,
} from './engine/kind.js';
import { kyvernoPolicyKind } from './kyverno/kind.js';
import { isKyvernoPolicyDocument } from './kyverno/model.js';
import { isKnownUnsupportedPolicy, unsupportedPolicy } from './model/header.js';
import type { LoadedPolicy, Policy } from './model/types.js';

export { parseFailureAction } from './kyverno/model.js';
export { PolicyValidationError } from './model/header.js';

/** Whether a document is a policy of any registered kind, or of a known kind that loads as unsupported. */
export function isPolicyDocument(content: unknown): boolean {
  return isObject(content) && (policyKindFor(content) !== undefined || isKnownUnsupportedPolicy(content));
}

type DocumentLike = { content: unknown; origin?: SourcePosition | null };

function asPolicyDocument(doc: DocumentLike): PolicyDocument {
  if (!isObject(doc.content))
    throw new UserError('a policy must be an object', { position: doc.origin ?? undefined });
  return { content: doc.content, origin: doc.origin ?? null };
}

/**
 * A Kyverno ClusterPolicy / Policy document as a Policy (throws PolicyValidationError naming every bad
 * field); other known policy kinds give an unsupported placeholder. Use `loadPolicyDocument` to load a
 * document of any registered kind.
 */
export function parsePolicy(doc: DocumentLike): Policy {
  const d = asPolicyDocument(doc);
  if (isKyvernoPolicyDocument(d.content)) {
    const policy = kyvernoPolicyKind.load(d);
    rememberPolicyKind(policy, kyvernoPolicyKind);
    return policy;
  }
  return unsupportedPolicy(d.content, d.origin);
}

/** One document through the kind that recognises it (throws a UserError naming the bad fields). */
export function loadPolicyDocument(doc: DocumentLike): LoadedPolicy {
  const d = asPolicyDocument(doc);
  const kind = policyKindFor(d.content);
  if (!kind) return unsupportedPolicy(d.content, d.origin);
  const policy = kind.load(d);
  rememberPolicyKind(policy, kind);
  return policy;
}

export interface LoadedPolicyDocuments {
  policies: LoadedPolicy[];
  /** Documents that failed validation, with the reason (Kyverno's CLI skips them). */
  invalid: InvalidPolicy[];
  /** Documents that are not policies (e.g. PolicyExceptions, resources). */
  others: Document[];
}

function nameOf(content: unknown): string {
  const meta = isObject(content) && isObject(content.metadata) ? content.metadata : {};
  return String(meta.name ?? '');
}

/**
 * Loads every policy document of a set, then lets each kind link its documents (a binding to its
 * policy, constraints to their template) with every loaded policy in view. Order is kept.
 */
export function loadPolicyDocuments(docs: readonly Document[]): LoadedPolicyDocuments {
  const out: LoadedPolicyDocuments = { policies: [], invalid: [], others: [] };
  const byKind = new Map<PolicyKind, LoadedPolicy[]>();
  for (const doc of docs) {
    if (!isPolicyDocument(doc.content)) {
      out.others.push(doc);
      continue;
    }
    try {
      const policy = loadPolicyDocument(doc);
      out.policies.push(policy);
      const kind = policyKindFor(policy.raw);
      if (kind?.link) byKind.set(kind, [...(byKind.get(kind) ?? []), policy]);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      out.invalid.push({ name: nameOf(doc.content), origin: doc.origin, error });
    }
  }
  for (const [kind, own] of byKind) {
    const linked = kind.link!(own, out.policies);
    const ownSet = new Set(own);
    // The kind's linked policies take the place of its first document; the others keep their order.
    const first = out.policies.findIndex((p) => ownSet.has(p));
    const rest = out.policies.filter((p) => !ownSet.has(p));
    rest.splice(first, 0, ...linked.policies);
    for (const p of linked.policies) rememberPolicyKind(p, kind);
    out.policies = rest;
    out.invalid.push(...(linked.invalid ?? []));
  }
  return out;
}
