import { describe, test } from 'node:test';
import { expectError, expectValue } from '../helpers.js';

const pod = {
  spec: {
    containers: [
      { name: 'a', image: 'nginx' },
      { name: 'b', image: 'redis' },
    ],
  },
  metadata: { labels: { app: 'x', tier: 'web' } },
};

describe('CEL macros and two-variable comprehensions', () => {
  test('standard macros over lists and maps', () => {
    expectValue("object.spec.containers.all(c, c.name != '')", true, { object: pod });
    expectValue("object.spec.containers.exists(c, c.image == 'redis')", true, { object: pod });
    expectValue("object.spec.containers.exists_one(c, c.image.startsWith('n'))", true, { object: pod });
    expectValue('object.spec.containers.map(c, c.name)', ['a', 'b'], { object: pod });
    expectValue("object.spec.containers.filter(c, c.name == 'b').size()", 1, { object: pod });
    expectValue("object.metadata.labels.all(k, k != '')", true, { object: pod });
    expectValue('has(object.spec.containers)', true, { object: pod });
    expectValue('has(object.spec.volumes)', false, { object: pod });
  });
  test('two-variable forms', () => {
    expectValue("object.spec.containers.all(i, c, i < 2 && c.name != '')", true, { object: pod });
    expectValue("object.metadata.labels.exists(k, v, k == 'tier' && v == 'web')", true, { object: pod });
    expectValue('[1, 2, 3].existsOne(i, v, i == v)', false);
    expectValue('[10, 20].transformList(i, v, i + v)', [10, 21]);
    expectValue('[10, 20, 30].transformList(i, v, i > 0, v)', [20, 30]);
    expectValue("{'a': 1, 'b': 2}.transformMap(k, v, v * 10)", { a: 10, b: 20 });
    expectValue("{'a': 1, 'b': 2}.transformMap(k, v, v > 1, v)", { b: 2 });
    expectValue("{'a': 'x'}.transformMapEntry(k, v, {v: k})", { x: 'a' });
    expectError("{'a': 'x', 'b': 'x'}.transformMapEntry(k, v, {v: k})", /already exists/);
  });
  test('optionals', () => {
    expectValue("object.?metadata.?labels.?app.orValue('none')", 'x', { object: pod });
    expectValue("object.?spec.?nodeName.orValue('none')", 'none', { object: pod });
    expectValue("object.metadata.labels[?'missing'].hasValue()", false, { object: pod });
    expectValue('optional.of(1).value()', 1);
    expectValue('optional.none().hasValue()', false);
    expectError('object.spec.nodeName', /No such key/, { object: pod });
  });
  test('numbers from JSON are int or double, and compare across types', () => {
    expectValue('object.replicas + 1', 4, { object: { replicas: 3 } });
    expectValue('object.ratio * 2.0', 1, { object: { ratio: 0.5 } });
    expectValue('object.replicas == 3.0', true, { object: { replicas: 3 } });
    expectValue('1 == 1.0', true);
    expectValue('2 < 2.5', true);
    expectError('9223372036854775807 + 1', /overflow/);
    expectError('1 / 0', /division by zero/);
  });
});
