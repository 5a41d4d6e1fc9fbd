import type { Document } from '../core/document.js';
import { isObject } from '../core/document.js';
import { UserError } from '../core/errors.js';
import { discoverFiles } from '../load/discover.js';
import { loadDocumentsFromFile } from '../load/documents.js';
import { isPolicyDocument, parsePolicy } from './model/parse.js';
import type { Policy } from './model/types.js';

export interface LoadedPolicies {
  policies: Policy[];
  /** Policies that failed validation, with the reason (Kyverno's CLI skips them). */
  invalid: { name: string; file: string; error: UserError }[];
  /** Non-policy documents found among the policy files (e.g. PolicyExceptions). */
  others: Document[];
}

/** Loads every Kyverno policy from files and directories (recursively). */
export async function loadPolicies(paths: readonly string[]): Promise<LoadedPolicies> {
  const files = await discoverFiles(paths);
  const out: LoadedPolicies = { policies: [], invalid: [], others: [] };
  for (const file of files) {
    for (const doc of await loadDocumentsFromFile(file, { expandLists: true })) {
      if (!isPolicyDocument(doc.content)) {
        out.others.push(doc);
        continue;
      }
      try {
        out.policies.push(parsePolicy(doc));
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        const meta = isObject(doc.content) && isObject(doc.content.metadata) ? doc.content.metadata : {};
        out.invalid.push({ name: String(meta.name ?? ''), file, error });
      }
    }
  }
  return out;
}

/** Loads resources (Kubernetes objects) from files, directories and `-`. */
export async function loadResources(paths: readonly string[]): Promise<Document[]> {
  const files = await discoverFiles(paths);
  const docs: Document[] = [];
  for (const file of files) docs.push(...(await loadDocumentsFromFile(file, { expandLists: true })));
  return docs;
}
