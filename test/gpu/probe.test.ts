import assert from 'node:assert/strict';
import { chmod, cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Result } from '../../src/core/result.js';
import { probeFindings } from '../../src/gpu/findings.js';
import { probeNode } from '../../src/gpu/probe.js';
import { fixture, tempDir } from '../helpers/index.js';

const root = (name: string) => fixture('gpu', 'fixtures', name);

function statuses(results: Result[], rule: string): string[] {
  return results.filter((r) => r.rule === rule).map((r) => r.status);
}

async function probe(name: string, nvidiaSmi?: string): Promise<Result[]> {
  return probeFindings(await probeNode({ root: root(name), nvidiaSmi }));
}

describe('gpu probe on fixture roots', () => {
  test('well-configured node (CDI mode): every control passes', async () => {
    const facts = await probeNode({ root: root('well-configured') });
    assert.equal(facts.node, 'gpu-node-a');
    assert.deepEqual(facts.devices.gpus, ['/dev/nvidia0', '/dev/nvidia1']);
    assert.equal(facts.nvidiaSmi.gpus.length, 2);
    assert.equal(facts.toolkit[0]!.acceptEnvvarUnprivileged.value, false);
    assert.equal(facts.engines[0]!.defaultRuntime, 'runc');
    assert.deepEqual(facts.engines[0]!.nvidiaRuntimes, ['nvidia']);
    assert.deepEqual(facts.plugins[0]!.deviceListStrategy, ['cdi-annotations', 'cdi-cri']);
    const results = probeFindings(facts);
    assert.deepEqual(
      results.filter((r) => r.status === 'fail' || r.status === 'warn').map((r) => r.rule),
      [],
    );
    assert.deepEqual(statuses(results, 'cdi-specs'), ['pass']);
    assert.deepEqual(statuses(results, 'mig-instances'), ['skip']);
  });

  test('leaky node: envvar accepted, volume-mount trick open, nvidia default runtime via the conf.d drop-in', async () => {
    const results = await probe('leaky');
    assert.deepEqual(statuses(results, 'toolkit-envvar-unprivileged'), ['fail']);
    assert.deepEqual(statuses(results, 'toolkit-volume-mounts'), ['fail']);
    const runtime = results.find((r) => r.rule === 'default-runtime')!;
    assert.equal(runtime.status, 'fail');
    assert.equal(runtime.severity, 'critical');
    assert.equal(runtime.origin?.file, '/etc/containerd/conf.d/99-nvidia.toml');
    assert.ok(runtime.fix);
    const plugin = results.find((r) => r.rule === 'device-plugin-strategy')!;
    assert.equal(plugin.status, 'fail');
    // The strategy came from the plugin's --config-file, read through /proc/PID/root.
    assert.match(plugin.message, /config file \/config\/config\.yaml/);
    assert.match(
      results.find((r) => r.rule === 'device-plugin-device-specs')!.message,
      /PASS_DEVICE_SPECS=true/,
    );
  });

  test('MIG node: instances listed per MIG-enabled GPU, CRI-O drop-in read, hardened volume-mounts pair warns only', async () => {
    const facts = await probeNode({ root: root('mig') });
    assert.equal(facts.nvidiaSmi.queried[0]!.migMode, 'Enabled');
    assert.equal(facts.devices.caps.length, 4);
    assert.equal(facts.engines[0]!.engine, 'cri-o');
    assert.equal(facts.engines[0]!.defaultRuntime, 'crun');
    assert.equal(facts.plugins[0]!.migStrategy, 'mixed');
    assert.equal(facts.plugins[0]!.sources.migStrategy, '--mig-strategy');
    const results = probeFindings(facts);
    const mig = results.filter((r) => r.rule === 'mig-instances');
    assert.deepEqual(
      mig.map((r) => r.status),
      ['pass'],
    );
    assert.match(mig[0]!.message, /MIG-ffda444c-c706-57c6-98c9-67c441a0b109/);
    assert.deepEqual(statuses(results, 'toolkit-volume-mounts'), ['warn']);
    assert.deepEqual(statuses(results, 'device-plugin-strategy'), ['pass']);
    assert.equal(results.filter((r) => r.status === 'fail').length, 0);
  });

  test('node without nvidia-smi and with a malformed containerd config: notices, not a crash', async () => {
    const results = await probe('no-nvidia-smi');
    assert.deepEqual(statuses(results, 'nvidia-smi'), ['warn']);
    assert.match(results.find((r) => r.rule === 'nvidia-smi')!.fix!, /--nvidia-smi/);
    const broken = results.find((r) => r.rule === 'unreadable-file')!;
    assert.match(broken.message, /^\/etc\/containerd\/config\.toml:4:\d+: Invalid TOML/);
    assert.deepEqual(statuses(results, 'default-runtime'), ['warn']);
    assert.deepEqual(statuses(results, 'toolkit-config'), ['warn']);
    assert.deepEqual(statuses(results, 'device-plugin-strategy'), ['skip']);
    assert.equal(results.filter((r) => r.status === 'fail').length, 0);
  });

  test('--nvidia-smi with the recorded no-driver output: exit 9 explained', async () => {
    const results = await probe(
      'no-nvidia-smi',
      fixture('gpu', 'fixtures', 'recorded', 'nvidia-smi-no-driver'),
    );
    const smi = results.find((r) => r.rule === 'nvidia-smi')!;
    assert.equal(smi.status, 'warn');
    assert.match(smi.message, /exited 9: the NVIDIA driver is not loaded \("NVIDIA-SMI has failed/);
  });

  test('a CDI spec writable by others fails; an unreadable toolkit config is a notice; MIG without instances warns', async () => {
    const tmp = await tempDir('rampart-gpu-');
    try {
      const node = join(tmp.path, 'node');
      await cp(root('well-configured'), node, { recursive: true });
      await chmod(join(node, 'var/run/cdi/nvidia.yaml'), 0o666);
      const perm = probeFindings(await probeNode({ root: node }));
      const p = perm.find((r) => r.rule === 'cdi-spec-permissions')!;
      assert.equal(p.status, 'fail');
      assert.match(p.message, /mode 0666/);
      // A directory where the config file should be cannot be read even by root.
      await rm(join(node, 'etc/nvidia-container-runtime/config.toml'));
      await mkdir(join(node, 'etc/nvidia-container-runtime/config.toml'));
      const unreadable = probeFindings(await probeNode({ root: node }));
      assert.match(unreadable.find((r) => r.rule === 'unreadable-file')!.message, /config\.toml: EISDIR/);
      // With no readable toolkit config the defaults apply: envvar accepted, and the nvidia handler exists.
      assert.deepEqual(statuses(unreadable, 'toolkit-envvar-unprivileged'), ['fail']);

      const mig = join(tmp.path, 'mig');
      await cp(root('mig'), mig, { recursive: true });
      await writeFile(
        join(mig, 'usr/bin/nvidia-smi'),
        [
          '#!/bin/sh',
          '# Stand-in: the MIG fixture GPU after its instances were destroyed.',
          'case "$1" in',
          "  -L) echo 'GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-838f60d9-651f-9166-ea42-f9da674a6947)' ;;",
          "  *) echo 'index, uuid, name, mig.mode.current'; echo '0, GPU-838f60d9-651f-9166-ea42-f9da674a6947, NVIDIA A100-SXM4-40GB, Enabled' ;;",
          'esac',
          '',
        ].join('\n'),
      );
      const empty = probeFindings(await probeNode({ root: mig }));
      assert.deepEqual(statuses(empty, 'mig-instances'), ['warn']);
      assert.match(empty.find((r) => r.rule === 'mig-instances')!.message, /no MIG instances/);
    } finally {
      await tmp.cleanup();
    }
  });
});
