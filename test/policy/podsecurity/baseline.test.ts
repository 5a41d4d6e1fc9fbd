import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluate, failing, failingIds, goodContainer, pod } from './pods.js';

describe('baseline: HostProcess (windowsHostProcess)', () => {
  test('pod and containers setting hostProcess=true are reported, pod first', () => {
    const r = evaluate(
      pod({
        securityContext: { windowsOptions: { hostProcess: true } },
        containers: [
          { name: 'a', securityContext: { windowsOptions: { hostProcess: true } } },
          { name: 'b', securityContext: { windowsOptions: { hostProcess: false } } },
        ],
      }),
      'baseline',
    );
    const c = failing(r.checks, 'windowsHostProcess');
    assert.equal(c.controlName, 'HostProcess');
    assert.equal(c.forbiddenReason, 'hostProcess');
    assert.equal(
      c.forbiddenDetail,
      'pod and container "a" must not set securityContext.windowsOptions.hostProcess=true',
    );
    assert.deepEqual(
      c.fieldErrors?.map((e) => e.field),
      [
        'spec.securityContext.windowsOptions.hostProcess',
        'spec.containers[0].securityContext.windowsOptions.hostProcess',
      ],
    );
  });
  test('hostProcess unset or false passes', () => {
    const r = evaluate(
      pod({ containers: [{ name: 'a', securityContext: { windowsOptions: {} } }] }),
      'baseline',
    );
    assert.equal(r.allowed, true);
  });
});

describe('baseline: Host Namespaces', () => {
  test('hostNetwork, hostPID and hostIPC are each forbidden', () => {
    const r = evaluate(
      pod({ hostNetwork: true, hostPID: true, hostIPC: true, containers: [{ name: 'a' }] }),
      'baseline',
    );
    const c = failing(r.checks, 'hostNamespaces');
    assert.equal(c.forbiddenReason, 'host namespaces');
    assert.equal(c.forbiddenDetail, 'hostNetwork=true, hostPID=true, hostIPC=true');
    assert.equal(c.controlName, 'Host Namespaces');
  });
  test('false values pass', () => {
    assert.equal(
      evaluate(pod({ hostNetwork: false, hostPID: false, containers: [{ name: 'a' }] }), 'baseline').allowed,
      true,
    );
  });
});

describe('baseline: Privileged Containers', () => {
  test('lists every privileged container, including init and ephemeral ones in visit order', () => {
    const r = evaluate(
      pod({
        initContainers: [{ name: 'init', securityContext: { privileged: true } }],
        containers: [
          { name: 'a' },
          { name: 'b', securityContext: { privileged: false } },
          { name: 'c', securityContext: { privileged: true } },
        ],
        ephemeralContainers: [{ name: 'debug', securityContext: { privileged: true } }],
      }),
      'baseline',
    );
    const c = failing(r.checks, 'privileged');
    assert.equal(
      c.forbiddenDetail,
      'containers "init", "c", "debug" must not set securityContext.privileged=true',
    );
    assert.deepEqual(
      c.fieldErrors?.map((e) => e.field),
      [
        'spec.initContainers[0].securityContext.privileged',
        'spec.containers[2].securityContext.privileged',
        'spec.ephemeralContainers[0].securityContext.privileged',
      ],
    );
  });
});

describe('baseline: Capabilities (capabilities_baseline)', () => {
  test('capabilities outside the default set are forbidden', () => {
    const r = evaluate(
      pod({
        containers: [
          { name: 'a', securityContext: { capabilities: { add: ['CHOWN', 'NET_RAW', 'SYS_ADMIN'] } } },
          { name: 'b', securityContext: { capabilities: { add: ['NET_BIND_SERVICE', 'KILL'] } } },
          { name: 'c', securityContext: { capabilities: { add: ['NET_RAW'] } } },
        ],
      }),
      'baseline',
    );
    const c = failing(r.checks, 'capabilities_baseline');
    assert.equal(c.controlName, 'Capabilities');
    assert.equal(c.forbiddenReason, 'non-default capabilities');
    assert.equal(
      c.forbiddenDetail,
      'containers "a", "c" must not include "NET_RAW", "SYS_ADMIN" in securityContext.capabilities.add',
    );
    assert.deepEqual(c.fieldErrors?.[0]?.badValue, ['NET_RAW', 'SYS_ADMIN']);
  });
  test('all thirteen default capabilities pass', () => {
    const add = [
      'AUDIT_WRITE',
      'CHOWN',
      'DAC_OVERRIDE',
      'FOWNER',
      'FSETID',
      'KILL',
      'MKNOD',
      'NET_BIND_SERVICE',
    ];
    add.push('SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT');
    assert.equal(
      evaluate(pod({ containers: [{ name: 'a', securityContext: { capabilities: { add } } }] }), 'baseline')
        .allowed,
      true,
    );
  });
});

