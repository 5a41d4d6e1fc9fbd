import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { podSpecQosClass, qosClass } from '../../../src/core/k8s/qos.js';

const both = (cpu: unknown, memory: unknown) => ({ cpu, memory });

describe('qosClass (Kubernetes ComputePodQOS)', () => {
  test('zero amounts and resources other than CPU and memory do not count', () => {
    assert.equal(qosClass([{ requests: both('0', '0') }]), 'BestEffort');
    assert.equal(qosClass([{ limits: { 'nvidia.com/gpu': 1, 'ephemeral-storage': '1Gi' } }]), 'BestEffort');
    assert.equal(
      qosClass([{ limits: { ...both('1', '1Gi'), 'nvidia.com/gpu': 1 }, requests: { 'nvidia.com/gpu': 1 } }]),
      'Guaranteed',
    );
  });

  test('a zero limit is no limit, so the pod is not Guaranteed', () => {
    assert.equal(qosClass([{ requests: both('1', '1Gi'), limits: both('0', '1Gi') }]), 'Burstable');
  });

  test('requests default to limits and compare as quantities', () => {
    assert.equal(qosClass([{ limits: both('1', '1Gi') }]), 'Guaranteed');
    assert.equal(qosClass([{ requests: both('1000m', '1024Mi'), limits: both(1, '1Gi') }]), 'Guaranteed');
    assert.equal(qosClass([{ requests: both(null, null), limits: both(0.5, 2 ** 30) }]), 'Guaranteed');
  });

  test('every container needs both limits', () => {
    assert.equal(qosClass([{ limits: both('1', '1Gi') }, { limits: { cpu: '1' } }]), 'Burstable');
  });

  test('pod-level resources decide where they are set', () => {
    assert.equal(
      podSpecQosClass({
        resources: { limits: both('2', '2Gi') },
        containers: [{ name: 'a' }, { name: 'b' }],
      }),
      'Guaranteed',
    );
    assert.equal(podSpecQosClass({ resources: {}, containers: [{ name: 'a' }] }), 'BestEffort');
  });

  test('text Kubernetes cannot parse still counts as set', () => {
    assert.equal(qosClass([{ limits: both('{{ cpu }}', '{{ mem }}') }]), 'Guaranteed');
    assert.equal(qosClass([{ requests: { cpu: '{{ cpu }}' } }]), 'Burstable');
  });
});
