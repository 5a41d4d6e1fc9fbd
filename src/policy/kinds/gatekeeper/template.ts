/**
 * templates.gatekeeper.sh ConstraintTemplate (v1, v1beta1, v1alpha1): the constraint kind it defines
 * (`spec.crd.spec.names.kind`), the parameters schema, and its code for the target
 * `admission.k8s.gatekeeper.sh` — `code[]` entries per engine, or the legacy `rego` + `libs` — compiled by
 * the first engine (in Gatekeeper's driver order) that the template has code for.
 */
import { isObject } from '../../../core/document.js';
import { UserError } from '../../../core/errors.js';
import { type CompiledCode, TEMPLATE_ENGINES } from './engines/index.js';
import { compileParameterSchema, type ParameterCheck, SchemaError } from './parameters.js';

export const TEMPLATE_GROUP = 'templates.gatekeeper.sh';
export const ADMISSION_TARGET = 'admission.k8s.gatekeeper.sh';

export interface ConstraintTemplate {
  name: string;
  /** The constraint kind the template defines. */
  kind: string;
  checkParameters: ParameterCheck;
  /** The compiled code, or why none can run here. */
  code: CompiledCode | { unavailable: string };
}

export function isTemplateDocument(content: Record<string, unknown>): boolean {
  return (
    content.kind === 'ConstraintTemplate' && String(content.apiVersion ?? '').startsWith(`${TEMPLATE_GROUP}/`)
  );
}

function obj(v: unknown): Record<string, unknown> {
  return isObject(v) ? v : {};
}

export function loadTemplate(content: Record<string, unknown>, file?: string): ConstraintTemplate {
  const name = String(obj(content.metadata).name ?? '');
  const fail = (problem: string): never => {
    throw new UserError(
      `invalid ConstraintTemplate "${name}": ${problem}`,
      file ? { position: { file } } : {},
    );
  };
  if (!name) fail('metadata.name is required');
  const crdSpec = obj(obj(obj(content.spec).crd).spec);
  const kind = String(obj(crdSpec.names).kind ?? '');
  if (!kind) fail('spec.crd.spec.names.kind is required');
  // Gatekeeper rejects a template whose name is not its kind in lower case.
  if (kind.toLowerCase() !== name)
    fail(`metadata.name must be "${kind.toLowerCase()}", the lower-cased spec.crd.spec.names.kind`);
  let checkParameters: ParameterCheck = () => [];
  try {
    checkParameters = compileParameterSchema(obj(crdSpec.validation).openAPIV3Schema);
  } catch (e) {
    const where = e instanceof SchemaError && e.path ? `.${e.path}` : '';
    const reason = e instanceof SchemaError ? e.reason : (e as Error).message;
    fail(`spec.crd.spec.validation.openAPIV3Schema${where}: ${reason} (invalid parameters schema)`);
  }
  const targets = obj(content.spec).targets;
  if (!Array.isArray(targets) || targets.length !== 1) fail('spec.targets: exactly one target is required');
  const target = obj((targets as unknown[])[0]);
  if (target.target !== ADMISSION_TARGET)
    fail(`spec.targets[0].target: must be "${ADMISSION_TARGET}", got "${String(target.target ?? '')}"`);
  const code = Array.isArray(target.code) ? target.code.map(obj) : [];
  const entries = code.map((c, i) => ({ engine: String(c.engine ?? ''), source: c.source, at: i }));
  if (typeof target.rego === 'string' && target.rego.trim() !== '')
    entries.push({ engine: 'Rego', source: { rego: target.rego, libs: target.libs }, at: -1 });
  if (entries.length === 0) fail('spec.targets[0]: no code (neither code[] nor rego)');
  for (const engine of TEMPLATE_ENGINES) {
    const entry = entries.find((e) => e.engine === engine.name);
    if (!entry) continue;
    const field = entry.at >= 0 ? `spec.targets[0].code[${entry.at}].source` : 'spec.targets[0].rego';
    return {
      name,
      kind,
      checkParameters,
      code: engine.compile(entry.source, { template: name, file, field }),
    };
  }
  return fail(
    `spec.targets[0].code: no code for an engine Rampart knows (${entries.map((e) => e.engine || '""').join(', ')}; known: ${TEMPLATE_ENGINES.map((e) => e.name).join(', ')})`,
  );
}
