/**
 * A rule's `context` entries, evaluated in order as Kyverno's CLI does offline
 * (pkg/engine/context/loaders): `variable` entries are always computed and replace a value supplied
 * by a values file; `configMap`, `apiCall` and `globalReference` entries use the supplied value when
 * there is one, otherwise the offline source, and are left unset when the source has nothing;
 * `imageRegistry` needs a registry and fails unless a value is supplied. Other supplied values are
 * the caller's to set (before the entries, as Kyverno's CLI does).
 */

import { goSprintV } from '../../core/gojson.js';
import type { EvalContext } from './context.js';
import { VariableError } from './errors.js';
import { jmespathSearch } from './jmespath.js';
import { substituteVariables } from './substitute.js';

/** Offline sources, as Kyverno's CLI serves them. */
export interface ContextSources {
  configMap(namespace: string, name: string): Record<string, unknown> | undefined;
  /** undefined → not available */
  apiCall(call: {
    urlPath?: string;
    method?: string;
    data?: unknown;
    service?: unknown;
  }): unknown | undefined;
  globalReference?(name: string): unknown | undefined;
  /** values given by a test/values file for this rule, variable name → value; they override computed entries */
  values?: Record<string, unknown>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The supplied values for an entry: its name itself or dotted keys below it. */
function suppliedFor(values: Record<string, unknown> | undefined, name: string): [string, unknown][] {
  if (!values) return [];
  return Object.entries(values).filter(([k]) => k === name || k.startsWith(`${name}.`));
}

function applyJmesPath(expression: unknown, data: unknown, ctx: EvalContext, where: string): unknown {
  if (typeof expression !== 'string' || expression === '') return data;
  const path = substituteVariables(expression, ctx, where);
  return jmespathSearch(String(path), data);
}

function loadVariable(name: string, spec: Record<string, unknown>, ctx: EvalContext, where: string): void {
  let path = '';
  if (typeof spec.jmesPath === 'string' && spec.jmesPath !== '') {
    try {
      path = String(substituteVariables(spec.jmesPath, ctx, `${where}/variable/jmesPath`));
    } catch (error) {
      throw new VariableError(
        `failed to substitute variables in context entry ${name} ${spec.jmesPath}: ${(error as Error).message}`,
      );
    }
  }
  let defaultValue: unknown = null;
  if (spec.default !== undefined && spec.default !== null) {
    try {
      defaultValue = substituteVariables(spec.default, ctx, `${where}/variable/default`);
    } catch (error) {
      throw new VariableError(
        `failed to substitute variables in context entry ${name} ${goSprintV(spec.default)}: ${(error as Error).message}`,
      );
    }
  }
  let output: unknown = defaultValue;
  if (spec.value !== undefined && spec.value !== null) {
    let value: unknown;
    try {
      value = substituteVariables(spec.value, ctx, `${where}/variable/value`);
    } catch (error) {
      throw new VariableError(
        `failed to substitute variables in context entry ${name} ${goSprintV(spec.value)}: ${(error as Error).message}`,
      );
    }
    if (path !== '') {
      try {
        output = jmespathSearch(path, value);
      } catch (error) {
        if (defaultValue === null) {
          throw new VariableError(
            `failed to apply jmespath ${path} to variable ${goSprintV(value)}: ${(error as Error).message}`,
          );
        }
      }
    } else {
      output = value;
    }
  } else if (path !== '') {
    try {
      const result = ctx.query(path);
      if (result !== null && result !== undefined) output = result;
    } catch (error) {
      if (defaultValue === null) {
        throw new VariableError(
          `failed to apply jmespath ${path} to variable <nil>: ${(error as Error).message}`,
        );
      }
    }
  }
  if (output === null || output === undefined) {
    throw new VariableError(`failed to add context entry for variable ${name} since it evaluated to nil`);
  }
  ctx.set(name, output);
}

/** Applies an entry's jmesPath to fetched data, falling back to its default as Kyverno does. */
function withJmesPathAndDefault(
  name: string,
  spec: Record<string, unknown>,
  data: unknown,
  ctx: EvalContext,
  where: string,
): unknown {
  try {
    const out = applyJmesPath(spec.jmesPath, data, ctx, `${where}/jmesPath`);
    if ((out === null || out === undefined) && spec.default !== undefined) return spec.default;
    return out;
  } catch (error) {
    if (spec.default !== undefined) return spec.default;
    throw new VariableError(
      `failed to apply JMESPath ${String(spec.jmesPath)} for context entry ${name}: ${(error as Error).message}`,
    );
  }
}

function loadConfigMap(
  name: string,
  spec: Record<string, unknown>,
  ctx: EvalContext,
  sources: ContextSources,
  where: string,
): void {
  const cmName = substituteVariables(spec.name ?? '', ctx, `${where}/configMap/name`);
  let namespace = substituteVariables(spec.namespace ?? '', ctx, `${where}/configMap/namespace`);
  if (namespace === '' || namespace === null) namespace = 'default';
  const obj = sources.configMap(String(namespace), String(cmName));
  if (obj === undefined) return;
  ctx.set(name, { data: obj.data ?? {}, metadata: obj.metadata ?? {} });
}

function loadApiCall(
  name: string,
  spec: Record<string, unknown>,
  ctx: EvalContext,
  sources: ContextSources,
  where: string,
): void {
  const call = substituteVariables(
    { urlPath: spec.urlPath, method: spec.method, data: spec.data, service: spec.service },
    ctx,
    `${where}/apiCall`,
  ) as { urlPath?: string; method?: string; data?: unknown; service?: unknown };
  const response = sources.apiCall(call);
  if (response === undefined) {
    if (spec.default !== undefined) ctx.set(name, spec.default);
    return;
  }
  ctx.set(name, withJmesPathAndDefault(name, spec, response, ctx, `${where}/apiCall`));
}

function loadGlobalReference(
  name: string,
  spec: Record<string, unknown>,
  ctx: EvalContext,
  sources: ContextSources,
  where: string,
): void {
  const ref = String(substituteVariables(spec.name ?? '', ctx, `${where}/globalReference/name`));
  const data = sources.globalReference?.(ref);
  if (data === undefined) return;
  ctx.set(name, withJmesPathAndDefault(name, spec, data, ctx, `${where}/globalReference`));
}

/**
 * Evaluates a rule's `context` entries in order and sets them on ctx; see the module comment for how
 * each entry kind treats supplied values (sources.values).
 */
export function loadContextEntries(
  entries: unknown[] | undefined,
  ctx: EvalContext,
  sources: ContextSources,
): void {
  if (!entries || entries.length === 0) return;
  const values = sources.values;
  entries.forEach((entry, index) => {
    if (!isRecord(entry)) throw new VariableError(`invalid context entry at index ${index}`);
    const name = entry.name;
    if (typeof name !== 'string' || name === '')
      throw new VariableError(`context entry at index ${index} has no name`);
    const where = `/context/${index}`;
    if (isRecord(entry.variable)) {
      loadVariable(name, entry.variable, ctx, where);
      return;
    }
    const given = suppliedFor(values, name);
    if (given.length > 0) {
      for (const [k, v] of given) ctx.merge(k, v);
      return;
    }
    if (isRecord(entry.configMap)) loadConfigMap(name, entry.configMap, ctx, sources, where);
    else if (isRecord(entry.apiCall)) loadApiCall(name, entry.apiCall, ctx, sources, where);
    else if (isRecord(entry.globalReference))
      loadGlobalReference(name, entry.globalReference, ctx, sources, where);
    else if (isRecord(entry.imageRegistry)) {
      throw new VariableError(
        `context entry ${name}: imageRegistry lookups are not supported offline; supply a value for it`,
      );
    } else {
      throw new VariableError(
        `context entry ${name} has no variable, configMap, apiCall, globalReference or imageRegistry`,
      );
    }
  });
}
