import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainExit, parseList, parseQuery, runCommand } from '../../src/gpu/nvidia-smi.js';
import { fixture } from '../helpers/index.js';

describe('nvidia-smi parsers', () => {
  test('-L: physical GPUs with their MIG devices, current and legacy MIG UUID forms', () => {
    const gpus = parseList(
      [
        'GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-838f60d9-651f-9166-ea42-f9da674a6947)',
        '  MIG 1g.5gb      Device  0: (UUID: MIG-ffda444c-c706-57c6-98c9-67c441a0b109)',
        '  MIG 3g.20gb     Device  1: (UUID: MIG-GPU-838f60d9-651f-9166-ea42-f9da674a6947/2/0)',
        'GPU 1: NVIDIA L4 (UUID: GPU-2c9d8e4f-1a6b-4e73-8f05-7b3a9c1d6e42)',
        'some banner line',
      ].join('\n'),
    );
    assert.equal(gpus.length, 2);
    assert.equal(gpus[0]!.name, 'NVIDIA A100-SXM4-40GB');
    assert.deepEqual(
      gpus[0]!.mig.map((m) => [m.profile, m.device, m.uuid]),
      [
        ['1g.5gb', 0, 'MIG-ffda444c-c706-57c6-98c9-67c441a0b109'],
        ['3g.20gb', 1, 'MIG-GPU-838f60d9-651f-9166-ea42-f9da674a6947/2/0'],
      ],
    );
    assert.deepEqual(gpus[1]!.mig, []);
    assert.equal(gpus[1]!.index, 1);
  });

  test('--query-gpu csv with and without header; rows that are not GPUs are ignored', () => {
    const text =
      'index, uuid, name, mig.mode.current\n0, GPU-aa, NVIDIA A100-SXM4-40GB, Enabled\n1, GPU-bb, NVIDIA L4, [N/A]\n';
    assert.deepEqual(parseQuery(text), [
      { index: '0', uuid: 'GPU-aa', name: 'NVIDIA A100-SXM4-40GB', migMode: 'Enabled' },
      { index: '1', uuid: 'GPU-bb', name: 'NVIDIA L4', migMode: '[N/A]' },
    ]);
    assert.equal(parseQuery('0, GPU-aa, X, Disabled').length, 1);
    assert.deepEqual(parseQuery('No devices were found\n'), []);
  });

  test('exit codes are explained from the man page table', () => {
    assert.match(explainExit(9), /driver is not loaded/);
    assert.match(explainExit(12), /libnvidia-ml/);
    assert.match(explainExit(6), /no devices found/);
    assert.equal(explainExit(42), 'exit status 42');
  });

  test('runCommand: recorded no-driver stand-in exits 9 with its text on stdout; a missing binary is "missing"', async () => {
    const noDriver = await runCommand(fixture('gpu', 'fixtures', 'recorded', 'nvidia-smi-no-driver'), ['-L']);
    assert.equal(noDriver.status, 'failed');
    assert.equal(noDriver.code, 9);
    assert.match(noDriver.stdout, /couldn't communicate with the NVIDIA driver/);
    const missing = await runCommand('/nonexistent/nvidia-smi', ['-L']);
    assert.equal(missing.status, 'missing');
  });
});
