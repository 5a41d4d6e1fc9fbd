import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UserError } from '../../../../src/core/errors.js';
import { OFFLINE_IMAGE_VERIFICATION } from '../../../../src/policy/cel/index.js';
import { evaluateIvpol, loadIvpol } from '../../../../src/policy/kinds/ivpol/policy.js';
import { fixture, runRampart } from '../../../helpers/index.js';

const podRules = {
  resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
};
const ivpol = (spec: Record<string, unknown>) =>
  loadIvpol({
    apiVersion: 'policies.kyverno.io/v1',
    kind: 'ImageValidatingPolicy',
    metadata: { name: 'signed' },
    spec: {
      matchConstraints: podRules,
      attestors: [{ name: 'key', cosign: { key: { data: 'k' } } }],
      ...spec,
    },
  });
const pod = (...images: string[]) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) },
});
const pinned = { expression: "images.containers.all(i, i.contains('@sha256:'))", message: 'pin images' };
const signed = { expression: 'images.containers.all(i, verifyImageSignatures(i, [attestors.key]) > 0)' };

describe('ImageValidatingPolicy (offline)', () => {
  test('a signature check cannot run offline: skip with the reason, never pass', () => {
    const out = evaluateIvpol(ivpol({ validations: [signed] }), { object: pod('ghcr.io/a/b:1') });
    assert.deepEqual(out, { status: 'skip', message: OFFLINE_IMAGE_VERIFICATION, offline: true });
  });

  test('validations that need no registry are evaluated before the signature check', () => {
    const policy = ivpol({ validations: [pinned, signed] });
    assert.deepEqual(
      [
        evaluateIvpol(policy, { object: pod('ghcr.io/a/b:1') })?.status,
        evaluateIvpol(policy, { object: pod('ghcr.io/a/b:1') })?.message,
      ],
      ['fail', 'pin images'],
    );
    assert.equal(
      evaluateIvpol(ivpol({ validations: [pinned] }), { object: pod('ghcr.io/a/b@sha256:00') })?.status,
      'pass',
    );
  });

  test('matchImageReferences (glob and expression) select the images the validations see', () => {
    const policy = ivpol({
      matchImageReferences: [{ glob: 'ghcr.io/*' }, { expression: "ref.startsWith('quay.io/')" }],
      validations: [pinned],
    });
    assert.equal(evaluateIvpol(policy, { object: pod('nginx:1', 'ghcr.io/a@sha256:1') })?.status, 'pass');
    assert.equal(evaluateIvpol(policy, { object: pod('quay.io/x:1') })?.status, 'fail');
    assert.deepEqual(evaluateIvpol(policy, { object: pod('nginx:1') }), {
      status: 'skip',
      message: 'no image of the resource matches spec.matchImageReferences',
    });
  });

  test('custom image extractors (spec.images) add named groups', () => {
    const policy = ivpol({
      images: [{ name: 'annotated', expression: '[object.metadata.annotations.image]' }],
      validations: [{ expression: "images.annotated.all(i, i.endsWith(':v2'))" }],
    });
    const object = { ...pod('nginx:1'), metadata: { name: 'p', annotations: { image: 'ghcr.io/x:v1' } } };
    assert.equal(evaluateIvpol(policy, { object })?.status, 'fail');
  });

  test('a type error rejects the policy with the field', () => {
    assert.throws(
      () => ivpol({ validations: [{ expression: 'verifyImageSignatures(1, [])' }] }),
      (e: unknown) => e instanceof UserError && /spec\.validations\[0\]\.expression/.test(e.message),
    );
  });

  test('through rampart apply: a library policy skips offline, a registry-free validation fails', async () => {
    const dir = fixture('policy', 'kinds', 'ivpol', 'fixtures');
    const r = await runRampart([
      'apply',
      `${dir}/verify-image-with-multi-keys.yaml`,
      `${dir}/no-latest-ivpol.yaml`,
      '-r',
      `${dir}/pods.yaml`,
      '-o',
      'json',
    ]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const results = JSON.parse(r.stdout).results as {
      policy: string;
      status: string;
      resource: { name: string };
    }[];
    const of = (policy: string, name: string) =>
      results.find((x) => x.policy === policy && x.resource.name === name)?.status;
    assert.equal(of('verify-image-with-multi-keys', 'signed-candidate'), 'skip');
    assert.equal(of('pinned-and-signed', 'tagged'), 'fail');
    assert.equal(of('pinned-and-signed', 'pinned'), 'skip');
  });

  test('image.GetMetadata reads the image data the test context gives', () => {
    const policy = ivpol({
      validations: [
        {
          expression: "images.containers.all(i, image.GetMetadata(i).config.user != '0')",
          message: 'images must not run as root',
        },
      ],
    });
    const services = {
      images: new Map<string, unknown>([
        ['ghcr.io/a/app:1', { config: { user: '1000' } }],
        ['ghcr.io/a/root:1', { config: { user: '0' } }],
      ]),
    };
    assert.equal(evaluateIvpol(policy, { object: pod('ghcr.io/a/app:1'), services })?.status, 'pass');
    assert.deepEqual(
      [evaluateIvpol(policy, { object: pod('ghcr.io/a/app:1', 'ghcr.io/a/root:1'), services })?.message],
      ['images must not run as root'],
    );
    const unknown = evaluateIvpol(policy, { object: pod('ghcr.io/a/other:1'), services });
    assert.equal(unknown?.status, 'error');
    assert.match(unknown?.message ?? '', /image\.GetMetadata\("ghcr\.io\/a\/other:1"\): no image data/);
  });
});