describe('baseline: HostPath Volumes', () => {
  test('hostPath volumes are forbidden, with their paths as values', () => {
    const r = evaluate(
      pod({
        containers: [{ name: 'a' }],
        volumes: [
          { name: 'cfg', configMap: { name: 'x' } },
          { name: 'root', hostPath: { path: '/' } },
        ],
      }),
      'baseline',
    );
    const c = failing(r.checks, 'hostPathVolumes');
    assert.equal(c.forbiddenReason, 'hostPath volumes');
    assert.equal(c.forbiddenDetail, 'volume "root"');
    assert.deepEqual(c.fieldErrors, [
      { type: 'Forbidden', field: 'spec.volumes[1].hostPath', badValue: '/' },
    ]);
  });
});

describe('baseline: Host Ports', () => {
  test('non-zero host ports are forbidden; the port list is distinct and sorted as text', () => {
    const r = evaluate(
      pod({
        containers: [
          {
            name: 'a',
            ports: [
              { containerPort: 80, hostPort: 8080 },
              { containerPort: 81, hostPort: 0 },
            ],
          },
          { name: 'b', ports: [{ hostPort: 10 }, { hostPort: 8080 }] },
          { name: 'c', ports: [{ containerPort: 90 }] },
        ],
      }),
      'baseline',
    );
    const c = failing(r.checks, 'hostPorts');
    assert.equal(c.forbiddenReason, 'hostPort');
    assert.equal(c.forbiddenDetail, 'containers "a", "b" use hostPorts 10, 8080');
    assert.deepEqual(
      c.fieldErrors?.map((e) => [e.field, e.badValue]),
      [
        ['spec.containers[0].ports[0].hostPort', 8080],
        ['spec.containers[1].ports[0].hostPort', 10],
        ['spec.containers[1].ports[1].hostPort', 8080],
      ],
    );
  });
  test('singular wording for one container and one port', () => {
    const r = evaluate(pod({ containers: [{ name: 'a', ports: [{ hostPort: 443 }] }] }), 'baseline');
    assert.equal(failing(r.checks, 'hostPorts').forbiddenDetail, 'container "a" uses hostPort 443');
  });
});

describe('baseline: AppArmor', () => {
  test('annotations other than runtime/default, localhost/* or empty are forbidden', () => {
    const r = evaluate(
      pod(
        { containers: [{ name: 'a' }, { name: 'b' }] },
        {
          annotations: {
            'container.apparmor.security.beta.kubernetes.io/a': 'unconfined',
            'container.apparmor.security.beta.kubernetes.io/b': 'localhost/custom',
          },
        },
      ),
      'baseline',
    );
    const c = failing(r.checks, 'appArmorProfile');
    assert.equal(c.controlName, 'AppArmor');
    assert.equal(c.forbiddenReason, 'forbidden AppArmor profile');
    assert.equal(
      c.forbiddenDetail,
      'annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/a="unconfined""',
    );
  });
  test('appArmorProfile fields must be RuntimeDefault or Localhost', () => {
    const r = evaluate(
      pod({
        securityContext: { appArmorProfile: { type: 'Unconfined' } },
        containers: [
          { name: 'a', securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'x' } } },
          { name: 'b', securityContext: { appArmorProfile: { type: 'Unconfined' } } },
        ],
      }),
      'baseline',
    );
    const c = failing(r.checks, 'appArmorProfile');
    assert.equal(c.forbiddenReason, 'forbidden AppArmor profile');
    assert.equal(
      c.forbiddenDetail,
      'pod and container "b" must not set AppArmor profile type to "Unconfined"',
    );
  });
});

