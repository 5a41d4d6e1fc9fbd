import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PolicyValidationError, parsePolicy } from '../../../src/policy/parse.js';

function load(key: string, extra: Record<string, unknown> = {}) {
  return parsePolicy({
    content: {
      apiVersion: 'kyverno.io/v1',
      kind: 'ClusterPolicy',
      metadata: { name: 'p' },
      spec: {
        rules: [
          {
            name: 'r',
            match: { any: [{ resources: { kinds: ['Pod'] } }] },
            ...extra,
            validate: { deny: { conditions: { any: [{ key, operator: 'Equals', value: true }] } } },
          },
        ],
      },
    },
    origin: { file: 'policy.yaml', line: 3, column: 1, index: 0 },
  });
}

function problemsOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof PolicyValidationError, String(error));
    return error.message;
  }
  assert.fail('expected the policy to be rejected');
}

describe('policy JMESPath is checked when the policy loads', () => {
  test('a JMESPath syntax error names file, line and field', () => {
    const message = problemsOf(() => load('{{ request.object.metadata.[ }}'));
    assert.match(
      message,
      /^policy\.yaml:3:1: invalid policy "p": spec\.rules\[0\]\.validate\.deny\.conditions\.any\[0\]\.key: invalid JMESPath "request\.object\.metadata\.\["/,
    );
  });

  test('an unknown function is rejected', () => {
    assert.match(
      problemsOf(() => load('{{ to_uppercase(request.object.metadata.name) }}')),
      /unknown JMESPath function "to_uppercase"/,
    );
  });

  test('a literal regular expression that does not compile is rejected', () => {
    assert.match(
      problemsOf(() => load("{{ regex_match('(unclosed', request.object.metadata.name) }}")),
      /conditions\.any\[0\]\.key: regex_match: invalid regular expression "\(unclosed"/,
    );
  });

  test('context jmesPath and foreach lists are expressions too', () => {
    assert.match(
      problemsOf(() =>
        load('{{ count }}', {
          context: [{ name: 'count', apiCall: { urlPath: '/api/v1/pods', jmesPath: 'items[?' } }],
        }),
      ),
      /spec\.rules\[0\]\.context\[0\]\.apiCall\.jmesPath: invalid JMESPath "items\[\?"/,
    );
  });

  test('valid expressions, Kyverno functions, escaped and run-time-built variables load', () => {
    load("{{ regex_match('^[a-z]+$', request.object.metadata.name) }}");
    load('{{ request.object.metadata.labels || `{}` | merge(@, {breakglass:null}) }}');
    load('\\{{ not a variable [ }}');
    load("{{ items[?name == '{{element.name}}'] | [0] }}");
    load('{{ regex_match(request.object.metadata.labels.re, request.object.metadata.name) }}');
  });
});
