import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { celEngine } from '../../../../../src/policy/kinds/gatekeeper/engines/cel.js';
import { engineNamed, TEMPLATE_ENGINES } from '../../../../../src/policy/kinds/gatekeeper/engines/index.js';
import { buildInventory } from '../../../../../src/policy/kinds/gatekeeper/inventory.js';

const site = { template: 'k8sx', field: 'spec.targets[0].code[0].source' };
const input = (object: Record<string, unknown>, parameters: unknown) => ({
  activation: { object, oldObject: null },
  constraint: { metadata: { name: 'my-constraint' }, spec: { parameters } },
  parameters,
  anyObject: object,
  inventory: buildInventory([]),
});

describe('Gatekeeper template engines', () => {
  test('CEL before Rego, as Gatekeeper registers its drivers; Rego says it needs OPA', () => {
    assert.deepEqual(
      TEMPLATE_ENGINES.map((e) => e.name),
      ['K8sNativeValidation', 'Rego'],
    );
    assert.deepEqual(engineNamed('Rego')?.compile({ rego: 'package x' }, site), {
      unavailable: 'Rego templates need Open Policy Agent (ConstraintTemplate "k8sx")',
    });
    assert.equal(engineNamed('Wasm'), undefined);
  });

  test('CEL: every failing validation is a violation of its own; variables are lazy and shared', () => {
    const code = celEngine.compile(
      {
        variables: [{ name: 'name', expression: 'variables.anyObject.metadata.name' }],
        validations: [
          { expression: "variables.name != 'bad'", message: 'bad name' },
          {
            expression: 'variables.name.size() <= variables.params.max',
            messageExpression: "'too long: ' + variables.name",
          },
          { expression: "params.metadata.name == 'my-constraint'", message: 'params is the constraint' },
        ],
      },
      site,
    );
    assert.ok('review' in code);
    assert.deepEqual(
      code.review(input({ metadata: { name: 'bad' } }, { max: 2 })).map((v) => v.message),
      ['bad name', 'too long: bad'],
    );
    assert.deepEqual(code.review(input({ metadata: { name: 'ok' } }, { max: 2 })), []);
  });

  test('CEL: a non-boolean result and a runtime error are errors, not violations', () => {
    const code = celEngine.compile(
      {
        validations: [
          { expression: 'variables.anyObject.metadata.name' },
          { expression: 'variables.params.x.y == 1' },
        ],
      },
      site,
    );
    assert.ok('review' in code);
    const out = code.review(input({ metadata: { name: 'n' } }, {}));
    assert.equal(out.length, 2);
    assert.ok(out.every((v) => v.error === true));
    assert.match(out[0]?.message ?? '', /must evaluate to bool/);
  });
});