describe('baseline: SELinux', () => {
  test('types outside the allowed set, and any user or role, are forbidden (v1.31+ allows container_engine_t)', () => {
    const r = evaluate(
      pod({
        securityContext: { seLinuxOptions: { type: 'foo', user: 'bar', role: 'baz' } },
        containers: [
          { name: 'a', securityContext: { seLinuxOptions: { type: 'container_t' } } },
          { name: 'b', securityContext: { seLinuxOptions: { type: 'container_init_t' } } },
          { name: 'c', securityContext: { seLinuxOptions: { type: 'container_kvm_t' } } },
          { name: 'd', securityContext: { seLinuxOptions: { type: 'container_engine_t' } } },
          { name: 'e', securityContext: { seLinuxOptions: { type: 'bar' } } },
          { name: 'f', securityContext: { seLinuxOptions: { user: 'bar' } } },
          { name: 'g', securityContext: { seLinuxOptions: { role: 'baz' } } },
        ],
      }),
      'baseline',
    );
    const c = failing(r.checks, 'seLinuxOptions');
    assert.equal(c.forbiddenReason, 'seLinuxOptions');
    assert.equal(
      c.forbiddenDetail,
      'pod and containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set',
    );
  });
  test('container_engine_t is allowed by the v1.31 revision, which `latest` runs', () => {
    const spec = {
      containers: [{ name: 'd', securityContext: { seLinuxOptions: { type: 'container_engine_t' } } }],
    };
    assert.equal(evaluate(pod(spec), 'baseline', 'latest').allowed, true);
    const old = evaluate(pod(spec), 'baseline', 'v1.30');
    assert.equal(
      failing(old.checks, 'seLinuxOptions').forbiddenDetail,
      'container "d" set forbidden securityContext.seLinuxOptions: type "container_engine_t"',
    );
    // Kyverno runs every revision a pinned version reaches, so the v1.0 revision still rejects it at v1.31.
    const pinned = evaluate(pod(spec), 'baseline', 'v1.31');
    assert.equal(pinned.allowed, false);
    assert.equal(pinned.message.match(/Forbidden reason: seLinuxOptions/g)?.length, 1);
  });
});

describe('baseline: /proc Mount Type', () => {
  test('procMount other than Default is forbidden', () => {
    const r = evaluate(
      pod({
        containers: [
          { name: 'a', securityContext: { procMount: 'Default' } },
          { name: 'b', securityContext: { procMount: 'Unmasked' } },
        ],
      }),
      'baseline',
    );
    const c = failing(r.checks, 'procMount');
    assert.equal(c.controlName, '/proc Mount Type');
    assert.equal(c.forbiddenDetail, 'container "b" must not set securityContext.procMount to "Unmasked"');
  });
});

describe('baseline: Seccomp (seccompProfile_baseline)', () => {
  test('Unconfined is forbidden at pod and container level; unset passes', () => {
    const r = evaluate(
      pod({
        securityContext: { seccompProfile: { type: 'Unconfined' } },
        containers: [
          { name: 'a' },
          { name: 'b', securityContext: { seccompProfile: { type: 'Unconfined' } } },
          {
            name: 'c',
            securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } },
          },
        ],
      }),
      'baseline',
    );
    const c = failing(r.checks, 'seccompProfile_baseline');
    assert.equal(c.controlName, 'Seccomp');
    assert.equal(
      c.forbiddenDetail,
      'pod and container "b" must not set securityContext.seccompProfile.type to "Unconfined"',
    );
    assert.equal(evaluate(pod({ containers: [{ name: 'a' }] }), 'baseline').allowed, true);
  });
  test('policy versions before v1.19 check the alpha annotations instead of the fields', () => {
    const annotated = pod(
      { containers: [{ name: 'a', securityContext: { seccompProfile: { type: 'Unconfined' } } }] },
      {
        annotations: {
          'seccomp.security.alpha.kubernetes.io/pod': 'unconfined',
          'container.seccomp.security.alpha.kubernetes.io/a': 'docker/default',
        },
      },
    );
    const r = evaluate(annotated, 'baseline', 'v1.18');
    const c = failing(r.checks, 'seccompProfile_baseline');
    assert.equal(
      c.forbiddenDetail,
      'forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined"',
    );
    assert.deepEqual(c.fieldErrors, [
      {
        type: 'Forbidden',
        // Kyverno's convertChecks rewrites `metadata` to `spec.template.metadata` for every kind, Pods included.
        field: 'spec.template.metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]',
        badValue: 'unconfined',
      },
    ]);
  });
});

