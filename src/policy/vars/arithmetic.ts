/**
 * Kyverno's arithmetic JMESPath functions over numbers, Kubernetes quantities and Go durations
 * (pkg/engine/jmespath/arithmetic.go): a JSON number is a scalar; a string is a quantity when
 * Kubernetes can parse it ("12", "1Gi"), otherwise a duration ("1h30m").
 */
import {
  durationFromSeconds,
  durationSeconds,
  formatGoDuration,
  tryParseGoDuration,
} from '../../core/units/duration.js';
import {
  addQuantities,
  divideQuantitiesTruncating,
  formatQuantity,
  isIntegerQuantity,
  multiplyQuantities,
  parseQuantity,
  type Quantity,
  quantityFromInteger,
  quantityToFloat,
  subtractQuantities,
} from '../../core/units/quantity.js';
import { functionError } from './errors.js';

type Operand =
  | { kind: 'scalar'; value: number }
  | { kind: 'quantity'; value: Quantity }
  | { kind: 'duration'; value: bigint };

function operand(arg: unknown): Operand | undefined {
  if (typeof arg === 'number') return { kind: 'scalar', value: arg };
  if (typeof arg === 'string') {
    const q = parseQuantity(arg);
    if (q) return { kind: 'quantity', value: q };
    const d = tryParseGoDuration(arg);
    if (d !== undefined) return { kind: 'duration', value: d };
  }
  return undefined;
}

function operands(name: string, a: unknown, b: unknown): [Operand, Operand] {
  const x = operand(a);
  const y = operand(b);
  if (!x || !y) throw functionError(name, 'invalid operands');
  return [x, y];
}

const mismatch = (name: string) => functionError(name, 'Types mismatch');
const zeroDivision = (name: string) => functionError(name, 'Zero divisor passed');
const nonInteger = (name: string) => functionError(name, 'Non-integer argument(s) passed for modulo');

/** fmt.Sprintf("%v", float64) then resource.ParseQuantity, as Kyverno converts a scalar operand. */
function scalarAsQuantity(n: number): Quantity {
  const q = parseQuantity(String(n).replace(/e\+/, 'e'));
  if (!q)
    throw new Error(
      `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    );
  return q;
}

export function add(a: unknown, b: unknown, name = 'add'): unknown {
  const [x, y] = operands(name, a, b);
  if (x.kind === 'scalar' && y.kind === 'scalar') return x.value + y.value;
  if (x.kind === 'quantity' && y.kind === 'quantity') return formatQuantity(addQuantities(x.value, y.value));
  if (x.kind === 'duration' && y.kind === 'duration') return formatGoDuration(x.value + y.value);
  throw mismatch(name);
}

export function sum(items: unknown[]): unknown {
  if (items.length === 0) throw functionError('sum', 'at least one element in the array is required');
  let result = items[0];
  for (const item of items.slice(1)) result = add(result, item, 'sum');
  return result;
}

export function subtract(a: unknown, b: unknown): unknown {
  const [x, y] = operands('subtract', a, b);
  if (x.kind === 'scalar' && y.kind === 'scalar') return x.value - y.value;
  if (x.kind === 'quantity' && y.kind === 'quantity')
    return formatQuantity(subtractQuantities(x.value, y.value));
  if (x.kind === 'duration' && y.kind === 'duration') return formatGoDuration(x.value - y.value);
  throw mismatch('subtract');
}

export function multiply(a: unknown, b: unknown): unknown {
  let [x, y] = operands('multiply', a, b);
  if (x.kind === 'scalar' && y.kind === 'scalar') return x.value * y.value;
  if (x.kind === 'scalar') [x, y] = [y, x];
  if (y.kind !== 'scalar') throw mismatch('multiply');
  if (x.kind === 'quantity') return formatQuantity(multiplyQuantities(x.value, scalarAsQuantity(y.value)));
  if (x.kind === 'duration') return formatGoDuration(durationFromSeconds(durationSeconds(x.value) * y.value));
  throw mismatch('multiply');
}

export function divide(a: unknown, b: unknown): unknown {
  const [x, y] = operands('divide', a, b);
  if (x.kind === 'scalar') {
    if (y.kind !== 'scalar') throw mismatch('divide');
    if (y.value === 0) throw zeroDivision('divide');
    return x.value / y.value;
  }
  if (x.kind === 'quantity') {
    if (y.kind === 'quantity') {
      const divisor = quantityToFloat(y.value);
      if (divisor === 0) throw zeroDivision('divide');
      return quantityToFloat(x.value) / divisor;
    }
    if (y.kind === 'scalar') {
      if (y.value === 0) throw zeroDivision('divide');
      return formatQuantity(divideQuantitiesTruncating(x.value, scalarAsQuantity(y.value)));
    }
    throw mismatch('divide');
  }
  if (y.kind === 'duration') {
    if (y.value === 0n) throw zeroDivision('divide');
    return durationSeconds(x.value) / durationSeconds(y.value);
  }
  if (y.kind === 'scalar') {
    if (y.value === 0) throw zeroDivision('divide');
    return formatGoDuration(durationFromSeconds(durationSeconds(x.value) / y.value));
  }
  throw mismatch('divide');
}

export function modulo(a: unknown, b: unknown): unknown {
  const [x, y] = operands('modulo', a, b);
  if (x.kind === 'scalar' && y.kind === 'scalar') {
    if (!Number.isInteger(x.value) || !Number.isInteger(y.value)) throw nonInteger('modulo');
    if (y.value === 0) throw zeroDivision('modulo');
    return Number(BigInt(x.value) % BigInt(y.value));
  }
  if (x.kind === 'quantity' && y.kind === 'quantity') {
    if (!isIntegerQuantity(x.value) || !isIntegerQuantity(y.value)) throw nonInteger('modulo');
    const i1 = BigInt(Math.trunc(quantityToFloat(x.value)));
    const i2 = BigInt(Math.trunc(quantityToFloat(y.value)));
    if (i2 === 0n) throw zeroDivision('modulo');
    return formatQuantity(quantityFromInteger(i1 % i2, x.value.format));
  }
  if (x.kind === 'duration' && y.kind === 'duration') {
    if (y.value === 0n) throw zeroDivision('modulo');
    return formatGoDuration(x.value % y.value);
  }
  throw mismatch('modulo');
}

export function round(value: number, digits: number): number {
  if (!Number.isInteger(digits)) throw functionError('round', 'Non-integer argument(s) passed for round off');
  if (digits < 0) throw functionError('round', `2 argument is out of bounds (${digits})`);
  const shift = 10 ** digits;
  // math.Round rounds half away from zero.
  const scaled = value * shift;
  const rounded = Math.sign(scaled) * Math.round(Math.abs(scaled));
  return rounded / shift;
}
