import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { discoverFiles } from '../../src/load/discover.js';
import {
  parseYamlDocuments,
  parseYamlDocumentsFast,
  parseYamlDocumentsPrecise,
} from '../../src/load/yaml.js';
import { REPO_ROOT } from '../helpers/index.js';

function outcome(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe('YAML fast path', () => {
  test('gives exactly what the precise parser gives on every YAML file of the repository', async () => {
    const files = (
      await discoverFiles([`${REPO_ROOT}/examples`, `${REPO_ROOT}/src/packs`, `${REPO_ROOT}/test`], {
        accept: (n) => /\.ya?ml$/.test(n),
      })
    ).filter((f) => !f.includes('/node_modules/'));
    assert.ok(files.length > 50, `only ${files.length} files`);
    let fast = 0;
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      if (parseYamlDocumentsFast(text, file, 0, 0) !== undefined) fast++;
      assert.deepEqual(
        outcome(() => parseYamlDocuments(text, file)),
        outcome(() => parseYamlDocumentsPrecise(text, file)),
        file,
      );
    }
    // Equal results prove nothing if every file fell back to the precise parser: most must not.
    assert.ok(fast >= files.length * 0.8, `the fast path parsed only ${fast} of ${files.length} files`);
  });

  test('takes the fast path for plain documents and falls back for what it cannot place', () => {
    const fast = [
      'a: 1\n---\nb: 2\n',
      '--- {a: 1}\n--- |\n  text\n',
      'a: 1\r\n---\r\nb: 2\r\n',
      'list:\n- a\n',
    ];
    for (const text of fast) {
      const parsed = parseYamlDocumentsFast(text, 'f.yaml', 0, 0);
      assert.ok(parsed !== undefined, `fast path expected for ${JSON.stringify(text)}`);
      assert.deepEqual(parsed, parseYamlDocumentsPrecise(text, 'f.yaml'));
    }
    const precise = [
      'x: &a [1]\ny: *a\n', // aliases: the precise parser enforces the alias limit
      '%YAML 1.2\n---\na: 1\n...\n', // directives and document-end markers
      'kind: List\nitems:\n  - a: 1\n', // List items need their own positions
      'bad: [1, 2\n', // errors are always reported by the precise parser
    ];
    for (const text of precise)
      assert.equal(parseYamlDocumentsFast(text, 'f.yaml', 0, 0), undefined, JSON.stringify(text));
  });

  test('handles markers, inline documents, comments, empty documents and CRLF like the precise parser', () => {
    const cases = [
      'a: 1\n---\nb: 2\n',
      '---\na: 1\n---\n---\n# only a comment\n---\nb: [1, 2]\n',
      '# leading comment\n\n  a: 1\n',
      '--- {a: 1}\n--- |\n  text\n',
      'a: 1\r\n---\r\nb: 2\r\n',
      'key: "--- not a marker"\nother: |\n  line one\n  --- inside\n',
      'a: 1\na: 2\n',
      'when: 2024-01-01\nyes: yes\nnum: 0o17\nhex: 0x1F\nnull1: ~\n',
      'list:\n- a\n- b: c\n',
      'kind: List\nitems:\n  - a: 1\n  - b: 2\n',
      'x: &a [1]\ny: *a\n',
      'bad: [1, 2\n',
      '%YAML 1.2\n---\na: 1\n...\n',
    ];
    for (const text of cases) {
      assert.deepEqual(
        outcome(() => parseYamlDocuments(text, 'f.yaml', 10, 3)),
        outcome(() => parseYamlDocumentsPrecise(text, 'f.yaml', 10, 3)),
        JSON.stringify(text),
      );
    }
  });
});

describe('YAML errors point at the mistake', () => {
  test('an unclosed quote points at the opening quote, not the end of the file', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "broken\ndata:\n  a: b\n  c: d\n';
    assert.throws(
      () => parseYamlDocuments(text, 'cm.yaml'),
      /^UserError: cm\.yaml:4:9: invalid YAML: Missing closing "quote/,
    );
    assert.throws(() => parseYamlDocuments(text, 'cm.yaml', 10), /cm\.yaml:14:9: /);
    assert.throws(
      () => parseYamlDocuments("a: 'it''s\nb: c\n", 's.yaml'),
      /s\.yaml:1:4: invalid YAML: Missing closing 'quote/,
    );
  });
});
