/**
 * A template's `spec.crd.spec.validation.openAPIV3Schema`: the schema of its constraints' `spec.parameters`,
 * compiled once with Ajv (OpenAPI v3 structural schemas are JSON Schema plus `nullable` and `x-kubernetes-*`
 * extensions, which Ajv ignores outside strict mode). Errors name the parameter field.
 */
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';

// Ajv takes ~35 ms to load, paid by every command and scan thread that imports the engine although
// only ConstraintTemplates with parameter schemas use it: it is required (synchronously, it is
// CommonJS) on first use.
const require = createRequire(import.meta.url);
let shared: Ajv | undefined;

function ajvInstance(): Ajv {
  if (!shared) {
    const { Ajv: AjvClass } = require('ajv') as typeof import('ajv');
    shared = new AjvClass({ strict: false, allErrors: true, validateFormats: false });
  }
  return shared;
}

/** The schema itself is invalid: `path` is where inside it (`properties.labels.type`), empty for the root. */
export class SchemaError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path ? `${path}: ` : ''}${reason}`);
  }
}

export type ParameterCheck = (parameters: unknown) => string[];

/** Compiles the schema; throws a SchemaError naming the offending place when the schema itself is invalid. */
export function compileParameterSchema(schema: unknown): ParameterCheck {
  if (schema === undefined || schema === null) return () => [];
  if (typeof schema !== 'object' || Array.isArray(schema)) throw new SchemaError('', 'must be an object');
  const ajv = ajvInstance();
  if (!ajv.validateSchema(schema as Record<string, unknown>)) {
    const first = ajv.errors?.[0];
    throw new SchemaError(first ? schemaPath(first.instancePath) : '', first?.message ?? 'invalid schema');
  }
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema as Record<string, unknown>);
  } catch (e) {
    throw new SchemaError('', (e as Error).message);
  }
  return (parameters) => {
    if (validate(parameters ?? {})) return [];
    return (validate.errors ?? []).map(describe);
  };
}

/** `/properties/labels/type` as `properties.labels.type` (the first offending keyword in the schema). */
function schemaPath(instancePath: string): string {
  const parts = instancePath.split('/').slice(1);
  return parts.join('.');
}

function fieldPath(instancePath: string): string {
  let out = 'spec.parameters';
  for (const part of instancePath.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(key) ? `[${key}]` : `.${key}`;
  }
  return out;
}

function describe(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties')
    return `${fieldPath(e.instancePath)}.${(e.params as { additionalProperty: string }).additionalProperty}: unknown field`;
  if (e.keyword === 'required')
    return `${fieldPath(e.instancePath)}.${(e.params as { missingProperty: string }).missingProperty}: required`;
  if (e.keyword === 'enum')
    return `${fieldPath(e.instancePath)}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return `${fieldPath(e.instancePath)}: ${e.message ?? e.keyword}`;
}
