/** cel-go's sets extension: sets.contains, sets.equivalent, sets.intersects (CEL equality, any order). */
import type { Environment } from '@marcbachmann/cel-js';
import { charge } from '../cost.js';
import { celEquals, registerNamespace } from './util.js';

function includes(list: unknown[], v: unknown): boolean {
  return list.some((x) => celEquals(x, v));
}

export function registerSets(env: Environment): void {
  const sets = registerNamespace(env, 'sets', 'SetsNamespace');
  env.registerFunction(
    `${sets.type}.contains(list, list): bool`,
    (_: unknown, a: unknown[], b: unknown[]) => {
      charge(a.length * b.length);
      return b.every((v) => includes(a, v));
    },
  );
  env.registerFunction(
    `${sets.type}.equivalent(list, list): bool`,
    (_: unknown, a: unknown[], b: unknown[]) => {
      charge(a.length * b.length);
      return b.every((v) => includes(a, v)) && a.every((v) => includes(b, v));
    },
  );
  env.registerFunction(
    `${sets.type}.intersects(list, list): bool`,
    (_: unknown, a: unknown[], b: unknown[]) => {
      charge(a.length * b.length);
      return b.some((v) => includes(a, v));
    },
  );
}
