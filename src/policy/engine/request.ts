import type { Document } from '../../core/document.js';
import { isObject } from '../../core/document.js';
import type { ResourceRef } from '../../core/result.js';
import type { GroupVersionKind, MatchContext, UserInfo } from '../match/index.js';
import type { LoadedPolicy } from '../model/types.js';
import { buildImagesVariable, type ContextSources, EvalContext, sameImages } from '../vars/index.js';
import type { EvaluateOptions, Operation, SuppliedValues } from './options.js';
import { resourceRef } from './resource.js';
import type { EngineResponse, RuleResponse } from './response.js';

const EMPTY_SOURCES: ContextSources = {
  configMap: () => undefined,
  apiCall: () => undefined,
};

/** The context sources of a run: lookups the options supply, nothing for the rest. */
export function contextSources(options: EvaluateOptions): ContextSources {
  return { ...EMPTY_SOURCES, ...options.sources } as ContextSources;
}

/**
 * One resource going through the engine: the admission request every policy kind evaluates, and the
 * response being built. Mutating rules call `patch`; every later rule and policy then sees the patched
 * object (in matching and in the JSON context, which is rebuilt), as Kyverno chains mutations.
 */
export class ResourceRequest {
  readonly document: Document;
  readonly operation: Operation;
  readonly options: EvaluateOptions;
  readonly sources: ContextSources;
  /** The resource's identity as loaded; responses keep it even when a patch renames nothing. */
  readonly ref: ResourceRef;
  readonly oldObject: unknown;
  /** The subresource view the values file asks for, if any. */
  readonly subresourceView: { gvk: GroupVersionKind; subresource: string } | undefined;
  readonly matchContext: MatchContext;
  /** Increases on every patch, so callers holding a JSON context know it is stale. */
  revision = 0;
  private newObject: Record<string, unknown>;
  private subject: Record<string, any>;
  private imagesVar: Record<string, unknown> | undefined;
  /** The last images variable built, and the object it was built from (kept across patches). */
  private imagesBuilt: { from: unknown; value: Record<string, unknown> } | undefined;
  private sharedCtx: EvalContext | undefined;
  private readonly out: EngineResponse;
  private stoppedPolicies: Set<LoadedPolicy> | undefined;
  private reinvocable: LoadedPolicy | undefined;

  /** `responses` is where rule responses go (the response's own list unless a caller collects them flat). */
  constructor(
    document: Document,
    options: EvaluateOptions,
    sources: ContextSources,
    responses: RuleResponse[] = [],
  ) {
    const operation = options.operation ?? 'CREATE';
    const content = document.content as Record<string, unknown>;
    this.document = document;
    this.operation = operation;
    this.options = options;
    this.sources = sources;
    this.newObject = operation === 'DELETE' ? {} : content;
    this.oldObject =
      operation === 'DELETE'
        ? content
        : operation === 'UPDATE'
          ? (options.oldObject?.(document) ?? content)
          : (options.oldObject?.(document) ?? null);
    this.subject = (operation === 'DELETE' ? content : this.newObject) as Record<string, any>;
    this.ref = resourceRef(this.subject);
    this.subresourceView = options.subresourceFor?.(document);
    const sub = this.subresourceView;
    this.matchContext = {
      resource: this.subject,
      operation,
      subresource: sub?.subresource ?? options.subresource,
      ...(sub ? { gvk: sub.gvk } : {}),
      userInfo: options.userInfo,
      namespaceLabels: options.namespaceLabels,
    };
    this.out = { document, resource: this.ref, generated: [], ruleResponses: responses };
  }

  /** The object rules look at: the new object (patched by earlier rules), or the old one on DELETE. */
  get resource(): Record<string, any> {
    return this.subject;
  }

  /**
   * The JSON context (`request.object`, `request.operation`, `images`, ...) for rules. Built lazily and
   * shared by every policy unless the values supply policy-specific variables: building it is a large
   * part of the cost. A patch invalidates it.
   */
  contextFor(supplied: SuppliedValues | undefined): EvalContext {
    const own = supplied?.variables && Object.keys(supplied.variables).length > 0;
    if (!own && this.sharedCtx) return this.sharedCtx;
    const ctx = new EvalContext(
      buildRoot(
        this.newObject,
        this.oldObject,
        this.operation,
        this.ref.namespace,
        this.options.userInfo,
        this.images(),
        this.options.variables,
        own ? supplied : undefined,
      ),
    );
    if (!own) this.sharedCtx = ctx;
    return ctx;
  }

  /** Replaces the resource with its patched form: matching and contexts see it from now on. */
  patch(patched: Record<string, unknown>): void {
    if (this.operation === 'DELETE') return;
    this.newObject = patched;
    this.subject = patched;
    this.matchContext.resource = patched;
    this.sharedCtx = undefined;
    this.imagesVar = undefined;
    this.revision++;
    this.out.patchedResource = patched;
  }

  addResponse(response: RuleResponse): void {
    this.out.ruleResponses.push(response);
  }

  addGenerated(objects: readonly Record<string, unknown>[]): void {
    for (const o of objects) this.out.generated.push(o);
  }

  /** How many rule responses the list holds: a mark for `responsesSince`. */
  responseCount(): number {
    return this.out.ruleResponses.length;
  }

  /** The rule responses added since `mark` (a `responseCount`). */
  responsesSince(mark: number): RuleResponse[] {
    return this.out.ruleResponses.slice(mark);
  }

