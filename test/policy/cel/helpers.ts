import assert from 'node:assert/strict';
import { compileCel, fromCel, serviceVariables, toCel } from '../../../src/policy/cel/index.js';
import type { CelServices } from '../../../src/policy/cel/lib/kyverno.js';

/** Compiles and evaluates one expression; returns the JSON form of its value, or throws its runtime error. */
export function run(expression: string, vars: Record<string, unknown> = {}, services?: CelServices): unknown {
  const p = compileCel(expression, { policy: 'test', field: 'expression' });
  const activation: Record<string, unknown> = { ...serviceVariables(services) };
  for (const [k, v] of Object.entries(vars)) activation[k] = toCel(v);
  const out = p.evaluate(activation);
  if (!out.ok) throw new Error(out.error);
  return fromCel(out.value);
}

export function expectValue(
  expression: string,
  expected: unknown,
  vars?: Record<string, unknown>,
  services?: CelServices,
): void {
  assert.deepEqual(run(expression, vars, services), expected, expression);
}

export function expectError(
  expression: string,
  pattern: RegExp,
  vars?: Record<string, unknown>,
  services?: CelServices,
): void {
  assert.throws(() => run(expression, vars, services), pattern, expression);
}
