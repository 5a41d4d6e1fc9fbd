/**
 * cel-go's math extension (ext.Math, version 2), which Kyverno's CEL environment includes: math.greatest /
 * math.least (arguments or a list), ceil, floor, round, trunc, abs, sign, isNaN, isInf, isFinite, sqrt and the
 * bit operations on int. Ints are 64-bit (bigint): abs of the smallest int overflows, as in cel-go.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { celCompare, evalError, registerNamespace } from './util.js';

const INT_MIN = -(2n ** 63n);
const INT_MAX = 2n ** 63n - 1n;

function pick(values: unknown[], want: 1 | -1, name: string): unknown {
  if (values.length === 0) throw evalError(`math.${name}(): list is empty`);
  let best = values[0];
  for (const v of values.slice(1)) {
    const c = celCompare(v, best);
    if (c === undefined) throw evalError(`math.${name}(): arguments must be numeric`);
    if (c === want) best = v;
  }
  if (celCompare(best, best) === undefined) throw evalError(`math.${name}(): arguments must be numeric`);
  return best;
}

function toInt(v: bigint): bigint {
  if (v < INT_MIN || v > INT_MAX) throw evalError('integer overflow');
  return v;
}

export function registerMath(env: Environment): void {
  const math = registerNamespace(env, 'math', 'MathNamespace');
  const t = math.type;
  for (const [name, want] of [
    ['greatest', 1],
    ['least', -1],
  ] as const) {
    env.registerFunction(`${t}.${name}(list): dyn`, (_: unknown, l: unknown[]) => pick(l, want, name));
    env.registerFunction(`${t}.${name}(int): int`, (_: unknown, a: bigint) => a);
    env.registerFunction(`${t}.${name}(double): double`, (_: unknown, a: number) => a);
    env.registerFunction(`${t}.${name}(dyn, dyn): dyn`, (_: unknown, a: unknown, b: unknown) =>
      pick([a, b], want, name),
    );
    env.registerFunction(`${t}.${name}(dyn, dyn, dyn): dyn`, (_: unknown, ...a: unknown[]) =>
      pick(a, want, name),
    );
    env.registerFunction(`${t}.${name}(dyn, dyn, dyn, dyn): dyn`, (_: unknown, ...a: unknown[]) =>
      pick(a, want, name),
    );
  }
  env.registerFunction(`${t}.ceil(double): double`, (_: unknown, x: number) => Math.ceil(x));
  env.registerFunction(`${t}.floor(double): double`, (_: unknown, x: number) => Math.floor(x));
  // cel-go rounds half away from zero (Go's math.Round), unlike JavaScript's Math.round.
  env.registerFunction(
    `${t}.round(double): double`,
    (_: unknown, x: number) => Math.sign(x) * Math.round(Math.abs(x)),
  );
  env.registerFunction(`${t}.trunc(double): double`, (_: unknown, x: number) => Math.trunc(x));
  env.registerFunction(`${t}.abs(int): int`, (_: unknown, x: bigint) => toInt(x < 0n ? -x : x));
  env.registerFunction(`${t}.abs(double): double`, (_: unknown, x: number) => Math.abs(x));
  env.registerFunction(`${t}.sign(int): int`, (_: unknown, x: bigint) => (x > 0n ? 1n : x < 0n ? -1n : 0n));
  env.registerFunction(`${t}.sign(double): double`, (_: unknown, x: number) =>
    Number.isNaN(x) ? x : Math.sign(x),
  );
  env.registerFunction(`${t}.isNaN(double): bool`, (_: unknown, x: number) => Number.isNaN(x));
  env.registerFunction(
    `${t}.isInf(double): bool`,
    (_: unknown, x: number) => x === Infinity || x === -Infinity,
  );
  env.registerFunction(`${t}.isFinite(double): bool`, (_: unknown, x: number) => Number.isFinite(x));
  env.registerFunction(`${t}.sqrt(double): double`, (_: unknown, x: number) => Math.sqrt(x));
  env.registerFunction(`${t}.sqrt(int): double`, (_: unknown, x: bigint) => Math.sqrt(Number(x)));
  env.registerFunction(`${t}.bitAnd(int, int): int`, (_: unknown, a: bigint, b: bigint) => a & b);
  env.registerFunction(`${t}.bitOr(int, int): int`, (_: unknown, a: bigint, b: bigint) => a | b);
  env.registerFunction(`${t}.bitXor(int, int): int`, (_: unknown, a: bigint, b: bigint) => a ^ b);
  env.registerFunction(`${t}.bitNot(int): int`, (_: unknown, a: bigint) => ~a);
  env.registerFunction(`${t}.bitShiftLeft(int, int): int`, (_: unknown, a: bigint, n: bigint) => {
    if (n < 0n) throw evalError('math.bitShiftLeft() negative offset');
    return n > 63n ? 0n : BigInt.asIntN(64, a << n);
  });
  env.registerFunction(`${t}.bitShiftRight(int, int): int`, (_: unknown, a: bigint, n: bigint) => {
    if (n < 0n) throw evalError('math.bitShiftRight() negative offset');
    // cel-go shifts the bits as unsigned: the sign bit is not carried.
    return n > 63n ? 0n : BigInt.asIntN(64, BigInt.asUintN(64, a) >> n);
  });
}
