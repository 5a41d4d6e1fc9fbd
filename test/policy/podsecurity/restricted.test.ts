import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluate, failing, failingIds, goodContainer, pod } from './pods.js';

describe('restricted: Privilege Escalation', () => {
  test('containers must set allowPrivilegeEscalation=false; unset, nil and true are told apart', () => {
    const r = evaluate(
      pod({
        containers: [
          { name: 'a' },
          { name: 'b', securityContext: {} },
          { name: 'c', securityContext: { allowPrivilegeEscalation: true } },
          { name: 'd', securityContext: { allowPrivilegeEscalation: false } },
        ],
      }),
      'restricted',
    );
    const c = failing(r.checks, 'allowPrivilegeEscalation');
    assert.equal(c.controlName, 'Privilege Escalation');
    assert.equal(c.forbiddenReason, 'allowPrivilegeEscalation != false');
    assert.equal(
      c.forbiddenDetail,
      'containers "a", "b", "c" must set securityContext.allowPrivilegeEscalation=false',
    );
    assert.deepEqual(c.fieldErrors, [
      {
        type: 'Required',
        field: 'spec.containers[0].securityContext.allowPrivilegeEscalation',
        badValue: '',
      },
      {
        type: 'Forbidden',
        field: 'spec.containers[1].securityContext.allowPrivilegeEscalation',
        badValue: 'nil',
      },
      {
        type: 'Forbidden',
        field: 'spec.containers[2].securityContext.allowPrivilegeEscalation',
        badValue: true,
      },
    ]);
  });
});

