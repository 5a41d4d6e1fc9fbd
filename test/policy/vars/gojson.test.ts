import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { goJsonMarshal, goSprintV } from '../../../src/core/gojson.js';
import { EvalContext, splitVariableName, substituteVariables } from '../../../src/policy/vars/index.js';

describe('Go JSON rendering', () => {
  test('sorts keys and escapes HTML characters like encoding/json', () => {
    assert.equal(goJsonMarshal({ b: 1, a: [true, null, 'x'] }), '{"a":[true,null,"x"],"b":1}');
    assert.equal(goJsonMarshal('<a&b>'), '"\\u003ca\\u0026b\\u003e"');
    assert.equal(goJsonMarshal(1.5), '1.5');
    assert.equal(goJsonMarshal(1e21), '1e+21');
    assert.equal(goJsonMarshal(1e-7), '1e-7');
    assert.equal(goJsonMarshal(undefined), 'null');
  });

  test('%v formatting for nested variables', () => {
    assert.equal(goSprintV('x'), 'x');
    assert.equal(goSprintV(3), '3');
    assert.equal(goSprintV(2.5), '2.5');
    assert.equal(goSprintV(null), '<nil>');
    assert.equal(goSprintV({ b: 1, a: 'x' }), 'map[a:x b:1]');
    assert.equal(goSprintV([1, 'a']), '[1 a]');
  });
});

describe('variable names', () => {
  test('split on dots with CSV quoting', () => {
    assert.deepEqual(splitVariableName('request.object.metadata.name'), [
      'request',
      'object',
      'metadata',
      'name',
    ]);
    assert.deepEqual(splitVariableName('"a.b".c'), ['a.b', 'c']);
    assert.deepEqual(splitVariableName('single'), ['single']);
  });
});

describe('foreach-style use of the context', () => {
  test('element, elementIndex and nested element variables come and go with checkpoints', () => {
    const ctx = new EvalContext({
      request: {
        object: {
          spec: {
            containers: [
              { name: 'a', ports: [80, 443] },
              { name: 'b', ports: [8080] },
            ],
          },
        },
      },
    });
    const seen: string[] = [];
    const containers = ctx.query('request.object.spec.containers') as { name: string }[];
    containers.forEach((container, i) => {
      ctx.checkpoint();
      ctx.set('element', container);
      ctx.set('elementIndex', i);
      ctx.set('element0', container);
      ctx.set('elementIndex0', i);
      const ports = ctx.query('element.ports') as number[];
      ports.forEach((port, j) => {
        ctx.checkpoint();
        ctx.set('element', port);
        ctx.set('elementIndex', j);
        ctx.set('element1', port);
        ctx.set('elementIndex1', j);
        seen.push(
          substituteVariables(
            '{{ element0.name }}[{{ elementIndex0 }}]:{{ element }}@{{ elementIndex1 }}',
            ctx,
          ) as string,
        );
        ctx.restore();
      });
      ctx.restore();
    });
    assert.deepEqual(seen, ['a[0]:80@0', 'a[0]:443@1', 'b[1]:8080@0']);
    assert.throws(() => ctx.query('element'), /Unknown key "element"/);
  });

  test('values supplied with dotted keys merge into the request', () => {
    const ctx = new EvalContext({
      request: { object: { metadata: { name: 'x', labels: { a: '1' } } }, operation: 'CREATE' },
    });
    ctx.merge('request.object.metadata', { labels: { b: '2' } });
    assert.deepEqual(ctx.query('request.object.metadata'), { name: 'x', labels: { a: '1', b: '2' } });
    ctx.set('request.operation', 'UPDATE');
    assert.equal(ctx.operation(), 'UPDATE');
  });
});
