/**
 * Running policies over resources the way `rampart apply` and `rampart scan` both need: resources get
 * Kyverno's default namespace, PolicyExceptions and Namespace labels come out of the document set, and
 * large inputs are evaluated in bounded batches read straight from the files.
 */
import type { Document } from '../core/document.js';
import { isObject } from '../core/document.js';
import { UserError } from '../core/errors.js';
import { discoverFiles } from '../load/discover.js';
import { loadDocumentsFromFile, streamDocumentsFromFile } from '../load/documents.js';
import { type EngineResponse, evaluateResources, type RuleResponse, resultsOf } from './engine/evaluate.js';
import { policyKindOf } from './engine/kind.js';
import type { EvaluateOptions, Operation } from './engine/options.js';
import { asResource } from './engine/resource.js';
import { isPolicyExceptionDocument, type PolicyException, parsePolicyException } from './exceptions/index.js';
import { looksUpResources } from './generate/index.js';
import { loadPolicies, loadResources } from './load.js';
import type { UserInfo } from './match/index.js';
import type { LoadedPolicy } from './model/types.js';
import { isPolicyDocument } from './parse.js';
import { offlineSources } from './sources.js';
import { globalOperation, parseUserInfo, parseValuesSpec, type ValuesSpec, valuesOptions } from './values.js';

/** Resources evaluated per engine call when streaming: bounds memory however large the input. */
export const BATCH_SIZE = 256;

/** The PolicyExceptions among documents; invalid ones are collected, not thrown. */
export function collectExceptions(docs: Iterable<Document>): {
  exceptions: PolicyException[];
  errors: UserError[];
} {
  const exceptions: PolicyException[] = [];
  const errors: UserError[] = [];
  for (const d of docs) {
    if (!isPolicyExceptionDocument(d.content)) continue;
    try {
      exceptions.push(parsePolicyException(d));
    } catch (error) {
      if (error instanceof UserError) errors.push(error);
      else throw error;
    }
  }
  return { exceptions, errors };
}

/** Labels of every Namespace object among the documents, by namespace name (plain data: it crosses threads). */
export function namespaceLabels(docs: Iterable<Document>): Record<string, Record<string, string>> {
  const labels: Record<string, Record<string, string>> = {};
  for (const d of docs) {
    const c = d.content;
    if (
      isObject(c) &&
      c.kind === 'Namespace' &&
      isObject(c.metadata) &&
      typeof c.metadata.name === 'string'
    ) {
      labels[c.metadata.name] = isObject(c.metadata.labels)
        ? (c.metadata.labels as Record<string, string>)
        : {};
    }
  }
  return labels;
}

/** Object kinds rules may look up: Namespaces (namespaceSelector), ConfigMaps (context), params of other kinds. */
export function lookupKinds(policies: readonly LoadedPolicy[]): Set<string> {
  const kinds = new Set(['Namespace', 'ConfigMap']);
  const byKind = new Map<ReturnType<typeof policyKindOf>, LoadedPolicy[]>();
  for (const p of policies) {
    const kind = policyKindOf(p);
    if (kind?.referencedKinds) byKind.set(kind, [...(byKind.get(kind) ?? []), p]);
  }
  for (const [kind, own] of byKind) for (const k of kind!.referencedKinds!(own)) kinds.add(k);
  return kinds;
}

/** Every resource document under the paths (files, directories, `-`), policy documents left out. */
export async function* streamResources(files: readonly string[]): AsyncGenerator<Document> {
  for (const file of files) {
    for await (const doc of streamDocumentsFromFile(file)) {
      if (isPolicyDocument(doc.content)) continue;
      yield asResource(doc);
    }
  }
}

/**
 * evaluate() over a stream, one batch at a time. Unsupported policies are reported once, with the
 * first batch (or alone when there is no resource).
 */
export async function evaluateStream(
  policies: readonly LoadedPolicy[],
  documents: AsyncIterable<Document>,
  options: EvaluateOptions,
  batchSize = BATCH_SIZE,
  onResource?: (response: EngineResponse) => void,
): Promise<RuleResponse[]> {
  const results: RuleResponse[] = [];
  let batch: Document[] = [];
  let first = true;
  const flush = () => {
    const opts = first ? options : { ...options, reportUnsupportedPolicies: false };
    const response = evaluateResources(policies, batch, opts);
    for (const r of resultsOf(response)) results.push(r);
    if (onResource) for (const e of response.resources) onResource(e);
    batch = [];
    first = false;
  };
  for await (const doc of documents) {
    batch.push(doc);
    if (batch.length >= batchSize) flush();
  }
  if (batch.length || first) flush();
  return results;
}

