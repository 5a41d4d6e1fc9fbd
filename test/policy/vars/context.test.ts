import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type ContextSources,
  EvalContext,
  loadContextEntries,
  VariableError,
} from '../../../src/policy/vars/index.js';

const object = {
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'prod', labels: { app: 'web' } },
  spec: { replicas: 3 },
};

function ctx(): EvalContext {
  return new EvalContext({ request: { object, operation: 'CREATE', namespace: 'prod' } });
}

const noSources: ContextSources = { configMap: () => undefined, apiCall: () => undefined };

describe('EvalContext', () => {
  test('set creates nested objects for dotted names without touching siblings', () => {
    const c = ctx();
    c.set('request.object.metadata.name', 'renamed');
    assert.equal(c.query('request.object.metadata.name'), 'renamed');
    assert.equal(c.query('request.object.metadata.namespace'), 'prod');
    assert.equal(c.query('request.operation'), 'CREATE');
    c.set('"a.b".c', 1);
    assert.equal(c.query('"a.b".c'), 1);
    // the caller's resource is never mutated
    assert.equal(object.metadata.name, 'web');
  });

  test('checkpoint and restore form a stack', () => {
    const c = ctx();
    c.checkpoint();
    c.set('element', { name: 'a' });
    c.checkpoint();
    c.set('element', { name: 'b' });
    c.set('elementIndex', 1);
    assert.equal(c.query('element.name'), 'b');
    c.restore();
    assert.equal(c.query('element.name'), 'a');
    assert.throws(() => c.query('elementIndex'), /Unknown key "elementIndex"/);
    c.restore();
    assert.throws(() => c.query('element'), VariableError);
    // restoring an empty stack is harmless
    c.restore();
    assert.equal(c.query('request.namespace'), 'prod');
  });

  test('query errors carry Kyverno texts', () => {
    const c = ctx();
    assert.throws(() => c.query(''), /invalid query \(nil\)/);
    assert.throws(() => c.query('request.('), /^VariableError: incorrect query request\.\(: /);
    assert.throws(() => c.query('request.missing'), /JMESPath query failed: Unknown key "missing" in path/);
    assert.equal(c.query('request.object.spec.replicas'), 3);
  });
});

describe('context entries', () => {
  test('variable entries: jmesPath, value, default, and nil results', () => {
    const c = ctx();
    loadContextEntries(
      [
        { name: 'app', variable: { jmesPath: 'request.object.metadata.labels.app' } },
        { name: 'team', variable: { jmesPath: 'request.object.metadata.labels.team', default: 'platform' } },
        { name: 'literal', variable: { value: { list: ['{{ app }}', 'b'] } } },
        { name: 'first', variable: { value: { list: ['x', 'y'] }, jmesPath: 'list[0]' } },
        { name: 'count', variable: { jmesPath: 'request.object.spec.replicas' } },
      ],
      c,
      noSources,
    );
    assert.equal(c.query('app'), 'web');
    assert.equal(c.query('team'), 'platform');
    assert.deepEqual(c.query('literal'), { list: ['web', 'b'] });
    assert.equal(c.query('first'), 'x');
    assert.equal(c.query('count'), 3);
    assert.throws(
      () => loadContextEntries([{ name: 'x', variable: { jmesPath: 'request.object.nope' } }], c, noSources),
      /failed to apply jmespath request.object.nope to variable <nil>: JMESPath query failed: Unknown key "nope" in path/,
    );
    assert.throws(
      () =>
        loadContextEntries(
          [
            {
              name: 'x',
              variable: { value: null, jmesPath: 'request.object.metadata.annotations || `null`' },
            },
          ],
          c,
          noSources,
        ),
      /failed to add context entry for variable x since it evaluated to nil/,
    );
  });

  test('a variable entry is computed even when a value was supplied', () => {
    const c = ctx();
    loadContextEntries([{ name: 'app', variable: { jmesPath: 'request.object.metadata.labels.app' } }], c, {
      ...noSources,
      values: { app: 'supplied' },
    });
    assert.equal(c.query('app'), 'web');
  });

  test('configMap entries read the offline source, substituting name and namespace', () => {
    const c = ctx();
    const seen: string[] = [];
    const sources: ContextSources = {
      ...noSources,
      configMap: (ns, name) => {
        seen.push(`${ns}/${name}`);
        return name === 'settings-prod'
          ? { kind: 'ConfigMap', metadata: { name }, data: { max: '5' } }
          : undefined;
      },
    };
    loadContextEntries(
      [
        {
          name: 'cm',
          configMap: { name: 'settings-{{ request.namespace }}', namespace: '{{ request.namespace }}' },
        },
        { name: 'absent', configMap: { name: 'other' } },
      ],
      c,
      sources,
    );
    assert.deepEqual(seen, ['prod/settings-prod', 'default/other']);
    assert.equal(c.query('cm.data.max'), '5');
    assert.equal(c.query('cm.metadata.name'), 'settings-prod');
    // Kyverno's CLI leaves an entry it cannot fetch unset
    assert.throws(() => c.query('absent'), /Unknown key "absent"/);
  });

  test('supplied values stand in for configMap and apiCall entries', () => {
    const c = ctx();
    let called = false;
    const sources: ContextSources = {
      configMap: () => {
        called = true;
        return undefined;
      },
      apiCall: () => {
        called = true;
        return undefined;
      },
      values: { 'cm.data.max': '7', 'deployments.count': 2 },
    };
    loadContextEntries(
      [
        { name: 'cm', configMap: { name: 'x', namespace: 'y' } },
        {
          name: 'deployments',
          apiCall: { urlPath: '/apis/apps/v1/deployments', jmesPath: 'items | length(@)' },
        },
      ],
      c,
      sources,
    );
    assert.equal(called, false);
    assert.equal(c.query('cm.data.max'), '7');
    assert.equal(c.query('deployments.count'), 2);
  });

  test('apiCall entries apply jmesPath and default to the response', () => {
    const c = ctx();
    const calls: unknown[] = [];
    const sources: ContextSources = {
      configMap: () => undefined,
      apiCall: (call) => {
        calls.push(call);
        return call.urlPath === '/api/v1/namespaces/prod/pods' ? { items: [{}, {}] } : undefined;
      },
    };
    loadContextEntries(
      [
        {
          name: 'podCount',
          apiCall: {
            urlPath: '/api/v1/namespaces/{{ request.namespace }}/pods',
            jmesPath: 'items | length(@)',
          },
        },
        {
          name: 'bad',
          apiCall: { urlPath: '/api/v1/namespaces/prod/pods', jmesPath: 'nope.deeper', default: 0 },
        },
        { name: 'unavailable', apiCall: { urlPath: '/other', default: 'fallback' } },
      ],
      c,
      sources,
    );
    assert.equal(c.query('podCount'), 2);
    assert.equal(c.query('bad'), 0);
    assert.equal(c.query('unavailable'), 'fallback');
    assert.deepEqual(calls[0], {
      urlPath: '/api/v1/namespaces/prod/pods',
      method: undefined,
      data: undefined,
      service: undefined,
    });
  });

  test('globalReference entries use the source; imageRegistry needs a supplied value', () => {
    const c = ctx();
    const sources: ContextSources = {
      ...noSources,
      globalReference: (name) => (name === 'gctx' ? { regions: ['eu', 'us'] } : undefined),
    };
    loadContextEntries(
      [{ name: 'regions', globalReference: { name: 'gctx', jmesPath: 'regions[0]' } }],
      c,
      sources,
    );
    assert.equal(c.query('regions'), 'eu');
    assert.throws(
      () => loadContextEntries([{ name: 'img', imageRegistry: { reference: 'nginx' } }], c, noSources),
      /imageRegistry lookups are not supported offline/,
    );
    loadContextEntries([{ name: 'img', imageRegistry: { reference: 'nginx' } }], c, {
      ...noSources,
      values: { 'img.configData.config.User': 'root' },
    });
    assert.equal(c.query('img.configData.config.User'), 'root');
  });

  test('malformed entries are errors', () => {
    assert.throws(() => loadContextEntries([{ variable: { value: 1 } }], ctx(), noSources), /has no name/);
    assert.throws(() => loadContextEntries([{ name: 'x' }], ctx(), noSources), /has no variable, configMap/);
  });
});

describe('foreach element variables', () => {
  function viaSet(ctx: EvalContext, nesting: number, element: unknown, index: number): void {
    ctx.set('element', element);
    ctx.set('elementIndex', index);
    ctx.set(`element${nesting}`, element);
    ctx.set(`elementIndex${nesting}`, index);
  }

  test('setElement leaves the context as four sets would, keys in the same order, at any nesting', () => {
    for (const nesting of [0, 1, 2]) {
      const a = new EvalContext({ request: { object: {} }, images: {} });
      const b = new EvalContext({ request: { object: {} }, images: {} });
      // An outer element first, so the inner one overwrites keys that exist.
      a.setElement(0, { name: 'outer' }, 3);
      viaSet(b, 0, { name: 'outer' }, 3);
      a.setElement(nesting, { name: 'inner' }, 1);
      viaSet(b, nesting, { name: 'inner' }, 1);
      assert.deepEqual(a.root, b.root);
      assert.deepEqual(Object.keys(a.root), Object.keys(b.root));
      assert.equal(a.query('element.name'), 'inner');
      assert.equal(a.query('elementIndex0'), nesting === 0 ? 1 : 3);
    }
  });

  test('restore undoes setElement, and the saved state is not changed by it', () => {
    const ctx = new EvalContext({ request: { object: {} } });
    ctx.checkpoint();
    const before = ctx.root;
    ctx.setElement(0, 'x', 0);
    assert.equal(ctx.query('element'), 'x');
    assert.equal(Object.hasOwn(before, 'element'), false);
    ctx.restore();
    assert.equal(ctx.root, before);
  });
});
