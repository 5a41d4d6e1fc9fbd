import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  evaluatePodSecurity,
  formatFieldError,
  PodSecurityError,
} from '../../../src/policy/podsecurity/index.js';
import { evaluate, failing, goodContainer, pod } from './pods.js';

const privilegedSpec = {
  containers: [{ name: 'nginx', image: 'nginx', securityContext: { privileged: true } }],
};

describe('Kyverno failure messages', () => {
  test('matches the message Kyverno reports for a kube-proxy-like pod at restricted:latest', () => {
    const r = evaluate(
      pod({
        hostNetwork: true,
        containers: [
          { name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy', securityContext: { privileged: true } },
        ],
        volumes: [
          { name: 'cfg', configMap: { name: 'kube-proxy' } },
          { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock' } },
          { name: 'lib-modules', hostPath: { path: '/lib/modules' } },
        ],
      }),
      'restricted',
    );
    assert.equal(r.allowed, false);
    // The expected text is Kyverno's own (pkg/event TestMessageLength), minus "Validation rule 'baseline' failed. ".
    assert.equal(
      r.message,
      'It violates PodSecurity "restricted:latest": ' +
        '(Forbidden reason: allowPrivilegeEscalation != false, field error list: [spec.containers[0].securityContext.allowPrivilegeEscalation is forbidden, forbidden values found: nil])' +
        '(Forbidden reason: unrestricted capabilities, field error list: [spec.containers[0].securityContext.capabilities.drop: Required value])' +
        '(Forbidden reason: host namespaces, field error list: [spec.hostNetwork is forbidden, forbidden values found: true])' +
        '(Forbidden reason: hostPath volumes, field error list: [spec.volumes[1].hostPath is forbidden, forbidden values found: /run/xtables.lock, spec.volumes[2].hostPath is forbidden, forbidden values found: /lib/modules])' +
        '(Forbidden reason: privileged, field error list: [spec.containers[0].securityContext.privileged is forbidden, forbidden values found: true])' +
        '(Forbidden reason: restricted volume types, field error list: [spec.volumes[1].hostPath: Forbidden, spec.volumes[2].hostPath: Forbidden])' +
        '(Forbidden reason: runAsNonRoot != true, field error list: [spec.containers[0].securityContext.runAsNonRoot: Required value])' +
        '(Forbidden reason: seccompProfile, field error list: [spec.containers[0].securityContext.seccompProfile.type: Required value])',
    );
  });

  test('a privileged Pod at baseline:latest', () => {
    assert.equal(
      evaluate(pod(privilegedSpec), 'baseline').message,
      'It violates PodSecurity "baseline:latest": (Forbidden reason: privileged, field error list: [spec.containers[0].securityContext.privileged is forbidden, forbidden values found: true])',
    );
  });

  test('pod controllers report paths inside their pod template', () => {
    for (const kind of [
      'Deployment',
      'DaemonSet',
      'StatefulSet',
      'ReplicaSet',
      'ReplicationController',
      'Job',
    ]) {
      const r = evaluatePodSecurity(
        {
          apiVersion: 'apps/v1',
          kind,
          metadata: { name: 'd' },
          spec: { template: { metadata: {}, spec: privilegedSpec } },
        },
        { level: 'baseline', version: 'latest' },
      );
      assert.equal(
        r.message,
        'It violates PodSecurity "baseline:latest": (Forbidden reason: privileged, field error list: [spec.template.spec.containers[0].securityContext.privileged is forbidden, forbidden values found: true])',
        kind,
      );
    }
  });

  test('a CronJob reports paths inside its job template', () => {
    const r = evaluatePodSecurity(
      {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'c' },
        spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: privilegedSpec } } } },
      },
      { level: 'baseline', version: 'latest' },
    );
    assert.deepEqual(
      failing(r.checks, 'privileged').fieldErrors?.[0]?.field,
      'spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged',
    );
  });

  test("a CronJob's annotations are read from the job template's metadata, as Kyverno reads them", () => {
    const annotations = { 'container.apparmor.security.beta.kubernetes.io/nginx': 'unconfined' };
    const cronJob = (jobMeta: object, podMeta: object) => ({
      kind: 'CronJob',
      metadata: { name: 'c' },
      spec: {
        jobTemplate: {
          metadata: jobMeta,
          spec: { template: { metadata: podMeta, spec: { containers: [{ name: 'nginx' }] } } },
        },
      },
    });
    assert.equal(evaluatePodSecurity(cronJob({}, { annotations }), { level: 'baseline' }).allowed, true);
    const r = evaluatePodSecurity(cronJob({ annotations }, {}), { level: 'baseline', version: 'latest' });
    assert.deepEqual(failing(r.checks, 'appArmorProfile').fieldErrors?.[0], {
      type: 'Forbidden',
      field: 'spec.template.metadata.annotations[container.apparmor.security.beta.kubernetes.io/nginx]',
      badValue: 'unconfined',
    });
  });

  test('the version is printed as written in the rule, empty included', () => {
    assert.match(
      evaluatePodSecurity(pod(privilegedSpec), { level: 'baseline' }).message,
      /^It violates PodSecurity "baseline:": /,
    );
    assert.match(
      evaluate(pod(privilegedSpec), 'baseline', 'v1.29').message,
      /^It violates PodSecurity "baseline:v1.29": /,
    );
  });

  test('a pinned version repeats a check once per failing revision, as Kyverno does', () => {
    const r = evaluate(
      pod({
        containers: [
          {
            name: 'a',
            securityContext: {
              runAsNonRoot: true,
              seccompProfile: { type: 'RuntimeDefault' },
              capabilities: { drop: ['ALL'] },
            },
          },
        ],
      }),
      'restricted',
      'v1.25',
    );
    assert.equal(r.message.match(/allowPrivilegeEscalation != false/g)?.length, 2);
    assert.equal(r.checks.filter((c) => c.id === 'allowPrivilegeEscalation').length, 1);
  });

  test('a passing pod has an empty message and all checks allowed', () => {
    const r = evaluate(pod({ containers: [goodContainer()] }), 'restricted', 'v1.30');
    assert.equal(r.allowed, true);
    assert.equal(r.message, '');
    assert.equal(
      r.checks.every((c) => c.allowed && c.forbiddenReason === undefined),
      true,
    );
  });
});

