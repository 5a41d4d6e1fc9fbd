/**
 * policies.kyverno.io PolicyException (v1alpha1, v1beta1, v1) for the CEL policy kinds: `policyRefs` name the
 * policies (by name and kind) it exempts, `matchConditions` (CEL, compiled once) must all hold for the object,
 * and `images` / `allowedValues` are handed to the policy as `exceptions.allowedImages` / `allowedValues`.
 */
import type { Document } from '../../core/document.js';
import { isObject } from '../../core/document.js';
import { UserError } from '../../core/errors.js';
import { type CelProgram, compileCel } from '../cel/index.js';

export interface CelExceptionSpec {
  policyRefs: { name: string; kind?: string }[];
  matchConditions: { name: string; program: CelProgram }[];
  allowedImages: string[];
  allowedValues: string[];
}

const VERSIONS = /^policies\.kyverno\.io\/(v1alpha1|v1beta1|v1)$/;

export function isCelPolicyExceptionDocument(content: unknown): boolean {
  return isObject(content) && content.kind === 'PolicyException' && VERSIONS.test(String(content.apiVersion));
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

export function parseCelExceptionSpec(
  doc: Pick<Document, 'content' | 'origin'>,
  name: string,
): CelExceptionSpec {
  const c = doc.content as Record<string, unknown>;
  const spec = isObject(c.spec) ? c.spec : {};
  const label = `PolicyException/${name}`;
  const fail = (msg: string) =>
    new UserError(`invalid PolicyException "${name}": ${msg}`, { position: doc.origin ?? undefined });
  if (!Array.isArray(spec.policyRefs) || spec.policyRefs.length === 0)
    throw fail('spec.policyRefs: at least one entry is required');
  const policyRefs = spec.policyRefs.map((r: unknown, i: number) => {
    if (!isObject(r) || typeof r.name !== 'string' || !r.name)
      throw fail(`spec.policyRefs[${i}].name: required`);
    return { name: r.name, ...(typeof r.kind === 'string' ? { kind: r.kind } : {}) };
  });
  const matchConditions = (Array.isArray(spec.matchConditions) ? spec.matchConditions : []).map(
    (m: unknown, i: number) => {
      const mc = isObject(m) ? m : {};
      return {
        name: String(mc.name ?? i),
        program: compileCel(
          String(mc.expression ?? ''),
          { policy: label, field: `spec.matchConditions[${i}].expression`, file: doc.origin?.file },
          'bool',
        ),
      };
    },
  );
  return {
    policyRefs,
    matchConditions,
    allowedImages: strings(spec.images),
    allowedValues: strings(spec.allowedValues),
  };
}

/** Whether the exception names this policy and every match condition holds for the activation. */
export function celExceptionApplies(
  spec: CelExceptionSpec,
  policy: { name: string; kind: string },
  activation: Record<string, unknown>,
): boolean {
  if (
    !spec.policyRefs.some((r) => r.name === policy.name && (r.kind === undefined || r.kind === policy.kind))
  )
    return false;
  return spec.matchConditions.every((m) => {
    const r = m.program.evaluate(activation);
    return r.ok && r.value === true;
  });
}
