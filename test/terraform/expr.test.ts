import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  callArguments,
  expressionStructure,
  hasInterpolation,
  interpolationOnly,
  literalValue,
  refersTo,
  renderTemplate,
  splitArguments,
} from '../../src/terraform/expr.js';

describe('HCL expression helpers', () => {
  test('interpolations are told from escaped template sequences', () => {
    assert.equal(hasInterpolation('plain'), false);
    assert.equal(hasInterpolation(`arn:$\${aws:username}`), false);
    assert.equal(hasInterpolation('%%{literal}'), false);
    assert.equal(hasInterpolation(`x-\${var.a}`), true);
    assert.equal(hasInterpolation('%{if x}y%{endif}'), true);
  });

  test('interpolationOnly accepts exactly one wrapping interpolation', () => {
    assert.equal(interpolationOnly(`\${jsonencode({ a = "}" })}`), 'jsonencode({ a = "}" })');
    assert.equal(interpolationOnly(`\${var.a}-\${var.b}`), undefined);
    assert.equal(interpolationOnly(`prefix-\${var.a}`), undefined);
  });

  test('literalValue removes escapes and stops at references', () => {
    assert.deepEqual(literalValue({ a: [`$\${x}`, 1, true, null] }), {
      known: true,
      value: { a: [`\${x}`, 1, true, null] },
    });
    assert.deepEqual(literalValue({ a: `\${var.x}` }), { known: false, expression: `\${var.x}` });
    assert.deepEqual(literalValue(`\${path.module}/p.json`, { 'path.module': '.' }), {
      known: true,
      value: './p.json',
    });
  });

  test('call arguments and argument splitting respect nesting and strings', () => {
    assert.equal(callArguments('file("a,b")', 'file'), '"a,b"');
    assert.equal(callArguments('file("a")-x', 'file'), undefined);
    assert.deepEqual(splitArguments('"p.tpl", { a = "x,y", b = [1, 2] }'), [
      '"p.tpl"',
      '{ a = "x,y", b = [1, 2] }',
    ]);
  });

  test('expressionStructure evaluates literal HCL and keeps references as templates', async () => {
    assert.deepEqual(await expressionStructure('{ a = "x", b = [1, var.y] }'), {
      a: 'x',
      b: [1, `\${var.y}`],
    });
  });

  test('renderTemplate substitutes plain variables only', () => {
    assert.deepEqual(renderTemplate(`a=\${a} $\${b}`, { a: 1 }), { known: true, value: `a=1 \${b}` });
    assert.deepEqual(renderTemplate(`\${upper(a)}`, { a: 'x' }), {
      known: false,
      expression: `\${upper(a)}`,
    });
    assert.deepEqual(renderTemplate(`%{ for x in xs }\${x}%{ endfor }`, { xs: 'x' }), {
      known: false,
      expression: '%{ for x in xs }',
    });
  });

  test('refersTo matches whole resource addresses', () => {
    assert.equal(refersTo({ x: [`\${aws_s3_bucket.logs.id}`] }, 'aws_s3_bucket', 'logs'), true);
    assert.equal(refersTo(`\${aws_s3_bucket.logs_old.id}`, 'aws_s3_bucket', 'logs'), false);
    assert.equal(refersTo(`\${data.aws_s3_bucket.logs.id}`, 'aws_s3_bucket', 'logs'), false);
  });
});
