import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CONTROL_NAMES, validatePodSecuritySpec } from '../../../src/policy/podsecurity/index.js';

describe('validatePodSecuritySpec', () => {
  test('valid specs have no problems', () => {
    assert.deepEqual(validatePodSecuritySpec({ level: 'baseline', version: 'latest' }), []);
    assert.deepEqual(validatePodSecuritySpec({ level: 'restricted' }), []);
    assert.deepEqual(validatePodSecuritySpec({ level: 'privileged', version: 'v1.0' }), []);
    assert.deepEqual(
      validatePodSecuritySpec({
        level: 'restricted',
        version: 'v1.29',
        exclude: [
          { controlName: 'Capabilities', images: ['nginx*'] },
          { controlName: 'Host Namespaces', restrictedField: 'spec.hostNetwork', values: ['true'] },
          { controlName: 'Running as Non-root' },
          {
            controlName: 'Seccomp',
            images: ['*'],
            restrictedField: 'spec.containers[*].securityContext.seccompProfile.type',
            values: ['Unconfined'],
          },
        ],
      }),
      [],
    );
  });

  test('level and version', () => {
    assert.deepEqual(validatePodSecuritySpec({ level: 'strict' }), [
      'level: Unsupported value: "strict": supported values: "privileged", "baseline", "restricted"',
    ]);
    assert.deepEqual(validatePodSecuritySpec({ level: 'baseline', version: '1.29' }), [
      'version: Invalid value: "1.29": must be "latest" or "v1.<minor>", e.g. "v1.29"',
    ]);
    assert.equal(validatePodSecuritySpec({ level: 'baseline', version: 29 }).length, 1);
    assert.deepEqual(validatePodSecuritySpec('baseline'), [
      'podSecurity: must be an object with level, version and exclude',
    ]);
  });

  test('control names must be the standard names', () => {
    assert.equal(CONTROL_NAMES.length, 16);
    const [problem] = validatePodSecuritySpec({
      level: 'baseline',
      exclude: [{ controlName: 'Privileged' }],
    });
    assert.match(
      problem ?? '',
      /^exclude\[0\]\.controlName: Unsupported value: "Privileged": supported values: "HostProcess", /,
    );
  });

  test('container-level controls need images, pod-level controls must not have them', () => {
    assert.deepEqual(
      validatePodSecuritySpec({ level: 'baseline', exclude: [{ controlName: 'Privileged Containers' }] }),
      [
        'exclude[0].controlName: Invalid value: "Privileged Containers": exclude.images must be specified for the container level control',
      ],
    );
    assert.deepEqual(
      validatePodSecuritySpec({ level: 'baseline', exclude: [{ controlName: 'Sysctls', images: ['x'] }] }),
      [
        'exclude[0].controlName: Invalid value: "Sysctls": exclude.images must not be specified for the pod level control',
      ],
    );
  });

  test('restrictedField and values go together', () => {
    assert.deepEqual(
      validatePodSecuritySpec({
        level: 'baseline',
        exclude: [
          { controlName: 'Host Namespaces', restrictedField: 'spec.hostPID' },
          { controlName: 'Host Namespaces', values: ['true'] },
        ],
      }),
      [
        'exclude[0].values: Forbidden: values is required',
        'exclude[1].restrictedField: Forbidden: restrictedField is required',
      ],
    );
  });

  test('restricted-only controls cannot be excluded at baseline (Seccomp and Capabilities can)', () => {
    assert.deepEqual(
      validatePodSecuritySpec({ level: 'baseline', exclude: [{ controlName: 'Running as Non-root user' }] }),
      [
        'exclude[0].controlName: Invalid value: "Running as Non-root user": Invalid control name defined at the given level',
      ],
    );
    assert.deepEqual(
      validatePodSecuritySpec({ level: 'baseline', exclude: [{ controlName: 'Seccomp' }] }),
      [],
    );
  });

  test('wrongly typed exclusions are reported', () => {
    assert.deepEqual(validatePodSecuritySpec({ level: 'baseline', exclude: 'Sysctls' }), [
      'exclude: must be a list',
    ]);
    assert.deepEqual(validatePodSecuritySpec({ level: 'baseline', exclude: ['Sysctls'] }), [
      'exclude[0]: must be an object',
    ]);
    assert.deepEqual(
      validatePodSecuritySpec({ level: 'baseline', exclude: [{ controlName: 'AppArmor', images: 'nginx' }] }),
      ['exclude[0].images: must be a list of strings'],
    );
  });
});
