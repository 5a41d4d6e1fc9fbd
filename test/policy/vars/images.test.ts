import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildImagesVariable, parseImageReference, VariableError } from '../../../src/policy/vars/index.js';

describe('parseImageReference', () => {
  test('adds docker.io and the latest tag like Kyverno', () => {
    assert.deepEqual(parseImageReference('nginx'), {
      registry: 'docker.io',
      path: 'nginx',
      name: 'nginx',
      tag: 'latest',
      reference: 'docker.io/nginx:latest',
      referenceWithTag: 'docker.io/nginx:latest',
    });
    const gh = parseImageReference('ghcr.io/org/team/app:v1.2');
    assert.equal(gh.registry, 'ghcr.io');
    assert.equal(gh.path, 'org/team/app');
    assert.equal(gh.name, 'app');
    assert.equal(gh.tag, 'v1.2');
    const local = parseImageReference('localhost:5000/app');
    assert.equal(local.registry, 'localhost:5000');
    assert.equal(local.reference, 'localhost:5000/app:latest');
    assert.equal(parseImageReference('library/busybox:1').registry, 'docker.io');
  });

  test('keeps digests, with and without a tag', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const d = parseImageReference(`nginx@${digest}`);
    assert.equal(d.digest, digest);
    assert.equal(d.tag, undefined);
    assert.equal(d.reference, `docker.io/nginx@${digest}`);
    const both = parseImageReference(`nginx:1.25@${digest}`);
    assert.equal(both.tag, '1.25');
    assert.equal(both.reference, `docker.io/nginx@${digest}`);
    assert.equal(both.referenceWithTag, 'docker.io/nginx:1.25');
  });

  test('rejects invalid references with distribution messages', () => {
    assert.throws(() => parseImageReference('nginx:bad tag'), /invalid reference format/);
    // an upper-case first component is a registry host, as distribution parses it
    assert.equal(parseImageReference('REGISTRY/app').registry, 'REGISTRY');
    assert.throws(() => parseImageReference('Nginx'), /repository name must be lowercase/);
    assert.throws(() => parseImageReference('nginx@sha256:abc'), /invalid reference format/);
    assert.throws(
      () => parseImageReference(`nginx@sha256:${'a'.repeat(63)}`),
      /invalid reference format|invalid checksum digest length/,
    );
  });
});

describe('buildImagesVariable', () => {
  test('maps every container type by container name, with JSON pointers', () => {
    const deployment = {
      kind: 'Deployment',
      spec: {
        template: {
          spec: {
            initContainers: [{ name: 'init', image: 'busybox' }],
            containers: [{ name: 'app', image: 'ghcr.io/org/app:v1' }, { name: 'noimage' }],
          },
        },
      },
    };
    const images = buildImagesVariable(deployment) as any;
    assert.deepEqual(Object.keys(images).sort(), ['containers', 'initContainers']);
    assert.equal(images.initContainers.init.reference, 'docker.io/busybox:latest');
    assert.equal(images.containers.app.jsonPointer, '/spec/template/spec/containers/0/image');
    assert.equal(images.containers.app.tag, 'v1');
    assert.equal(images.containers.noimage, undefined);
  });

  test('CronJobs use the job template; other kinds have no images', () => {
    const cron = {
      kind: 'CronJob',
      spec: {
        jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'alpine:3' }] } } } },
      },
    };
    assert.equal(
      (buildImagesVariable(cron) as any).containers.c.jsonPointer,
      '/spec/jobTemplate/spec/template/spec/containers/0/image',
    );
    assert.deepEqual(buildImagesVariable({ kind: 'ConfigMap', data: {} }), {});
    assert.deepEqual(buildImagesVariable(null), {});
  });

  test('an invalid image is a variable error', () => {
    const p = { kind: 'Pod', spec: { containers: [{ name: 'c', image: 'BAD IMAGE' }] } };
    assert.throws(
      () => buildImagesVariable(p),
      (e: unknown) => e instanceof VariableError && /invalid image 'BAD IMAGE'/.test(e.message),
    );
  });
});
