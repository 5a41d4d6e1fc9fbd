import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildImagesVariable,
  EvalContext,
  substituteVariables,
  VariableError,
} from '../../../src/policy/vars/index.js';
import { isWholeSimple } from '../../../src/policy/vars/substitute.js';
import { everyString } from '../../helpers/index.js';

function pod(): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'prod', labels: { app: 'web', tier: 'fe' } },
    spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', resources: { limits: { memory: '2Gi' } } }] },
  };
}

function context(operation = 'CREATE'): EvalContext {
  const object = pod();
  return new EvalContext({
    request: {
      operation,
      object: operation === 'DELETE' ? {} : object,
      oldObject: object,
      namespace: 'prod',
    },
    serviceAccountName: 'builder',
    images: buildImagesVariable(object),
  });
}

describe('{{ }} variables', () => {
  test('a whole-string variable keeps its type; embedded ones become text', () => {
    const ctx = context();
    assert.equal(substituteVariables('{{request.object.metadata.name}}', ctx), 'web');
    assert.equal(substituteVariables('{{ request.object.metadata.name }}', ctx), 'web');
    assert.deepEqual(substituteVariables('{{request.object.metadata.labels}}', ctx), {
      app: 'web',
      tier: 'fe',
    });
    assert.equal(substituteVariables('{{ length(request.object.spec.containers) }}', ctx), 1);
    assert.equal(
      substituteVariables('pod {{request.object.metadata.name}} in {{request.namespace}}', ctx),
      'pod web in prod',
    );
    // Go's encoding/json: keys sorted, no spaces
    assert.equal(
      substituteVariables('labels={{request.object.metadata.labels}}', ctx),
      'labels={"app":"web","tier":"fe"}',
    );
    assert.equal(substituteVariables('n={{ length(request.object.spec.containers) }}', ctx), 'n=1');
    assert.equal(substituteVariables('{{serviceAccountName}}', ctx), 'builder');
    assert.equal(substituteVariables('{{ images.containers.nginx.tag }}', ctx), '1.25');
  });

  test('walks objects, arrays and keys, leaving untouched values as they are', () => {
    const ctx = context();
    const input = {
      msg: '{{request.object.metadata.name}}',
      list: ['{{request.namespace}}', 3, true],
      '{{request.object.kind}}': 'k',
    };
    const out = substituteVariables(input, ctx);
    assert.deepEqual(out, { msg: 'web', list: ['prod', 3, true], Pod: 'k' });
    const plain = { a: { b: ['x'] } };
    assert.equal(substituteVariables(plain, ctx), plain);
  });

  test('nested variables resolve inside out', () => {
    const ctx = context();
    ctx.set('key', 'app');
    assert.equal(substituteVariables('{{ request.object.metadata.labels.{{ key }} }}', ctx), 'web');
    assert.equal(
      substituteVariables('{{request.object.metadata.name}}{{request.namespace}}', ctx),
      'webprod',
    );
  });

  test('escaped variables stay literal', () => {
    const ctx = context();
    assert.equal(
      substituteVariables('\\{{ request.object.metadata.name }} is {{request.object.metadata.name}}', ctx),
      '{{ request.object.metadata.name }} is web',
    );
  });

  test('a missing key is an error naming the variable and the path', () => {
    const ctx = context();
    assert.throws(
      () =>
        substituteVariables({ message: 'team {{request.object.metadata.labels.team}}' }, ctx, '/validate'),
      (e: unknown) =>
        e instanceof VariableError &&
        e.message ===
          'failed to resolve request.object.metadata.labels.team at path /validate/message: JMESPath query failed: Unknown key "team" in path',
    );
    // a default with || avoids it, and a key present with null is not missing
    assert.equal(substituteVariables("{{ request.object.metadata.labels.team || 'none' }}", ctx), 'none');
    ctx.set('request.object.metadata.annotations', null);
    assert.equal(substituteVariables('{{ request.object.metadata.annotations }}', ctx), null);
    assert.equal(substituteVariables('a={{ request.object.metadata.annotations }}', ctx), 'a=null');
  });

  test('JMESPath syntax errors are variable errors', () => {
    const ctx = context();
    assert.throws(
      () => substituteVariables('{{ request.object.( }}', ctx),
      /failed to resolve request.object.\( at path \/: incorrect query/,
    );
  });

  test('DELETE requests read request.oldObject for request.object', () => {
    const ctx = context('DELETE');
    assert.equal(substituteVariables('{{ request.object.metadata.name }}', ctx), 'web');
  });

  test('{{@}} is the current value under request.object', () => {
    const ctx = context();
    const pattern = { spec: { containers: [{ image: '{{@}}', name: 'x-{{@}}' }] } };
    assert.deepEqual(substituteVariables(pattern, ctx, '/validate/pattern'), {
      spec: { containers: [{ image: 'nginx:1.25', name: 'x-nginx' }] },
    });
    // without a rule path the fragment is the pattern itself
    assert.deepEqual(substituteVariables(pattern, ctx), {
      spec: { containers: [{ image: 'nginx:1.25', name: 'x-nginx' }] },
    });
    const foreach = { image: '{{@}}' };
    assert.deepEqual(substituteVariables(foreach, ctx, '/validate/foreach/0/pattern/spec/containers/0'), {
      image: 'nginx:1.25',
    });
  });
});

describe('$( ) references', () => {
  test('resolve relative and absolute paths within the document, with operators', () => {
    const ctx = context();
    const pattern = {
      spec: {
        containers: [
          {
            name: '*',
            resources: {
              limits: { memory: '2Gi', cpu: 2 },
              requests: { memory: '$(<=./../../limits/memory)', cpu: '$(<=./../../limits/cpu)' },
            },
          },
        ],
        hostname: '$(/spec/containers/0/name)',
      },
    };
    const out = substituteVariables(pattern, ctx) as any;
    assert.equal(out.spec.containers[0].resources.requests.memory, '<=2Gi');
    assert.equal(out.spec.containers[0].resources.requests.cpu, '<=2.000000');
    assert.equal(out.spec.hostname, '*');
  });

  test('anchors are ignored when resolving, escapes stay literal', () => {
    const ctx = context();
    const pattern = {
      metadata: { '=(name)': 'web', labels: { app: '$(../../name)', lit: '\\$(../../name)' } },
    };
    const out = substituteVariables(pattern, ctx, '/validate/pattern') as any;
    assert.equal(out.metadata.labels.app, 'web');
    assert.equal(out.metadata.labels.lit, '$(../../name)');
  });

  test('unresolvable references fail', () => {
    const ctx = context();
    assert.throws(
      () => substituteVariables({ a: '$(./missing)' }, ctx),
      /got nil resolved variable \$\(\.\/missing\) at path \/a/,
    );
    assert.throws(
      () => substituteVariables({ a: { b: 1 }, c: '$(/a)' }, ctx),
      /NotResolvedReferenceErr,reference \$\(\/a\) not resolved at path \/c/,
    );
  });
});

describe('a string that is one plain variable', () => {
  test('is told exactly as /^\\{\\{[^{}]*\\}\\}$/ tells it, for every short string of braces and text', () => {
    const pattern = /^\{\{[^{}]*\}\}$/;
    let tried = 0;
    for (const s of everyString(['{', '}', 'a', ' ', '\n'], 7)) {
      assert.equal(isWholeSimple(s), pattern.test(s), JSON.stringify(s));
      tried++;
    }
    assert.equal(tried, 97_656);
    assert.equal(isWholeSimple('{{ request.object.metadata.name }}'), true);
    assert.equal(isWholeSimple('{{ a }} and {{ b }}'), false);
  });
});
