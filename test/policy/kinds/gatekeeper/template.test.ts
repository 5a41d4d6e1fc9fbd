import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UserError } from '../../../../src/core/errors.js';
import { loadTemplate } from '../../../../src/policy/kinds/gatekeeper/template.js';
import { celTemplate } from './helpers.js';

const rego = { engine: 'Rego', source: { rego: 'package x\nviolation[{"msg": "m"}] { true }' } };
const denyAll = { validations: [{ expression: 'false', message: 'no' }] };

describe('Gatekeeper ConstraintTemplate', () => {
  test('a template with both engines runs its CEL code, whatever the order in code[]', () => {
    const t = loadTemplate(celTemplate('K8sBoth', denyAll, undefined, [rego]));
    assert.equal(t.kind, 'K8sBoth');
    assert.ok(!('unavailable' in t.code));
    assert.equal('engine' in t.code && t.code.engine, 'K8sNativeValidation');
  });

  test('Rego-only templates (code[] or legacy rego + libs) are unavailable, naming the template', () => {
    const only = celTemplate('K8sRegoOnly', denyAll);
    (only.spec as any).targets[0].code = [rego];
    const t = loadTemplate(only);
    assert.deepEqual(t.code, {
      unavailable: 'Rego templates need Open Policy Agent (ConstraintTemplate "k8sregoonly")',
    });
    const legacy = celTemplate('K8sLegacy', denyAll);
    (legacy.spec as any).targets[0] = {
      target: 'admission.k8s.gatekeeper.sh',
      rego: 'package x',
      libs: ['package lib'],
    };
    assert.match((loadTemplate(legacy).code as { unavailable: string }).unavailable, /"k8slegacy"/);
  });

  test('bad templates are user errors naming the field', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...celTemplate('K8sA', denyAll), metadata: { name: 'other' } }, /metadata\.name must be "k8sa"/],
      [celTemplate('K8sA', { validations: [] }), /code\[0\]\.source\.validations: at least one/],
      [
        celTemplate('K8sA', { ...denyAll, variables: [{ name: 'anyObject', expression: '1' }] }),
        /variables\[0\]\.name: "anyObject" is reserved/,
      ],
      [
        celTemplate('K8sA', {
          ...denyAll,
          matchConditions: [{ name: 'gatekeeper_internal_x', expression: 'true' }],
        }),
        /matchConditions\[0\]\.name: "gatekeeper_internal_x" is reserved/,
      ],
      [
        celTemplate('K8sA', { validations: [{ expression: 'object.metadata.name ==' }] }),
        /validations\[0\]\.expression/,
      ],
      [
        celTemplate('K8sA', denyAll, { type: 'object', properties: { a: { type: 'strnig' } } }),
        /openAPIV3Schema\.properties\.a\.type/,
      ],
    ];
    for (const [content, message] of cases)
      assert.throws(
        () => loadTemplate(content, 't.yaml'),
        (e: Error) => e instanceof UserError && message.test(e.message),
        String(message),
      );
    const noEngine = celTemplate('K8sA', denyAll);
    (noEngine.spec as any).targets[0].code = [{ engine: 'Wasm', source: {} }];
    assert.throws(
      () => loadTemplate(noEngine),
      /no code for an engine Rampart knows \(Wasm; known: K8sNativeValidation, Rego\)/,
    );
    const wrongTarget = celTemplate('K8sA', denyAll);
    (wrongTarget.spec as any).targets[0].target = 'authorization.example.com';
    assert.throws(
      () => loadTemplate(wrongTarget),
      /spec\.targets\[0\]\.target: must be "admission\.k8s\.gatekeeper\.sh"/,
    );
  });
});
