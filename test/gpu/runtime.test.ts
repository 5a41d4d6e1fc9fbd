import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { HostRoot } from '../../src/gpu/host.js';
import { criPluginName, readEngines } from '../../src/gpu/runtime.js';
import type { ParseProblem } from '../../src/gpu/toml.js';
import { tempDir } from '../helpers/index.js';

async function write(root: string, path: string, text: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), text);
}

describe('container engine default runtime', () => {
  test('CRI plugin table per containerd config version', () => {
    assert.equal(criPluginName(1), 'cri');
    assert.equal(criPluginName(2), 'io.containerd.grpc.v1.cri');
    assert.equal(criPluginName(3), 'io.containerd.cri.v1.runtime');
  });

  test('containerd 2.x (version 3) with a drop-in import, k3s config, and CRI-O drop-ins in lexical order', async () => {
    const tmp = await tempDir('rampart-gpu-runtime-');
    try {
      await write(
        tmp.path,
        '/etc/containerd/config.toml',
        'version = 3\nimports = ["/etc/containerd/conf.d/*.toml"]\n',
      );
      await write(
        tmp.path,
        '/etc/containerd/conf.d/99-nvidia.toml',
        [
          'version = 3',
          '[plugins."io.containerd.cri.v1.runtime".containerd]',
          '  default_runtime_name = "nvidia"',
          '[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nvidia.options]',
          '  BinaryName = "/usr/bin/nvidia-container-runtime"',
          '',
        ].join('\n'),
      );
      // Not matched by the *.toml import: must be ignored.
      await write(tmp.path, '/etc/containerd/conf.d/README', 'default_runtime_name = "x"\n');
      await write(
        tmp.path,
        '/var/lib/rancher/k3s/agent/etc/containerd/config.toml',
        'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd]\n  default_runtime_name = "runc"\n',
      );
      await write(
        tmp.path,
        '/etc/crio/crio.conf.d/10-base.conf',
        '[crio.runtime]\ndefault_runtime = "runc"\n',
      );
      await write(
        tmp.path,
        '/etc/crio/crio.conf.d/99-nvidia.conf',
        '[crio.runtime]\ndefault_runtime = "nvidia"\n[crio.runtime.runtimes.nvidia]\nruntime_path = "/usr/bin/nvidia-container-runtime"\n',
      );
      const problems: ParseProblem[] = [];
      const engines = await readEngines(new HostRoot(tmp.path), problems);
      assert.deepEqual(problems, []);
      assert.deepEqual(
        engines.map((e) => [e.engine, e.files.at(-1), e.defaultRuntime, e.defaultBinary, e.cdiEnabled]),
        [
          [
            'containerd',
            '/etc/containerd/conf.d/99-nvidia.toml',
            'nvidia',
            '/usr/bin/nvidia-container-runtime',
            true,
          ],
          ['containerd', '/var/lib/rancher/k3s/agent/etc/containerd/config.toml', 'runc', null, null],
          [
            'cri-o',
            '/etc/crio/crio.conf.d/99-nvidia.conf',
            'nvidia',
            '/usr/bin/nvidia-container-runtime',
            true,
          ],
        ],
      );
    } finally {
      await tmp.cleanup();
    }
  });
});
