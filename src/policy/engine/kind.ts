/**
 * Policy kinds: how the engine opens up to ClusterPolicy, ValidatingAdmissionPolicy, Gatekeeper
 * constraints and whatever comes next. A kind recognises its documents, loads them into typed policies
 * (with clear errors naming the field), optionally links companion documents (a VAP and its bindings, a
 * ConstraintTemplate and its Constraints), and evaluates one policy against one resource, adding rule
 * responses to the resource's response. `loadPolicyDocuments` (model/parse.ts) and `evaluate`
 * (engine/evaluate.ts) dispatch through the registry below; nothing else knows the kinds.
 *
 * Adding a kind is one folder with a module exporting a `PolicyKind`, plus one line in
 * src/policy/builtins.ts (see docs/CONTRIBUTING.md).
 */
import type { Document, SourcePosition } from '../../core/document.js';
import type { UserError } from '../../core/errors.js';
import type { LoadedPolicy } from '../model/types.js';
import type { EvaluateOptions } from './options.js';
import type { ResourceRequest } from './request.js';

export type { LoadedPolicy } from '../model/types.js';

/**
 * The order in which the engine runs policies on a resource, as an admission chain does: every policy's
 * mutations first (a later policy sees earlier patches), then image verification, then validation (on
 * the fully patched resource), then generation.
 */
export const ENGINE_PHASES = ['mutate', 'verifyImages', 'validate', 'generate'] as const;
export type EnginePhase = (typeof ENGINE_PHASES)[number];

/** A policy document as loaded: plain JSON and where it came from. */
export interface PolicyDocument {
  content: Record<string, unknown>;
  origin: SourcePosition | null;
}

/** A document a kind (or its linking step) rejected, with the error naming the bad fields. */
export interface InvalidPolicy {
  name: string;
  origin: SourcePosition | null;
  error: UserError;
}

export interface LinkResult<P extends LoadedPolicy> {
  /** The policies to evaluate (companion documents merged into them are listed in their `companions`). */
  policies: P[];
  invalid?: InvalidPolicy[];
}

export interface PolicyKind<P extends LoadedPolicy = LoadedPolicy, Prepared = unknown> {
  /** A short unique name: `kyverno`, `vap`, `gatekeeper`. */
  readonly id: string;
  /** Whether this kind owns the document (its apiVersion and kind), companions included. Must be cheap. */
  recognises(content: Record<string, unknown>): boolean;
  /**
   * Validates one document into a typed policy. Throws a UserError (PolicyValidationError from
   * model/header.ts) that names every bad field (`spec.rules[0].validate.pattern: ...`).
   */
  load(doc: PolicyDocument): P;
  /**
   * Sees every document this kind loaded, and every policy of other kinds, once loading is done: merges
   * companions (bindings, constraints) into the policies they belong to. Without it, each loaded document
   * is a policy.
   */
  link?(own: P[], all: readonly LoadedPolicy[]): LinkResult<P>;
  /**
   * Kinds of objects this kind's policies look up in the resource set (params objects): streams keep them.
   * `*` keeps every given object (a mutate-existing policy may target any of them).
   */
  referencedKinds?(policies: readonly P[]): Iterable<string>;
  /**
   * Called once per evaluate run with the policies of this kind and the resource set (the documents
   * evaluated plus `options.resourceSet`): resolve params, compile expressions. Its value is handed to
   * `evaluate`.
   */
  prepare?(policies: readonly P[], resourceSet: readonly Document[], options: EvaluateOptions): Prepared;
  /**
   * Whether the policy applies to the resource at all (a VAP's matchConstraints, a constraint's match),
   * when that can be told for the whole policy: a policy that does not match gets no `evaluate` call and
   * no response. Kinds that match per rule (Kyverno) leave it out and match inside `evaluate`.
   */
  matches?(policy: P, request: ResourceRequest, prepared: Prepared): boolean;
  /** The phases in which this policy does something (most validate-only policies: `['validate']`). */
  phases(policy: P): readonly EnginePhase[];
  /**
   * Evaluates one policy against one resource in one phase: adds rule responses to the request
   * (`request.addResponse`), patches it (`request.patch`), adds generated objects. Must not throw for a
   * problem in the policy or the resource: that is an `error` rule response.
   */
  evaluate(policy: P, request: ResourceRequest, phase: EnginePhase, prepared: Prepared): void;
}

/** The registry holds kinds of every policy type (a kind is contravariant in its policy type). */
type AnyKind = PolicyKind<any, any>;

const kinds: AnyKind[] = [];
const kindOfPolicy = new WeakMap<LoadedPolicy, AnyKind>();

/** Registers a kind; later registrations win over earlier ones for the documents both recognise. */
export function registerPolicyKind<P extends LoadedPolicy, S>(kind: PolicyKind<P, S>): () => void {
  if (kinds.some((k) => k.id === kind.id)) throw new Error(`policy kind "${kind.id}" is already registered`);
  kinds.unshift(kind as AnyKind);
  return () => {
    const i = kinds.indexOf(kind as AnyKind);
    if (i >= 0) kinds.splice(i, 1);
  };
}

export function listPolicyKinds(): readonly PolicyKind[] {
  return kinds;
}

/** The kind that owns a document, if any. */
export function policyKindFor(content: Record<string, unknown>): PolicyKind | undefined {
  for (const k of kinds) if (k.recognises(content)) return k;
  return undefined;
}

/** Records which kind loaded a policy (`loadPolicyDocuments` does it). */
export function rememberPolicyKind(policy: LoadedPolicy, kind: PolicyKind): void {
  kindOfPolicy.set(policy, kind as AnyKind);
}

/** The kind that evaluates a policy: the one that loaded it, else the one that recognises its document. */
export function policyKindOf(policy: LoadedPolicy): PolicyKind | undefined {
  return kindOfPolicy.get(policy) ?? policyKindFor(policy.raw);
}