describe('baseline: Sysctls', () => {
  test('only the safe sysctl set is allowed', () => {
    const r = evaluate(
      pod({
        securityContext: {
          sysctls: [
            { name: 'net.ipv4.ip_local_port_range', value: '1024 65535' },
            { name: 'kernel.msgmax', value: '1' },
            { name: 'net.ipv4.tcp_rmem', value: '4096 87380 6291456' },
          ],
        },
        containers: [{ name: 'a' }],
      }),
      'baseline',
    );
    const c = failing(r.checks, 'sysctls');
    assert.equal(c.forbiddenReason, 'forbidden sysctls');
    assert.equal(c.forbiddenDetail, 'kernel.msgmax');
    assert.deepEqual(c.fieldErrors, [
      { type: 'Forbidden', field: 'spec.securityContext.sysctls[1].name', badValue: 'kernel.msgmax' },
    ]);
  });
  test('the allowed set grows with each revision (v1.27, v1.29, v1.32); `latest` runs the newest', () => {
    const withSysctl = (name: string) =>
      pod({ securityContext: { sysctls: [{ name, value: '1' }] }, containers: [] });
    for (const name of [
      'net.ipv4.ip_local_reserved_ports',
      'net.ipv4.tcp_keepalive_time',
      'net.ipv4.tcp_wmem',
    ]) {
      assert.equal(evaluate(withSysctl(name), 'baseline', 'latest').allowed, true, name);
      assert.deepEqual(failingIds(evaluate(withSysctl(name), 'baseline', 'v1.26').checks), ['sysctls'], name);
    }
  });
  test('a pinned version runs every revision it reaches, as Kyverno does, so older revisions still object', () => {
    const p = pod({
      securityContext: { sysctls: [{ name: 'net.ipv4.tcp_keepalive_time', value: '1' }] },
      containers: [],
    });
    const r = evaluate(p, 'baseline', 'v1.29');
    // revisions v1.0 and v1.27 fail, v1.29 passes: two blocks in the message, one entry in checks
    assert.equal(r.message.match(/Forbidden reason: forbidden sysctls/g)?.length, 2);
    assert.deepEqual(failingIds(r.checks), ['sysctls']);
  });
});

describe('baseline: Host Probes / Lifecycle Hooks (v1.34+)', () => {
  const spec = {
    containers: [
      {
        name: 'b',
        livenessProbe: { httpGet: { host: 'evil.example', port: 80 } },
        lifecycle: { preStop: { tcpSocket: { host: '10.0.0.1', port: 22 } } },
      },
      {
        name: 'a',
        readinessProbe: { tcpSocket: { host: '', port: 80 } },
        startupProbe: { httpGet: { path: '/' } },
      },
      { name: 'c', startupProbe: { tcpSocket: { host: 'evil.example', port: 80 } } },
    ],
  };
  test('a host in a probe or lifecycle handler is forbidden; names and hosts are sorted', () => {
    const c = failing(evaluate(pod(spec), 'baseline').checks, 'hostProbesAndHostLifecycle');
    assert.equal(c.controlName, 'Host Probes / Lifecycle Hooks');
    assert.equal(c.forbiddenReason, 'probe or lifecycle host');
    assert.equal(
      c.forbiddenDetail,
      'containers "b", "c" use probe or lifecycle hosts "10.0.0.1", "evil.example"',
    );
    assert.deepEqual(
      c.fieldErrors?.map((e) => e.field),
      [
        'spec.containers[0].livenessProbe.httpGet.host',
        'spec.containers[0].lifecycle.preStop.tcpSocket.host',
        'spec.containers[2].startupProbe.tcpSocket.host',
      ],
    );
  });
  test('does not exist before v1.34', () => {
    const r = evaluate(pod(spec), 'baseline', 'v1.33');
    assert.equal(r.allowed, true);
    assert.equal(
      r.checks.some((c) => c.id === 'hostProbesAndHostLifecycle'),
      false,
    );
  });
});

describe('baseline level scope', () => {
  test('a pod that only breaks restricted controls passes baseline', () => {
    const r = evaluate(pod({ containers: [{ name: 'a', image: 'nginx' }] }), 'baseline');
    assert.equal(r.allowed, true);
    assert.equal(r.message, '');
    assert.equal(
      r.checks.every((c) => c.allowed),
      true,
    );
    assert.equal(
      r.checks.some((c) => c.id === 'runAsNonRoot'),
      false,
    );
  });
  test('a well-configured restricted pod passes both levels', () => {
    const p = pod({ containers: [goodContainer('a')], volumes: [{ name: 'tmp', emptyDir: {} }] });
    assert.equal(evaluate(p, 'baseline').allowed, true);
    assert.equal(evaluate(p, 'restricted').allowed, true);
  });
});
