import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TreeInterpreter } from '@jmespath-community/jmespath';
import { jmespathSearch, VariableError } from '../../../src/policy/vars/index.js';
import { argumentsAccepted } from '../../../src/policy/vars/jmespath-arguments.js';

interface Entry {
  _signature: { types: number[]; optional?: boolean; variadic?: boolean }[];
}
const runtime = (TreeInterpreter as unknown as { runtime: any }).runtime;
// The library's own check, as it was before ours replaced it on the instance.
const libraryCheck = Object.getPrototypeOf(runtime).validateArgs as (
  name: string,
  args: unknown[],
  signature: Entry['_signature'],
) => void;

const SAMPLES: unknown[] = [null, 1, 'a', true, [], [1, 2], ['a', 'b'], [{}], [[1]], {}, { a: 1 }];

function argumentLists(max: number): unknown[][] {
  const out: unknown[][] = [[]];
  let previous: unknown[][] = [[]];
  for (let n = 1; n <= max; n++) {
    const next: unknown[][] = [];
    for (const list of previous) for (const s of SAMPLES) next.push([...list, s]);
    out.push(...next);
    previous = next;
  }
  return out;
}

describe('JMESPath argument check without allocations', () => {
  test('accepts exactly the calls the library accepts, for every registered function', () => {
    const table = runtime._functionTable as Record<string, Entry>;
    const lists = argumentLists(3);
    let compared = 0;
    for (const [name, entry] of Object.entries(table)) {
      for (const args of lists) {
        let libraryAccepts = true;
        try {
          libraryCheck.call(runtime, name, args, entry._signature);
        } catch {
          libraryAccepts = false;
        }
        assert.equal(
          argumentsAccepted(runtime, args, entry._signature),
          libraryAccepts,
          `${name}(${args.map((a) => JSON.stringify(a)).join(', ')})`,
        );
        compared++;
      }
    }
    assert.ok(compared > 10_000, `compared ${compared} calls`);
  });

  test('a rejected call still fails with the library error text', () => {
    assert.throws(
      () => jmespathSearch('length(`1`)', {}),
      (e: unknown) =>
        e instanceof VariableError && /Invalid type: length\(\) expected argument 1/.test(e.message),
    );
    assert.throws(
      () => jmespathSearch('length(`1`, `2`)', {}),
      (e: unknown) =>
        e instanceof VariableError && /Invalid arity: length\(\) takes 1 argument/.test(e.message),
    );
    assert.equal(jmespathSearch('length(@)', [1, 2, 3]), 3);
  });
});
