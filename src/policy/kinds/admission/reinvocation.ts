/**
 * `spec.reinvocationPolicy` of a MutatingAdmissionPolicy or a Kyverno MutatingPolicy: `Never` (the default,
 * as Kyverno's GetReinvocationPolicy and the API server's defaulting give) or `IfNeeded`. The engine's mutate
 * phase does the reinvoking (engine/reinvocation.ts); a kind only reads the field and says, per evaluation,
 * whether an `IfNeeded` policy ran its mutations (`ResourceRequest.markReinvocable`).
 */
import { UserError } from '../../../core/errors.js';

export type ReinvocationPolicy = 'Never' | 'IfNeeded';

export function loadReinvocationPolicy(
  spec: Record<string, unknown>,
  label: string,
  file?: string,
): ReinvocationPolicy {
  const v = spec.reinvocationPolicy;
  if (v === undefined || v === null || v === '') return 'Never';
  if (v === 'Never' || v === 'IfNeeded') return v;
  throw new UserError(
    `${label}: spec.reinvocationPolicy must be Never or IfNeeded, got ${JSON.stringify(v)}`,
    file ? { position: { file } } : {},
  );
}
