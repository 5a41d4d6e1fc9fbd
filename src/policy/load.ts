import type { Document } from '../core/document.js';
import type { UserError } from '../core/errors.js';
import { discoverFiles } from '../load/discover.js';
import { loadDocumentsFromFile } from '../load/documents.js';
import type { LoadedPolicy } from './model/types.js';
import { loadPolicyDocuments } from './parse.js';

export interface LoadedPolicies {
  /** Policies of every registered kind (Kyverno ClusterPolicy/Policy first), and unsupported placeholders. */
  policies: LoadedPolicy[];
  /** Policies that failed validation, with the reason (Kyverno's CLI skips them). */
  invalid: { name: string; file: string; error: UserError }[];
  /** Non-policy documents found among the policy files (e.g. PolicyExceptions). */
  others: Document[];
}

/** Loads every policy from files and directories (recursively), through the registered policy kinds. */
export async function loadPolicies(paths: readonly string[]): Promise<LoadedPolicies> {
  const files = await discoverFiles(paths);
  const docs: Document[] = [];
  for (const file of files) docs.push(...(await loadDocumentsFromFile(file, { expandLists: true })));
  const loaded = loadPolicyDocuments(docs);
  return {
    policies: loaded.policies,
    invalid: loaded.invalid.map((i) => ({ name: i.name, file: i.origin?.file ?? '', error: i.error })),
    others: loaded.others,
  };
}

/** Loads resources (Kubernetes objects) from files, directories and `-`. */
export async function loadResources(paths: readonly string[]): Promise<Document[]> {
  const files = await discoverFiles(paths);
  const docs: Document[] = [];
  for (const file of files) docs.push(...(await loadDocumentsFromFile(file, { expandLists: true })));
  return docs;
}