describe('formatFieldError', () => {
  test('values print as Go %+v does', () => {
    assert.equal(
      formatFieldError({ type: 'Forbidden', field: 'f', badValue: ['A', 'B'] }),
      'f is forbidden, forbidden values found: [A B]',
    );
    assert.equal(
      formatFieldError({ type: 'Forbidden', field: 'f', badValue: 8080 }),
      'f is forbidden, forbidden values found: 8080',
    );
    assert.equal(
      formatFieldError({ type: 'Forbidden', field: 'f', badValue: false }),
      'f is forbidden, forbidden values found: false',
    );
    assert.equal(formatFieldError({ type: 'Forbidden', field: 'f', badValue: '' }), 'f: Forbidden');
    assert.equal(formatFieldError({ type: 'Required', field: 'f', badValue: '' }), 'f: Required value');
  });
});

describe('invalid input', () => {
  test('kinds without a pod template are rejected as Kyverno rejects them', () => {
    assert.throws(
      () => evaluatePodSecurity({ kind: 'ConfigMap', metadata: { name: 'x' } }, { level: 'baseline' }),
      (e: unknown) => e instanceof PodSecurityError && e.message === 'could not find correct resource type',
    );
    assert.throws(() => evaluatePodSecurity('not an object', { level: 'baseline' }), PodSecurityError);
  });
  test('an unparsable version or level throws', () => {
    assert.throws(() => evaluate(pod({ containers: [] }), 'baseline', 'v2.0'), /invalid version "v2.0"/);
    assert.throws(() => evaluate(pod({ containers: [] }), 'baseline', 'v1.01'), /invalid version/);
    assert.throws(
      () => evaluatePodSecurity(pod({ containers: [] }), { level: 'strict' as 'baseline' }),
      /invalid level "strict"/,
    );
  });
  test('a resource changed between evaluations is read afresh', () => {
    const container: Record<string, unknown> = { name: 'before', securityContext: { privileged: true } };
    const p = pod({ containers: [container] });
    assert.match(
      evaluate(p, 'baseline').checks.find((c) => c.id === 'privileged')?.forbiddenDetail ?? '',
      /"before"/,
    );
    container.name = 'after';
    assert.match(
      evaluate(p, 'baseline').checks.find((c) => c.id === 'privileged')?.forbiddenDetail ?? '',
      /"after"/,
    );
  });
  test('malformed fields do not crash the checks', () => {
    const r = evaluate(
      pod({
        containers: 'oops',
        initContainers: [null, 3],
        volumes: [null],
        securityContext: { sysctls: 'x' },
      }),
      'restricted',
    );
    assert.equal(typeof r.allowed, 'boolean');
    assert.equal(r.checks.length > 0, true);
  });
});