describe('restricted: Capabilities (capabilities_restricted)', () => {
  test('containers must drop ALL and may add only NET_BIND_SERVICE', () => {
    const r = evaluate(
      pod({
        containers: [
          goodContainer('a', {}, { capabilities: undefined }),
          goodContainer('b', {}, { capabilities: { drop: ['NET_RAW', 'CHOWN'] } }),
          goodContainer('c', {}, { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE', 'SYS_TIME'] } }),
          goodContainer('d', {}, { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }),
          goodContainer('e', {}, { capabilities: { add: ['SYS_ADMIN'] } }),
        ],
      }),
      'restricted',
    );
    const c = failing(r.checks, 'capabilities_restricted');
    assert.equal(c.controlName, 'Capabilities');
    assert.equal(c.forbiddenReason, 'unrestricted capabilities');
    assert.equal(
      c.forbiddenDetail,
      'containers "a", "b", "e" must set securityContext.capabilities.drop=["ALL"]; containers "c", "e" must not include "SYS_ADMIN", "SYS_TIME" in securityContext.capabilities.add',
    );
    assert.deepEqual(c.fieldErrors, [
      { type: 'Required', field: 'spec.containers[0].securityContext.capabilities.drop', badValue: '' },
      {
        type: 'Forbidden',
        field: 'spec.containers[1].securityContext.capabilities.drop',
        badValue: ['CHOWN', 'NET_RAW'],
      },
      { type: 'Required', field: 'spec.containers[4].securityContext.capabilities.drop', badValue: '' },
      {
        type: 'Forbidden',
        field: 'spec.containers[2].securityContext.capabilities.add',
        badValue: ['SYS_TIME'],
      },
      {
        type: 'Forbidden',
        field: 'spec.containers[4].securityContext.capabilities.add',
        badValue: ['SYS_ADMIN'],
      },
    ]);
  });
  test('the baseline capabilities check still runs at restricted (Kyverno evaluates both)', () => {
    const r = evaluate(
      pod({ containers: [goodContainer('a', {}, { capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } })] }),
      'restricted',
    );
    assert.deepEqual(failingIds(r.checks), ['capabilities_baseline', 'capabilities_restricted']);
  });
});

describe('restricted: Volume Types', () => {
  test('only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret', () => {
    const volumes = [
      { name: 'a', configMap: {} },
      { name: 'b', csi: { driver: 'x' } },
      { name: 'c', downwardAPI: {} },
      { name: 'd', emptyDir: {} },
      { name: 'e', ephemeral: {} },
      { name: 'f', image: { reference: 'x' } },
      { name: 'g', persistentVolumeClaim: { claimName: 'x' } },
      { name: 'h', projected: {} },
      { name: 'i', secret: { secretName: 'x' } },
      { name: 'j', nfs: { server: 's', path: '/' } },
      { name: 'k', gitRepo: { repository: 'x' } },
      { name: 'l' },
    ];
    const r = evaluate(pod({ containers: [goodContainer()], volumes }), 'restricted');
    const c = failing(r.checks, 'restrictedVolumes');
    assert.equal(c.controlName, 'Volume Types');
    assert.equal(c.forbiddenReason, 'restricted volume types');
    assert.equal(
      c.forbiddenDetail,
      'volumes "j", "k", "l" use restricted volume types "gitRepo", "nfs", "unknown"',
    );
    assert.deepEqual(
      c.fieldErrors?.map((e) => e.field),
      ['spec.volumes[9].nfs', 'spec.volumes[10].gitRepo', 'spec.volumes[11].unknown'],
    );
  });
});

describe('restricted: Running as Non-root', () => {
  test('pod-level runAsNonRoot=true covers containers that leave it unset', () => {
    const c = goodContainer('a', {}, { runAsNonRoot: undefined });
    assert.equal(
      evaluate(pod({ securityContext: { runAsNonRoot: true }, containers: [c] }), 'restricted').allowed,
      true,
    );
    const r = evaluate(pod({ containers: [c] }), 'restricted');
    assert.equal(
      failing(r.checks, 'runAsNonRoot').forbiddenDetail,
      'pod or container "a" must set securityContext.runAsNonRoot=true',
    );
  });
  test('explicit false at pod or container level is reported before implicit omissions', () => {
    const r = evaluate(
      pod({
        securityContext: { runAsNonRoot: false },
        containers: [
          goodContainer('a', {}, { runAsNonRoot: false }),
          goodContainer('b', {}, { runAsNonRoot: undefined }),
        ],
      }),
      'restricted',
    );
    const c = failing(r.checks, 'runAsNonRoot');
    assert.equal(c.controlName, 'Running as Non-root');
    assert.equal(c.forbiddenReason, 'runAsNonRoot != true');
    assert.equal(c.forbiddenDetail, 'pod and container "a" must not set securityContext.runAsNonRoot=false');
    assert.deepEqual(
      c.fieldErrors?.map((e) => [e.type, e.field]),
      [
        ['Forbidden', 'spec.securityContext.runAsNonRoot'],
        ['Forbidden', 'spec.containers[0].securityContext.runAsNonRoot'],
        ['Required', 'spec.containers[1].securityContext.runAsNonRoot'],
      ],
    );
  });
});

describe('restricted: Running as Non-root user (v1.23+)', () => {
  test('runAsUser: 0 is forbidden at pod and container level', () => {
    const r = evaluate(
      pod({
        securityContext: { runAsUser: 0 },
        containers: [goodContainer('a', {}, { runAsUser: 0 }), goodContainer('b', {}, { runAsUser: 1000 })],
      }),
      'restricted',
    );
    const c = failing(r.checks, 'runAsUser');
    assert.equal(c.controlName, 'Running as Non-root user');
    assert.equal(c.forbiddenReason, 'runAsUser=0');
    assert.equal(c.forbiddenDetail, 'pod and container "a" must not set runAsUser=0');
  });
  test('does not exist before v1.23', () => {
    const p = pod({ containers: [goodContainer('a', {}, { runAsUser: 0 })] });
    assert.equal(evaluate(p, 'restricted', 'v1.22').allowed, true);
    assert.deepEqual(failingIds(evaluate(p, 'restricted', 'v1.23').checks), ['runAsUser']);
  });
});

describe('restricted: Seccomp (seccompProfile_restricted)', () => {
  test('seccomp must be set to RuntimeDefault or Localhost, at pod level or on every container', () => {
    const unset = goodContainer('a', {}, { seccompProfile: undefined });
    assert.equal(
      evaluate(
        pod({
          securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'p' } },
          containers: [unset],
        }),
        'restricted',
      ).allowed,
      true,
    );
    const r = evaluate(pod({ containers: [unset] }), 'restricted');
    const c = failing(r.checks, 'seccompProfile_restricted');
    assert.equal(c.controlName, 'Seccomp');
    assert.equal(
      c.forbiddenDetail,
      'pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
    );
    assert.deepEqual(c.fieldErrors, [
      { type: 'Required', field: 'spec.containers[0].securityContext.seccompProfile.type', badValue: '' },
    ]);
  });
  test('an explicit bad value wins over omissions and fails the baseline check too', () => {
    const r = evaluate(
      pod({
        securityContext: { seccompProfile: { type: 'Unconfined' } },
        containers: [goodContainer('a', {}, { seccompProfile: undefined })],
      }),
      'restricted',
    );
    assert.equal(
      failing(r.checks, 'seccompProfile_restricted').forbiddenDetail,
      'pod must not set securityContext.seccompProfile.type to "Unconfined"',
    );
    assert.deepEqual(failingIds(r.checks), ['seccompProfile_baseline', 'seccompProfile_restricted']);
  });
  test('does not exist before v1.19', () => {
    const p = pod({ containers: [goodContainer('a', {}, { seccompProfile: undefined })] });
    assert.equal(evaluate(p, 'restricted', 'v1.18').allowed, true);
  });
});

