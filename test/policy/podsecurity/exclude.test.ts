import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluate, failing, failingIds, goodContainer, pod } from './pods.js';

describe('exclude: container-level controls (images)', () => {
  test('excluding a control for matching images leaves the rest of the profile enforced', () => {
    const r = evaluate(
      pod({ containers: [{ name: 'nginx', image: 'nginx:1.27' }] }),
      'restricted',
      'latest',
      [{ controlName: 'Capabilities', images: ['nginx*'] }],
    );
    assert.equal(r.allowed, false);
    assert.deepEqual(failingIds(r.checks), [
      'allowPrivilegeEscalation',
      'runAsNonRoot',
      'seccompProfile_restricted',
    ]);
    const caps = r.checks.find((c) => c.id === 'capabilities_restricted');
    assert.equal(caps?.allowed, true);
    assert.equal(caps?.excluded, true);
    assert.doesNotMatch(r.message, /capabilities/);
  });

  test('only the containers whose image matches are exempt', () => {
    const r = evaluate(
      pod({
        containers: [
          { name: 'agent', image: 'ghcr.io/trusted/agent:2', securityContext: { privileged: true } },
          { name: 'app', image: 'docker.io/app:1', securityContext: { privileged: true } },
        ],
      }),
      'baseline',
      'latest',
      [{ controlName: 'Privileged Containers', images: ['ghcr.io/trusted/*'] }],
    );
    const c = failing(r.checks, 'privileged');
    assert.deepEqual(
      c.fieldErrors?.map((e) => e.field),
      ['spec.containers[1].securityContext.privileged'],
    );
    assert.match(
      r.message,
      /\[spec\.containers\[1\]\.securityContext\.privileged is forbidden, forbidden values found: true\]/,
    );
  });

  test('every matching container is exempt, init and ephemeral containers included', () => {
    const priv = { privileged: true };
    const r = evaluate(
      pod({
        initContainers: [{ name: 'i', image: 'tools/init:1', securityContext: priv }],
        containers: [{ name: 'c', image: 'tools/main:1', securityContext: priv }],
        ephemeralContainers: [{ name: 'e', image: 'tools/debug:1', securityContext: priv }],
      }),
      'baseline',
      'latest',
      [{ controlName: 'Privileged Containers', images: ['tools/*'] }],
    );
    assert.equal(r.allowed, true);
  });

  test('images that match nothing exempt nothing; `?` matches one character', () => {
    const p = pod({ containers: [{ name: 'a', image: 'nginx:1', securityContext: { privileged: true } }] });
    assert.equal(
      evaluate(p, 'baseline', 'latest', [{ controlName: 'Privileged Containers', images: ['redis*'] }])
        .allowed,
      false,
    );
    assert.equal(
      evaluate(p, 'baseline', 'latest', [{ controlName: 'Privileged Containers', images: ['nginx:?'] }])
        .allowed,
      true,
    );
    assert.equal(
      evaluate(p, 'baseline', 'latest', [{ controlName: 'Privileged Containers', images: ['nginx?'] }])
        .allowed,
      false,
    );
  });

  test('a container exclusion does not touch pod-level fields of the same control', () => {
    const r = evaluate(
      pod({
        securityContext: { seccompProfile: { type: 'Unconfined' } },
        containers: [
          { name: 'a', image: 'nginx', securityContext: { seccompProfile: { type: 'Unconfined' } } },
        ],
      }),
      'baseline',
      'latest',
      [{ controlName: 'Seccomp', images: ['nginx'] }],
    );
    assert.deepEqual(
      failing(r.checks, 'seccompProfile_baseline').fieldErrors?.map((e) => e.field),
      ['spec.securityContext.seccompProfile.type'],
    );
  });
});

