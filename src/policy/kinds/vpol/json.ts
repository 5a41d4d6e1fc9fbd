/**
 * `rampart apply --json`: JSON-mode ValidatingPolicies (spec.evaluation.mode: JSON) over arbitrary JSON payloads
 * — Terraform plans, IAM documents, CI configs. Each payload is one "resource" named after its file.
 */
import { basename } from 'node:path';
import type { Document } from '../../../core/document.js';
import type { CelServices } from '../../cel/index.js';
import type { LoadedPolicy } from '../../engine/kind.js';
import { type RuleResponse, ruleResponse } from '../../engine/response.js';
import type { VpolPolicy } from './kind.js';
import { evaluateVpolJson } from './policy.js';

function isJsonModePolicy(p: LoadedPolicy): p is VpolPolicy {
  return (p as Partial<VpolPolicy>).vpol?.mode === 'JSON';
}

export function hasJsonModePolicies(policies: readonly LoadedPolicy[]): boolean {
  return policies.some(isJsonModePolicy);
}

export function evaluateJsonPayloads(
  policies: readonly LoadedPolicy[],
  payloads: readonly Document[],
  services?: CelServices,
): RuleResponse[] {
  const out: RuleResponse[] = [];
  for (const doc of payloads) {
    const file = doc.origin.file;
    const name = doc.origin.index > 0 ? `${basename(file)}#${doc.origin.index}` : basename(file);
    const ref = { apiVersion: '', kind: 'JSON', namespace: '', name };
    for (const p of policies) {
      if (!isJsonModePolicy(p)) continue;
      const outcome = evaluateVpolJson(p.vpol, doc.content, services);
      const rule = outcome.status === 'skip' ? '' : 'validation';
      out.push(ruleResponse(p, rule, doc, ref, { status: outcome.status, message: outcome.message }));
    }
  }
  return out;
}