describe('Windows pods (spec.os.name: windows)', () => {
  const windowsPod = pod({
    os: { name: 'windows' },
    containers: [{ name: 'a', securityContext: { runAsNonRoot: true } }],
  });
  test('latest skips the Linux-only restricted checks (privilege escalation, capabilities, seccomp)', () => {
    assert.equal(evaluate(windowsPod, 'restricted', 'latest').allowed, true);
  });
  test('before v1.25 the Linux-only checks apply to Windows pods too', () => {
    assert.deepEqual(failingIds(evaluate(windowsPod, 'restricted', 'v1.24').checks), [
      'allowPrivilegeEscalation',
      'capabilities_restricted',
      'seccompProfile_restricted',
    ]);
  });
  test('a Linux pod gets no exemption', () => {
    const linux = pod({
      os: { name: 'linux' },
      containers: [{ name: 'a', securityContext: { runAsNonRoot: true } }],
    });
    assert.deepEqual(failingIds(evaluate(linux, 'restricted').checks), [
      'allowPrivilegeEscalation',
      'capabilities_restricted',
      'seccompProfile_restricted',
    ]);
  });
});

describe('levels', () => {
  test('privileged allows everything and runs no check', () => {
    const r = evaluate(
      pod({ hostNetwork: true, containers: [{ name: 'a', securityContext: { privileged: true } }] }),
      'privileged',
    );
    assert.equal(r.allowed, true);
    assert.deepEqual(r.checks, []);
  });
  test('restricted includes every baseline check, in pod-security-admission order', () => {
    const r = evaluate(pod({ containers: [goodContainer()] }), 'restricted');
    assert.deepEqual(
      r.checks.map((c) => c.id),
      [
        'allowPrivilegeEscalation',
        'appArmorProfile',
        'capabilities_baseline',
        'capabilities_restricted',
        'hostNamespaces',
        'hostPathVolumes',
        'hostPorts',
        'hostProbesAndHostLifecycle',
        'privileged',
        'procMount',
        'restrictedVolumes',
        'runAsNonRoot',
        'runAsUser',
        'seLinuxOptions',
        'seccompProfile_baseline',
        'seccompProfile_restricted',
        'sysctls',
        'windowsHostProcess',
      ],
    );
  });
  test('which checks exist depends on the version', () => {
    const ids = (version: string) =>
      evaluate(pod({ containers: [] }), 'restricted', version).checks.map((c) => c.id);
    assert.equal(ids('v1.0').includes('allowPrivilegeEscalation'), false);
    assert.equal(ids('v1.8').includes('allowPrivilegeEscalation'), true);
    assert.equal(ids('v1.21').includes('capabilities_restricted'), false);
    assert.equal(ids('v1.22').includes('capabilities_restricted'), true);
    assert.equal(ids('v1.30').includes('hostProbesAndHostLifecycle'), false);
    assert.equal(ids('v1.34').includes('hostProbesAndHostLifecycle'), true);
    assert.deepEqual(ids('v1.99'), ids('latest'));
  });
});