describe('exclude: restrictedField and values', () => {
  const capsPod = pod({
    containers: [
      goodContainer('a', { image: 'img/a' }, { capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } }),
      goodContainer('b', { image: 'img/b' }, { capabilities: { drop: ['ALL'], add: ['NET_RAW'] } }),
    ],
  });

  test('only errors on the named field whose values all match are exempt', () => {
    const r = evaluate(capsPod, 'restricted', 'latest', [
      {
        controlName: 'Capabilities',
        images: ['img/*'],
        restrictedField: 'spec.containers[*].securityContext.capabilities.add',
        values: ['SYS_ADMIN'],
      },
    ]);
    assert.deepEqual(
      failing(r.checks, 'capabilities_baseline').fieldErrors?.map((e) => e.field),
      ['spec.containers[1].securityContext.capabilities.add'],
    );
    assert.deepEqual(
      failing(r.checks, 'capabilities_restricted').fieldErrors?.map((e) => e.field),
      ['spec.containers[1].securityContext.capabilities.add'],
    );
  });

  test('values accept wildcards; a value list that misses one bad value exempts nothing', () => {
    const exempt = (values: string[]) =>
      evaluate(capsPod, 'restricted', 'latest', [
        {
          controlName: 'Capabilities',
          images: ['img/*'],
          restrictedField: 'spec.containers[*].securityContext.capabilities.add',
          values,
        },
      ]);
    assert.equal(exempt(['SYS_ADMIN', 'NET_*']).allowed, true);
    assert.equal(exempt(['NET_ADMIN']).allowed, false);
    assert.equal(failing(exempt(['NET_ADMIN']).checks, 'capabilities_restricted').fieldErrors?.length, 2);
  });

  test('a restrictedField that names another field exempts nothing', () => {
    const r = evaluate(capsPod, 'restricted', 'latest', [
      {
        controlName: 'Capabilities',
        images: ['*'],
        restrictedField: 'spec.containers[*].securityContext.capabilities.drop',
        values: ['*'],
      },
    ]);
    assert.deepEqual(failingIds(r.checks), ['capabilities_baseline', 'capabilities_restricted']);
  });

  test('host ports are compared by their number as text', () => {
    const p = pod({ containers: [{ name: 'a', image: 'x', ports: [{ hostPort: 10 }, { hostPort: 20 }] }] });
    const ex = (values: string[]) => [
      {
        controlName: 'Host Ports',
        images: ['x'],
        restrictedField: 'spec.containers[*].ports[*].hostPort',
        values,
      },
    ];
    assert.equal(evaluate(p, 'baseline', 'latest', ex(['10', '20'])).allowed, true);
    const partial = evaluate(p, 'baseline', 'latest', ex(['10']));
    assert.deepEqual(
      failing(partial.checks, 'hostPorts').fieldErrors?.map((e) => e.badValue),
      [20],
    );
  });
});

describe('exclude: pod-level controls', () => {
  const hostPod = pod({ hostNetwork: true, hostPID: true, containers: [{ name: 'a' }] });

  test('a pod-level restricted field with matching values is exempt, other fields stay', () => {
    const r = evaluate(hostPod, 'baseline', 'latest', [
      { controlName: 'Host Namespaces', restrictedField: 'spec.hostNetwork', values: ['true'] },
    ]);
    assert.deepEqual(
      failing(r.checks, 'hostNamespaces').fieldErrors?.map((e) => e.field),
      ['spec.hostPID'],
    );
  });

  test('a control name alone exempts the whole pod-level control', () => {
    assert.equal(evaluate(hostPod, 'baseline', 'latest', [{ controlName: 'Host Namespaces' }]).allowed, true);
  });

  test('AppArmor annotations can be exempt at pod level', () => {
    const p = pod(
      { containers: [{ name: 'a' }] },
      { annotations: { 'container.apparmor.security.beta.kubernetes.io/a': 'unconfined' } },
    );
    assert.equal(evaluate(p, 'baseline').allowed, false);
    assert.equal(evaluate(p, 'baseline', 'latest', [{ controlName: 'AppArmor' }]).allowed, true);
  });

  test('without images a container field is exempt only once per reduced-pod error, as in Kyverno', () => {
    const c = (name: string) => goodContainer(name, {}, { runAsNonRoot: undefined });
    const r = evaluate(pod({ containers: [c('a'), c('b')] }), 'restricted', 'latest', [
      { controlName: 'Running as Non-root' },
    ]);
    assert.deepEqual(
      failing(r.checks, 'runAsNonRoot').fieldErrors?.map((e) => e.field),
      ['spec.containers[1].securityContext.runAsNonRoot'],
    );
  });

  test('excluding a control the pod does not violate changes nothing', () => {
    const r = evaluate(hostPod, 'baseline', 'latest', [{ controlName: 'Sysctls' }]);
    assert.deepEqual(failingIds(r.checks), ['hostNamespaces']);
    assert.equal(r.checks.find((c) => c.id === 'sysctls')?.excluded, undefined);
  });

  test('with exclusions a pinned version reports each check once (Kyverno keys results by check)', () => {
    const p = pod({
      hostNetwork: true,
      containers: [{ name: 'a', securityContext: { runAsNonRoot: true } }],
    });
    const r = evaluate(p, 'restricted', 'v1.25', [{ controlName: 'Host Namespaces' }]);
    assert.equal(r.message.match(/allowPrivilegeEscalation != false/g)?.length, 1);
    assert.doesNotMatch(r.message, /host namespaces/);
  });
});