  /** Takes responses out again (a reinvoked policy's superseded ones), by identity. */
  removeResponses(responses: readonly RuleResponse[]): void {
    for (const r of responses) {
      const i = this.out.ruleResponses.lastIndexOf(r);
      if (i >= 0) this.out.ruleResponses.splice(i, 1);
    }
  }

  /**
   * A mutating policy with `reinvocationPolicy: IfNeeded` ran its mutations on this resource: the mutate
   * phase may run it once more if a later policy changes the object (engine/reinvocation.ts).
   */
  markReinvocable(policy: LoadedPolicy): void {
    this.reinvocable = policy;
  }

  /** Whether `policy` marked itself reinvocable in the evaluation just done; clears the mark. */
  takeReinvocable(policy: LoadedPolicy): boolean {
    const marked = this.reinvocable === policy;
    this.reinvocable = undefined;
    return marked;
  }

  /** spec.applyRules: One — a policy that applied a rule evaluates no further rules, in any phase. */
  stop(policy: LoadedPolicy): void {
    (this.stoppedPolicies ??= new Set()).add(policy);
  }

  isStopped(policy: LoadedPolicy): boolean {
    return this.stoppedPolicies?.has(policy) ?? false;
  }

  response(): EngineResponse {
    return this.out;
  }

  private images(): Record<string, unknown> {
    if (this.imagesVar) return this.imagesVar;
    // After a patch that left every container image as it was, the previous variable still holds.
    // Keys are compared only here, after a patch, so resources that are never patched pay nothing.
    const built = this.imagesBuilt;
    if (built && sameImages(built.from, this.subject)) {
      this.imagesVar = built.value;
      return this.imagesVar;
    }
    const subject = this.subject;
    this.imagesVar = lazyObject(() => {
      try {
        return buildImagesVariable(subject);
      } catch {
        return {};
      }
    });
    this.imagesBuilt = { from: subject, value: this.imagesVar };
    return this.imagesVar;
  }
}

/**
 * An object built on first use: `images` is part of every rule's context, but parsing every container
 * image of every resource costs about 5% of a scan, and most policies never read it. Reads, key
 * listings and spreads all see the built object.
 */
function lazyObject(build: () => Record<string, unknown>): Record<string, unknown> {
  let built: Record<string, unknown> | undefined;
  const real = () => (built ??= build());
  return new Proxy<Record<string, unknown>>(
    {},
    {
      get: (_, key) => Reflect.get(real(), key),
      has: (_, key) => Reflect.has(real(), key),
      ownKeys: () => Reflect.ownKeys(real()),
      getOwnPropertyDescriptor: (_, key) => {
        const d = Reflect.getOwnPropertyDescriptor(real(), key);
        // A proxy may only report a property its (empty) target lacks as configurable.
        return d && { ...d, configurable: true };
      },
    },
  );
}

/** Whether a document can be evaluated at all (Kubernetes objects are JSON objects). */
export function isEvaluable(doc: Document): boolean {
  return isObject(doc.content);
}

function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: Record<string, unknown> = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i]!;
    const next = node[key];
    if (!isObject(next)) node[key] = {};
    else node[key] = { ...next };
    node = node[key] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

function serviceAccount(username: string | undefined): { name: string; namespace: string } {
  const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username ?? '');
  return m ? { namespace: m[1]!, name: m[2]! } : { namespace: '', name: '' };
}

function buildRoot(
  object: unknown,
  oldObject: unknown,
  operation: Operation,
  namespace: string,
  userInfo: UserInfo | undefined,
  images: Record<string, unknown>,
  variables: Record<string, unknown> | undefined,
  supplied: SuppliedValues | undefined,
): Record<string, unknown> {
  const sa = serviceAccount(userInfo?.username);
  const root: Record<string, unknown> = {
    request: {
      operation,
      object,
      oldObject,
      namespace,
      userInfo: {
        username: userInfo?.username ?? '',
        uid: userInfo?.uid ?? '',
        // Kubernetes' UserInfo marshals groups with omitempty: no groups is a missing (null) field.
        ...(userInfo?.groups?.length ? { groups: userInfo.groups } : {}),
      },
      roles: userInfo?.roles ?? [],
      clusterRoles: userInfo?.clusterRoles ?? [],
    },
    serviceAccountName: sa.name,
    serviceAccountNamespace: sa.namespace,
    images,
  };
  if (variables) addVariables(root, variables);
  for (const [path, value] of Object.entries(supplied?.variables ?? {})) setPath(root, path, value);
  return root;
}

/**
 * The scan's variables (`rampart.*` parameters) nested as setPath nests them, built once per
 * variables object. Every resource's context then holds the same `rampart` object: nothing is
 * rebuilt per resource, and expressions over it are remembered across resources (see memoized in
 * vars/jmespath.ts). Context writes copy along their path, so the shared objects are never changed.
 */
const variableTrees = new WeakMap<Record<string, unknown>, Record<string, unknown>>();

function addVariables(root: Record<string, unknown>, variables: Record<string, unknown>): void {
  let tree = variableTrees.get(variables);
  if (tree === undefined) {
    tree = {};
    for (const [path, value] of Object.entries(variables)) setPath(tree, path, value);
    variableTrees.set(variables, tree);
  }
  const keys = Object.keys(tree);
  // A variable under one of the context's own names (request.*, images) is merged into it, as before.
  if (keys.some((k) => Object.hasOwn(root, k))) {
    for (const [path, value] of Object.entries(variables)) setPath(root, path, value);
    return;
  }
  for (const k of keys) root[k] = tree[k];
}
