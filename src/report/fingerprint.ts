import { createHash } from 'node:crypto';
import type { Result } from '../core/result.js';

/**
 * A finding's identity across commits: rule, resource (apiVersion/kind/namespace/name, or a Terraform
 * address) and the field it is about, never its file or line, so moving a document, reformatting a
 * file or editing other resources keeps it. Used by baselines and SARIF partialFingerprints.
 */
export function findingIdentity(r: Pick<Result, 'policy' | 'rule' | 'resource' | 'origin'>): string {
  const res = r.resource;
  return [
    `${r.policy}/${r.rule}`,
    `${res.apiVersion ?? ''}/${res.kind ?? ''}`,
    `${res.namespace ?? ''}/${res.name ?? ''}`,
    r.origin?.path ?? '',
  ].join('|');
}

export function findingFingerprint(r: Pick<Result, 'policy' | 'rule' | 'resource' | 'origin'>): string {
  return createHash('sha256').update(findingIdentity(r)).digest('hex').slice(0, 32);
}