export interface ApplyPathsInput {
  /** Policy files and directories (PolicyExceptions among them are used too). */
  policyPaths: readonly string[];
  /** Resource files and directories; `-` reads stdin. */
  resourcePaths: readonly string[];
  /** PolicyException files and directories. */
  exceptionPaths?: readonly string[];
  /** Objects that exist but are not under review (cluster state): looked up, never evaluated. */
  inventoryPaths?: readonly string[];
  /** A Kyverno CLI values file. */
  valuesFile?: string;
  /** A Kyverno CLI user info file. */
  userInfoFile?: string;
  operation?: Operation;
  auditWarn?: boolean;
  /** Called with each resource's engine response (patched resource, generated objects). */
  onResource?: (response: EngineResponse) => void;
}

async function firstDocument(file: string): Promise<unknown> {
  const [doc] = await loadDocumentsFromFile(file);
  return doc?.content ?? {};
}

/**
 * `kyverno apply` from paths: loads policies (an invalid one is an input error — applying the others
 * would silently drop its checks), the values and user info files, exceptions, then `applyToFiles`.
 */
export async function applyPaths(input: ApplyPathsInput): Promise<RuleResponse[]> {
  const loaded = await loadPolicies(input.policyPaths);
  if (loaded.invalid.length) throw loaded.invalid[0]!.error;
  if (loaded.policies.length === 0)
    throw new UserError(`apply: no policies found in ${input.policyPaths.join(', ')}`);
  const values = input.valuesFile
    ? parseValuesSpec(await firstDocument(input.valuesFile), input.valuesFile)
    : undefined;
  const userInfo = input.userInfoFile
    ? parseUserInfo(await firstDocument(input.userInfoFile), input.userInfoFile)
    : undefined;
  const exceptionDocuments = [
    ...loaded.others,
    ...(input.exceptionPaths?.length ? await loadResources(input.exceptionPaths) : []),
  ];
  return applyToFiles({
    policies: loaded.policies,
    resources: input.resourcePaths,
    exceptionDocuments,
    inventory: input.inventoryPaths?.length ? await loadResources(input.inventoryPaths) : undefined,
    values,
    userInfo,
    operation: input.operation,
    auditWarn: input.auditWarn,
    onResource: input.onResource,
  });
}

export interface ApplyFilesInput {
  policies: readonly LoadedPolicy[];
  /** Resource files and directories; `-` reads stdin. */
  resources: readonly string[];
  /** Documents that may hold PolicyExceptions (those among the policy files, --exception files). */
  exceptionDocuments?: readonly Document[];
  /**
   * Objects known to exist but not under review (`--inventory`): every one is available to lookups
   * (namespaceSelector, context, resource.Get, Gatekeeper's data.inventory), none gets a result.
   */
  inventory?: readonly Document[];
  /** A Kyverno CLI values file. */
  values?: ValuesSpec;
  userInfo?: UserInfo;
  /** The admission operation (else the values file's, else CREATE). */
  operation?: Operation;
  auditWarn?: boolean;
  onResource?: (response: EngineResponse) => void;
}

/**
 * `kyverno apply` offline: resources are streamed twice — a first pass keeps only what rules may look
 * up (Namespaces for namespaceSelector, ConfigMaps for context entries, params objects), the second
 * evaluates in batches — so memory stays bounded by the batch size however large the input is.
 * stdin is read once, in the second pass. Invalid PolicyExceptions are input errors.
 */
export async function applyToFiles(input: ApplyFilesInput): Promise<RuleResponse[]> {
  const files = await discoverFiles(input.resources);
  const keep = lookupKinds(input.policies);
  // Generate clones and mutate targets look any object up among the given resources.
  const keepAll = input.policies.some(looksUpResources) || keep.has('*');
  const lookups: Document[] = [];
  for (const file of files.filter((f) => f !== '-')) {
    for await (const doc of streamDocumentsFromFile(file)) {
      const kind = isObject(doc.content) ? doc.content.kind : undefined;
      if (typeof kind === 'string' && (keepAll || keep.has(kind)) && !isPolicyDocument(doc.content))
        lookups.push(asResource(doc));
    }
  }
  for (const doc of input.inventory ?? []) if (!isPolicyDocument(doc.content)) lookups.push(asResource(doc));
  const { exceptions, errors } = collectExceptions(input.exceptionDocuments ?? []);
  if (errors.length) throw errors[0];
  const spec = input.values;
  const options: EvaluateOptions = {
    exceptions,
    ...valuesOptions(spec, lookups, input.userInfo),
    operation: input.operation ?? globalOperation(spec) ?? 'CREATE',
    sources: offlineSources(lookups),
    auditWarn: input.auditWarn,
    resourceSet: lookups,
  };
  return evaluateStream(input.policies, streamResources(files), options, BATCH_SIZE, input.onResource);
}
