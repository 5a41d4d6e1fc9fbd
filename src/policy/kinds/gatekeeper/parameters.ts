/**
 * A template's `spec.crd.spec.validation.openAPIV3Schema`: the schema of its constraints' `spec.parameters`,
 * compiled once with Ajv (OpenAPI v3 structural schemas are JSON Schema plus `nullable` and `x-kubernetes-*`
 * extensions, which Ajv ignores outside strict mode). Errors name the parameter field.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });

export type ParameterCheck = (parameters: unknown) => string[];

/** Compiles the schema; throws an Error with Ajv's reason when the schema itself is invalid. */
export function compileParameterSchema(schema: unknown): ParameterCheck {
  if (schema === undefined || schema === null) return () => [];
  if (typeof schema !== 'object' || Array.isArray(schema)) throw new Error('must be an object');
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema as Record<string, unknown>);
  } catch (e) {
    throw new Error((e as Error).message);
  }
  return (parameters) => {
    if (validate(parameters ?? {})) return [];
    return (validate.errors ?? []).map(describe);
  };
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
  return `${fieldPath(e.instancePath)}: ${e.message ?? e.keyword}`;
}
