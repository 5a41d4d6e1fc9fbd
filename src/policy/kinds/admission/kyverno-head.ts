/**
 * How every policies.kyverno.io loader that compiles a validating body starts (ValidatingPolicy,
 * MutatingPolicy and their Namespaced forms): the named header, and a compiler for the body at a path
 * (the spec itself, or an autogen variant of it).
 */
import { UserError } from '../../../core/errors.js';
import { type CompiledValidating, compileValidating } from './validating.js';

export interface KyvernoPolicyHead {
  kind: string;
  name: string;
  meta: Record<string, unknown>;
  spec: Record<string, unknown>;
  /** `Kind/name`, as messages name the policy. */
  label: string;
  compile(body: Record<string, unknown>, at: string): CompiledValidating;
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function kyvernoPolicyHead(content: Record<string, unknown>, file?: string): KyvernoPolicyHead {
  const kind = String(content.kind);
  const meta = obj(content.metadata);
  const name = String(meta.name ?? '');
  if (!name) throw new UserError(`${kind}: metadata.name is required`, file ? { position: { file } } : {});
  const label = `${kind}/${name}`;
  return {
    kind,
    name,
    meta,
    spec: obj(content.spec),
    label,
    compile: (body, at) =>
      compileValidating(body, body.matchConditions, body.failurePolicy, {
        policy: label,
        file,
        bodyAt: at,
        validationsField: 'validations',
      }),
  };
}
