import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UserError } from '../../src/core/errors.js';
import { parseHcl, parseHclFile } from '../../src/terraform/hcl.js';
import { locateBlocks } from '../../src/terraform/locate.js';
import { fixture } from '../helpers/index.js';

describe('HCL blocks with positions', () => {
  const text = [
    '# resource "commented" "out" {',
    '// also { not a block',
    '/* resource "x" "y" {',
    '}',
    '*/',
    'resource "aws_iam_policy" "p" {',
    `  name   = "braces { in } strings \${var.x} }"`,
    '  policy = <<-EOT',
    '    }}} resource "in" "heredoc" {',
    '  EOT',
    '  lifecycle {',
    '    create_before_destroy = true',
    '  }',
    '}',
    '',
    '  data "aws_iam_policy_document" "d" {',
    '    statement {',
    '      actions = ["s3:*"]',
    '    }',
    '  }',
    'module "m" {',
    '  source = "./m"',
    '}',
    'locals { a = 1 }',
    'locals {',
    '  b = "%{ if true }x%{ endif }"',
    '}',
    'resource "aws_iam_policy" "p" {',
    '  name = "second"',
    '}',
    '',
  ].join('\n');

  test('every top-level block gets its line, column, labels and body', async () => {
    const f = await parseHcl(text, 'main.tf');
    assert.deepEqual(
      f.blocks.map((b) => [b.blockType, b.labels.join('.'), b.line, b.column]),
      [
        ['resource', 'aws_iam_policy.p', 6, 1],
        ['data', 'aws_iam_policy_document.d', 16, 3],
        ['module', 'm', 21, 1],
        ['locals', '', 24, 1],
        ['locals', '', 25, 1],
        ['resource', 'aws_iam_policy.p', 28, 1],
      ],
    );
    assert.equal(f.blocks[0]!.type, 'aws_iam_policy');
    assert.equal(f.blocks[0]!.name, 'p');
    assert.equal(f.blocks[2]!.name, 'm');
    assert.equal(f.blocks[0]!.body.name, `braces { in } strings \${var.x} }`);
    assert.deepEqual(f.blocks[0]!.body.lifecycle, [{ create_before_destroy: true }]);
    assert.equal(f.blocks[5]!.body.name, 'second', 'repeated labels map to their own occurrence');
    assert.deepEqual(f.blocks[3]!.body, { a: 1 });
    assert.equal(f.blocks[4]!.body.b, '%{if true}x%{endif}');
    assert.deepEqual(f.blocks[1]!.body.statement, [{ actions: ['s3:*'] }]);
  });

  test('members record where attributes and nested blocks start', async () => {
    const f = await parseHcl(text, 'main.tf');
    assert.deepEqual(f.blocks[0]!.members, {
      name: { line: 7, column: 3 },
      policy: { line: 8, column: 3 },
      lifecycle: { line: 11, column: 3 },
    });
    assert.deepEqual(f.blocks[1]!.members, { statement: { line: 17, column: 5 } });
  });

  test('invalid HCL throws a UserError with file:line:column', async () => {
    await assert.rejects(
      () => parseHclFile(fixture('terraform', 'fixtures', 'invalid', 'broken.tf')),
      (e: unknown) => {
        assert.ok(e instanceof UserError);
        assert.match(e.message, /broken\.tf:6:11: invalid HCL: Invalid expression/);
        assert.deepEqual({ line: e.position?.line, column: e.position?.column }, { line: 6, column: 11 });
        return true;
      },
    );
    await assert.rejects(
      () => parseHcl('resource "a" "b" {\n', 'x.tf'),
      /^UserError: x\.tf:\d+:\d+: invalid HCL/,
    );
  });

  test('a missing file is a UserError naming it', async () => {
    await assert.rejects(() => parseHclFile('/nonexistent/main.tf'), /\/nonexistent\/main\.tf: cannot read/);
  });

  test('the locator skips escaped template sequences and windows line endings', () => {
    const blocks = locateBlocks(
      `locals {\r\n  a = "$\${not} {"\r\n}\r\nresource "t" "n" {\r\n  x = 1\r\n}\r\n`,
    );
    assert.deepEqual(
      blocks.map((b) => [b.blockType, b.line, b.column]),
      [
        ['locals', 1, 1],
        ['resource', 4, 1],
      ],
    );
  });
});
