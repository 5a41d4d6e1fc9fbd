/**
 * Kubernetes' quantity library on top of the one Quantity implementation (src/core/units/quantity.ts):
 * quantity(), isQuantity(), comparison, arithmetic, sign, integer/float conversions.
 */
import type { Environment } from '@marcbachmann/cel-js';
import {
  addQuantities,
  compareQuantities,
  formatQuantity,
  isIntegerQuantity,
  parseQuantity,
  type Quantity,
  quantityFromInteger,
  quantityToFloat,
  subtractQuantities,
} from '../../../core/units/quantity.js';
import { evalError } from './util.js';

export class CelQuantity {
  constructor(readonly q: Quantity) {}
  toString(): string {
    return formatQuantity(this.q);
  }
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

function parse(s: string): CelQuantity {
  const q = parseQuantity(s);
  if (!q)
    throw evalError(
      `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    );
  return new CelQuantity(q);
}

function asInteger(q: Quantity): bigint {
  if (!isIntegerQuantity(q)) throw evalError('cannot convert value to integer');
  const n = q.num / 10n ** BigInt(q.scale);
  if (n > INT64_MAX || n < INT64_MIN) throw evalError('cannot convert value to integer');
  return n;
}

export function registerQuantity(env: Environment): void {
  env.registerType('Quantity', CelQuantity);
  env.registerFunction('quantity(string): Quantity', parse);
  env.registerFunction('isQuantity(string): bool', (s: string) => parseQuantity(s) !== undefined);
  env.registerFunction('Quantity.sign(): int', (a: CelQuantity) => BigInt(Math.sign(Number(a.q.num))));
  env.registerFunction('Quantity.isInteger(): bool', (a: CelQuantity) => {
    if (!isIntegerQuantity(a.q)) return false;
    const n = a.q.num / 10n ** BigInt(a.q.scale);
    return n <= INT64_MAX && n >= INT64_MIN;
  });
  env.registerFunction('Quantity.asInteger(): int', (a: CelQuantity) => asInteger(a.q));
  env.registerFunction('Quantity.asApproximateFloat(): double', (a: CelQuantity) => quantityToFloat(a.q));
  env.registerFunction(
    'Quantity.add(Quantity): Quantity',
    (a: CelQuantity, b: CelQuantity) => new CelQuantity(addQuantities(a.q, b.q)),
  );
  env.registerFunction(
    'Quantity.add(int): Quantity',
    (a: CelQuantity, b: bigint) => new CelQuantity(addQuantities(a.q, quantityFromInteger(b, a.q.format))),
  );
  env.registerFunction(
    'Quantity.sub(Quantity): Quantity',
    (a: CelQuantity, b: CelQuantity) => new CelQuantity(subtractQuantities(a.q, b.q)),
  );
  env.registerFunction(
    'Quantity.sub(int): Quantity',
    (a: CelQuantity, b: bigint) =>
      new CelQuantity(subtractQuantities(a.q, quantityFromInteger(b, a.q.format))),
  );
  env.registerFunction(
    'Quantity.isLessThan(Quantity): bool',
    (a: CelQuantity, b: CelQuantity) => compareQuantities(a.q, b.q) < 0,
  );
  env.registerFunction(
    'Quantity.isGreaterThan(Quantity): bool',
    (a: CelQuantity, b: CelQuantity) => compareQuantities(a.q, b.q) > 0,
  );
  env.registerFunction('Quantity.compareTo(Quantity): int', (a: CelQuantity, b: CelQuantity) =>
    BigInt(compareQuantities(a.q, b.q)),
  );
  env.registerOperator(
    'Quantity == Quantity',
    (a: CelQuantity, b: CelQuantity) => compareQuantities(a.q, b.q) === 0,
  );
  env.registerFunction('string(Quantity): string', (a: CelQuantity) => a.toString());
}
