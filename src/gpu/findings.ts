import type { Result, ResultStatus } from '../core/result.js';
import type { Severity } from '../core/severity.js';
import { explainExit, firstLine } from './nvidia-smi.js';
import type { NodeFacts } from './probe.js';
import { ACCEPT_ENVVAR, ACCEPT_MOUNTS, TOOLKIT_CONFIG_PATHS } from './toolkit.js';

const DOCS = 'https://github.com/rampart-dev/rampart/blob/main/docs/gpu.md';

export const PROBE_RULES: Record<string, { title: string; severity: Severity }> = {
  'device-nodes': { title: 'NVIDIA device nodes', severity: 'info' },
  'nvidia-smi': { title: 'nvidia-smi inventory', severity: 'info' },
  'gpu-inventory': { title: 'Device nodes, nvidia-smi -L and --query-gpu agree', severity: 'medium' },
  'mig-instances': { title: 'MIG instances on MIG-enabled GPUs', severity: 'medium' },
  'toolkit-config': { title: 'NVIDIA container toolkit config', severity: 'medium' },
  'toolkit-envvar-unprivileged': {
    title: 'Toolkit ignores NVIDIA_VISIBLE_DEVICES from unprivileged containers',
    severity: 'high',
  },
  'toolkit-volume-mounts': {
    title: 'Volume-mount device requests only where the plugin uses them',
    severity: 'high',
  },
  'default-runtime': {
    title: 'Container engine default runtime is not the NVIDIA runtime',
    severity: 'high',
  },
  'cdi-specs': { title: 'CDI specs for NVIDIA devices', severity: 'info' },
  'cdi-spec-permissions': { title: 'CDI specs writable only by their owner', severity: 'high' },
  'device-plugin-strategy': {
    title: 'Device plugin list strategy does not rely on the env var',
    severity: 'high',
  },
  'device-plugin-device-specs': { title: 'Device plugin PASS_DEVICE_SPECS', severity: 'info' },
  'unreadable-file': { title: 'Host file could not be read or parsed', severity: 'info' },
};

interface Extra {
  severity?: Severity;
  fix?: string;
  file?: string;
  properties?: Record<string, unknown>;
}

function finder(facts: NodeFacts) {
  return (rule: string, status: ResultStatus, message: string, extra: Extra = {}): Result => {
    const meta = PROBE_RULES[rule]!;
    const r: Result = {
      policy: 'gpu-probe',
      rule,
      resource: { kind: 'Node', namespace: '', name: facts.node, apiVersion: 'v1' },
      status,
      message,
      severity: extra.severity ?? meta.severity,
      category: 'gpu-isolation',
      origin: extra.file ? { file: extra.file, line: 1, column: 1, index: 0 } : null,
      title: meta.title,
      docs: `${DOCS}#${rule}`,
    };
    if (extra.fix && status !== 'pass') r.fix = extra.fix;
    if (extra.properties) r.properties = extra.properties;
    return r;
  };
}

/** Whether any config (or the defaults, when there is none) lets unprivileged containers pick GPUs by env. */
export function envvarAccepted(facts: NodeFacts): boolean {
  return facts.toolkit.length === 0 || facts.toolkit.some((t) => t.acceptEnvvarUnprivileged.value);
}

function deviceFindings(facts: NodeFacts, make: ReturnType<typeof finder>): Result[] {
  const { gpus, control, caps } = facts.devices;
  if (gpus.length === 0 && control.length === 0)
    return [
      make(
        'device-nodes',
        'skip',
        'no /dev/nvidia* nodes: the driver is not loaded, or this is not a GPU node',
        {
          file: '/dev',
        },
      ),
    ];
  return [
    make(
      'device-nodes',
      'pass',
      `${gpus.length} GPU node(s) ${gpus.join(' ') || '-'}; control ${control.join(' ') || '-'}; ${caps.length} MIG capability node(s)`,
      { file: '/dev', properties: { gpus, control, caps } },
    ),
  ];
}

function smiFindings(facts: NodeFacts, make: ReturnType<typeof finder>): Result[] {
  const smi = facts.nvidiaSmi;
  const file = smi.path ?? 'nvidia-smi';
  const fix =
    'Install the NVIDIA driver utilities on the node, or pass --nvidia-smi PATH (in a debug pod: the host binary, e.g. /host/usr/bin/nvidia-smi run with chroot).';
  if (!smi.path || !smi.list)
    return [make('nvidia-smi', 'warn', 'nvidia-smi not found: GPU and MIG inventory unknown', { file, fix })];
  if (smi.list.status === 'missing')
    return [make('nvidia-smi', 'warn', `nvidia-smi could not be started: ${smi.list.stderr}`, { file, fix })];
  if (smi.list.status === 'failed')
    return [
      make(
        'nvidia-smi',
        'warn',
        `nvidia-smi -L exited ${smi.list.code}: ${explainExit(smi.list.code)}${firstLine(smi.list) ? ` ("${firstLine(smi.list)}")` : ''}`,
        {
          file,
          fix: 'Check that the NVIDIA kernel driver is loaded (lsmod | grep nvidia) and matches the user-space libraries.',
        },
      ),
    ];
  const out: Result[] = [];
  const migs = smi.gpus.flatMap((g) => g.mig);
  out.push(
    make(
      'nvidia-smi',
      'pass',
      `${smi.gpus.length} GPU(s)${smi.gpus.length ? `: ${smi.gpus.map((g) => `${g.index} ${g.name} ${g.uuid}`).join('; ')}` : ''}${migs.length ? `; ${migs.length} MIG device(s)` : ''}`,
      { file, properties: { gpus: smi.gpus, queried: smi.queried } },
    ),
  );
  // Consistency: one /dev/nvidiaN per physical GPU; --query-gpu lists the same physical GPUs as -L.
  const problems: string[] = [];
  if (facts.devices.gpus.length > 0 && facts.devices.gpus.length !== smi.gpus.length)
    problems.push(
      `${facts.devices.gpus.length} /dev/nvidiaN node(s) but nvidia-smi -L lists ${smi.gpus.length} GPU(s)`,
    );
  if (smi.query && smi.query.status !== 'ok')
    problems.push(`--query-gpu exited ${smi.query.code}: ${explainExit(smi.query.code)}`);
  else {
    const listed = new Set(smi.gpus.map((g) => g.uuid));
    const queried = new Set(smi.queried.map((q) => q.uuid));
    const differ = [...listed]
      .filter((u) => !queried.has(u))
      .concat([...queried].filter((u) => !listed.has(u)));
    if (differ.length) problems.push(`UUIDs listed by only one of -L and --query-gpu: ${differ.join(', ')}`);
  }
  out.push(
    problems.length
      ? make('gpu-inventory', 'warn', problems.join('; '), {
          file,
          fix: 'A GPU that nvidia-smi cannot see (fell off the bus, driver mismatch) or a device node without a GPU; check dmesg for NVRM errors.',
        })
      : make('gpu-inventory', 'pass', 'device nodes, nvidia-smi -L and --query-gpu agree', { file }),
  );
  return out;
}

function migFindings(facts: NodeFacts, make: ReturnType<typeof finder>): Result[] {
  const smi = facts.nvidiaSmi;
  const file = smi.path ?? 'nvidia-smi';
  const enabled = smi.queried.filter((q) => q.migMode === 'Enabled');
  if (smi.list?.status !== 'ok') return [];
  if (enabled.length === 0)
    return [make('mig-instances', 'skip', 'no GPU has MIG enabled (mig.mode.current)', { file })];
  const out: Result[] = [];
  const seen = new Map<string, string>();
  for (const q of enabled) {
    const gpu = smi.gpus.find((g) => g.uuid === q.uuid);
    const migs = gpu?.mig ?? [];
    for (const m of migs) {
      const other = seen.get(m.uuid);
      if (other)
        out.push(
          make('mig-instances', 'fail', `MIG UUID ${m.uuid} appears twice (${other} and GPU ${q.index})`, {
            severity: 'high',
            file,
          }),
        );
      seen.set(m.uuid, `GPU ${q.index}`);
    }
    if (migs.length === 0)
      out.push(
        make(
          'mig-instances',
          'warn',
          `GPU ${q.index} (${q.uuid}) has MIG enabled but no MIG instances: nothing can be allocated on it`,
          {
            file,
            fix: 'Create GPU and compute instances (nvidia-smi mig -cgi PROFILES -C) or let the MIG manager apply a mig.config label.',
          },
        ),
      );
    else
      out.push(
        make(
          'mig-instances',
          'pass',
          `GPU ${q.index}: ${migs.map((m) => `${m.profile} ${m.uuid}`).join(', ')}`,
          {
            file,
            properties: { gpu: q.uuid, mig: migs },
          },
        ),
      );
  }
  if (facts.devices.caps.length === 0 && facts.devices.gpus.length > 0)
    out.push(
      make(
        'mig-instances',
        'warn',
        'MIG is enabled but /dev/nvidia-caps has no capability nodes: containers cannot open MIG instances',
        {
          file: '/dev/nvidia-caps',
          fix: 'Create them with nvidia-ctk system create-dev-char-symlinks / nvidia-modprobe -f /proc/driver/nvidia/capabilities/... or let the driver container do it.',
        },
      ),
    );
  for (const p of facts.plugins)
    if (p.migStrategy === 'none')
      out.push(
        make(
          'mig-instances',
          'warn',
          `device plugin (pid ${p.pid}) runs with migStrategy none on a MIG node: MIG instances are not advertised one per pod`,
          {
            file: `/proc/${p.pid}/cmdline`,
            fix: 'Run the device plugin with MIG_STRATEGY=single (all GPUs one profile) or mixed (nvidia.com/mig-<profile> resources).',
          },
        ),
      );
  return out;
}

function toolkitFindings(facts: NodeFacts, make: ReturnType<typeof finder>): Result[] {
  const out: Result[] = [];
  const nvidiaEngines = facts.engines.filter((e) => e.nvidiaRuntimes.length > 0);
  const pluginStrategies = new Set(facts.plugins.flatMap((p) => p.deviceListStrategy));
  const envFix = `Set ${ACCEPT_ENVVAR} = false in the toolkit config (gpu-operator: toolkit env ACCEPT_NVIDIA_VISIBLE_DEVICES_ENVVAR_WHEN_UNPRIVILEGED=false), and give GPUs through CDI or volume-mounts.`;
  if (facts.toolkit.length === 0) {
    if (nvidiaEngines.length === 0 && facts.devices.gpus.length === 0)
      return [
        make(
          'toolkit-config',
          'skip',
          'no NVIDIA container toolkit config and no NVIDIA runtime configured',
          { file: TOOLKIT_CONFIG_PATHS[0] },
        ),
      ];
    out.push(
      make(
        'toolkit-config',
        'warn',
        `no toolkit config at ${TOOLKIT_CONFIG_PATHS.join(' or ')}: the toolkit's defaults apply`,
        {
          file: TOOLKIT_CONFIG_PATHS[0],
          fix: 'Generate one with nvidia-ctk config --in-place --set ... so the settings are explicit.',
        },
      ),
    );
    if (nvidiaEngines.length > 0)
      out.push(
        make(
          'toolkit-envvar-unprivileged',
          'fail',
          `${ACCEPT_ENVVAR} defaults to true: any container run by the NVIDIA runtime picks GPUs with NVIDIA_VISIBLE_DEVICES (CUDA images set it to "all")`,
          {
            file: TOOLKIT_CONFIG_PATHS[0],
            fix: envFix,
          },
        ),
      );
    return out;
  }
  for (const t of facts.toolkit) {
    const how = (f: { explicit: boolean }) => (f.explicit ? 'set' : 'not set, toolkit default');
    out.push(
      make('toolkit-config', 'pass', `toolkit config found; runtime mode ${t.runtimeMode}`, {
        file: t.path,
        properties: { ...t },
      }),
    );
    out.push(
      t.acceptEnvvarUnprivileged.value
        ? make(
            'toolkit-envvar-unprivileged',
            'fail',
            `${ACCEPT_ENVVAR} = true (${how(t.acceptEnvvarUnprivileged)}): an unprivileged pod without a GPU request gets GPUs by setting NVIDIA_VISIBLE_DEVICES (CUDA images default to "all") whenever it runs through the NVIDIA runtime${t.runtimeMode === 'cdi' ? ' (CDI mode translates the env var into CDI requests too)' : ''}`,
            { file: t.path, fix: envFix },
          )
        : make(
            'toolkit-envvar-unprivileged',
            'pass',
            `${ACCEPT_ENVVAR} = false: NVIDIA_VISIBLE_DEVICES is ignored unless the container has CAP_SYS_ADMIN`,
            { file: t.path },
          ),
    );
    const pluginUsesMounts = pluginStrategies.has('volume-mounts');
    if (t.acceptVolumeMounts.value && !pluginUsesMounts)
      out.push(
        make(
          'toolkit-volume-mounts',
          'fail',
          `${ACCEPT_MOUNTS} = true but no device plugin here uses the volume-mounts strategy: any pod allowed a hostPath of /dev/null at /var/run/nvidia-container-devices/all gets every GPU`,
          {
            file: t.path,
            fix: `Set ${ACCEPT_MOUNTS} = false, or switch the device plugin to DEVICE_LIST_STRATEGY=volume-mounts and forbid hostPath volumes by admission (Pod Security baseline).`,
          },
        ),
      );
    else if (t.acceptVolumeMounts.value)
      out.push(
        make(
          'toolkit-volume-mounts',
          'warn',
          `${ACCEPT_MOUNTS} = true, matching the plugin's volume-mounts strategy; the same request can be forged by any pod allowed a hostPath of /dev/null`,
          {
            severity: 'medium',
            file: t.path,
            fix: 'Forbid hostPath volumes by admission (Pod Security baseline or the gpu-isolation pack), or move to CDI.',
          },
        ),
      );
    else if (pluginUsesMounts)
      out.push(
        make(
          'toolkit-volume-mounts',
          'fail',
          `the device plugin uses volume-mounts but ${ACCEPT_MOUNTS} is false: GPU pods get no GPU (or fall back to the env var)`,
          {
            severity: 'medium',
            file: t.path,
            fix: `Set ${ACCEPT_MOUNTS} = true together with ${ACCEPT_ENVVAR} = false.`,
          },
        ),
      );
    else
      out.push(
        make('toolkit-volume-mounts', 'pass', `${ACCEPT_MOUNTS} = false (${how(t.acceptVolumeMounts)})`, {
          file: t.path,
        }),
      );
  }
  return out;
}

function runtimeFindings(facts: NodeFacts, make: ReturnType<typeof finder>): Result[] {
  const broken = facts.problems.filter((p) =>
    /^\/(etc\/containerd|etc\/crio|var\/lib\/rancher)/.test(p.path),
  );
  if (facts.engines.length === 0 && broken.length > 0)
    return [
      make(
        'default-runtime',
        'warn',
        `the container engine config could not be read, so the default runtime is unknown (${broken.map((b) => b.path).join(', ')})`,
        {
          file: broken[0]!.path.replace(/:\d+:\d+$/, ''),
          fix: 'Fix or make readable the file named in the unreadable-file finding, then probe again.',
        },
      ),
    ];
  if (facts.engines.length === 0)
    return [
      make(
        'default-runtime',
        'skip',
        'no containerd or CRI-O config found (/etc/containerd/config.toml, /etc/crio/crio.conf[.d])',
        { file: '/etc/containerd/config.toml' },
      ),
    ];
  const accepted = envvarAccepted(facts);
  return facts.engines.map((e) => {
    const file = e.files[e.files.length - 1]!;
    const props = {
      engine: e.engine,
      files: e.files,
      defaultRuntime: e.defaultRuntime,
      defaultBinary: e.defaultBinary,
      nvidiaRuntimes: e.nvidiaRuntimes,
      cdiEnabled: e.cdiEnabled,
    };
    const handlers = e.nvidiaRuntimes.length
      ? `; NVIDIA runtime handler(s) for runtimeClassName: ${e.nvidiaRuntimes.join(', ')}`
      : '';
    const cdi = e.cdiEnabled === null ? '' : `; CDI ${e.cdiEnabled ? 'enabled' : 'disabled'}`;
    const nvidiaDefault =
      e.nvidiaRuntimes.includes(e.defaultRuntime) || /nvidia-container-runtime/.test(e.defaultBinary ?? '');
    if (nvidiaDefault)
      return make(
        'default-runtime',
        'fail',
        `${e.engine} default runtime is "${e.defaultRuntime}" (${e.defaultBinary ?? 'nvidia'}): every pod goes through the NVIDIA hook${accepted ? ', and the toolkit accepts NVIDIA_VISIBLE_DEVICES from unprivileged pods' : ''}${cdi}`,
        {
          severity: accepted ? 'critical' : 'high',
          file,
          properties: props,
          fix:
            e.engine === 'containerd'
              ? 'Keep runc as default_runtime_name and reach the NVIDIA runtime only through a RuntimeClass (nvidia-ctk runtime configure --runtime=containerd without --set-as-default; gpu-operator: cdi.enabled=true or toolkit env CONTAINERD_SET_AS_DEFAULT=false).'
              : 'Keep crun/runc as default_runtime and reach the NVIDIA runtime only through a RuntimeClass (remove default_runtime = "nvidia" from crio.conf.d/99-nvidia.conf).',
        },
      );
    return make(
      'default-runtime',
      'pass',
      `${e.engine} default runtime is "${e.defaultRuntime}"${handlers}${cdi}`,
      { file, properties: props },
    );
  });
}

function cdiFindings(facts: NodeFacts, make: ReturnType<typeof finder>): Result[] {
  const out: Result[] = [];
  const usesCdi = facts.plugins.some((p) => p.deviceListStrategy.some((s) => s.startsWith('cdi-')));
  const nvidiaSpecs = facts.cdi.filter((s) => /nvidia/.test(s.kind));
  if (facts.cdi.length === 0)
    out.push(
      usesCdi
        ? make(
            'cdi-specs',
            'fail',
            'the device plugin uses a CDI strategy but /etc/cdi and /var/run/cdi hold no spec',
            {
              severity: 'medium',
              file: '/var/run/cdi',
              fix: 'Generate one with nvidia-ctk cdi generate --output=/var/run/cdi/nvidia.yaml, or let the plugin/operator do it.',
            },
          )
        : make('cdi-specs', 'skip', 'no CDI specs in /etc/cdi or /var/run/cdi', { file: '/var/run/cdi' }),
    );
  else
    for (const s of facts.cdi)
      out.push(
        make(
          'cdi-specs',
          'pass',
          `${s.kind}: ${s.devices.length} device(s) (${s.devices.slice(0, 8).join(', ')}${s.devices.length > 8 ? ', ...' : ''}); ${s.hooks} hook(s)`,
          { file: s.path, properties: { ...s } },
        ),
      );
  if (usesCdi && facts.cdi.length > 0 && nvidiaSpecs.length === 0)
    out.push(
      make('cdi-specs', 'warn', 'the device plugin uses a CDI strategy but no spec declares an NVIDIA kind', {
        severity: 'medium',
        file: facts.cdi[0]!.path,
      }),
    );
  for (const s of facts.cdi) {
    if (s.mode === null) continue;
    const writable = (s.mode & 0o022) !== 0;
    out.push(
      writable
        ? make(
            'cdi-spec-permissions',
            'fail',
            `mode ${s.mode.toString(8).padStart(4, '0')}: writable by group or others, who could add host mounts, devices and hooks that run as root in every container requesting ${s.kind}`,
            {
              file: s.path,
              fix: `chmod 0644 ${s.path} (owned by root)`,
            },
          )
        : make('cdi-spec-permissions', 'pass', `mode ${s.mode.toString(8).padStart(4, '0')}`, {
            file: s.path,
          }),
    );
  }
  return out;
}

function pluginFindings(facts: NodeFacts, make: ReturnType<typeof finder>): Result[] {
  if (facts.plugins.length === 0)
    return [
      make(
        'device-plugin-strategy',
        'skip',
        `no running nvidia-device-plugin process found under ${facts.root === '/' ? '' : facts.root}/proc (run the probe with hostPID, or on the node)`,
        { file: '/proc' },
      ),
    ];
  const accepted = envvarAccepted(facts);
  const acceptsMounts = facts.toolkit.some((t) => t.acceptVolumeMounts.value);
  const out: Result[] = [];
  for (const p of facts.plugins) {
    const file = `/proc/${p.pid}/cmdline`;
    const list = p.deviceListStrategy.join(',');
    const props = { ...p };
    const from = `(${p.sources.deviceListStrategy})`;
    if (p.deviceListStrategy.every((s) => s.startsWith('cdi-')))
      out.push(
        make(
          'device-plugin-strategy',
          'pass',
          `DEVICE_LIST_STRATEGY=${list} ${from}: devices are injected by CDI, pod env is not consulted`,
          { file, properties: props },
        ),
      );
    else if (p.deviceListStrategy.includes('envvar') && accepted)
      out.push(
        make(
          'device-plugin-strategy',
          'fail',
          `DEVICE_LIST_STRATEGY=${list} ${from} with the toolkit accepting NVIDIA_VISIBLE_DEVICES from unprivileged pods: isolation depends on every pod's env and image`,
          {
            file,
            properties: props,
            fix: 'Use DEVICE_LIST_STRATEGY=cdi-annotations,cdi-cri (gpu-operator cdi.enabled=true), or volume-mounts with the toolkit accepting volume mounts and not the env var.',
          },
        ),
      );
    else if (p.deviceListStrategy.includes('envvar'))
      out.push(
        make(
          'device-plugin-strategy',
          'fail',
          `DEVICE_LIST_STRATEGY=${list} ${from} but the toolkit ignores the env var from unprivileged pods: GPU pods get no GPU`,
          {
            severity: 'medium',
            file,
            properties: props,
            fix: 'Switch the plugin to a CDI or volume-mounts strategy matching the toolkit.',
          },
        ),
      );
    else if (p.deviceListStrategy.includes('volume-mounts') && !acceptsMounts)
      out.push(
        make(
          'device-plugin-strategy',
          'fail',
          `DEVICE_LIST_STRATEGY=${list} ${from} but no toolkit config accepts volume mounts: GPU pods get no GPU`,
          {
            severity: 'medium',
            file,
            properties: props,
            fix: `Set ${ACCEPT_MOUNTS} = true in the toolkit config.`,
          },
        ),
      );
    else
      out.push(
        make('device-plugin-strategy', 'pass', `DEVICE_LIST_STRATEGY=${list} ${from}`, {
          file,
          properties: props,
        }),
      );
    out.push(
      make(
        'device-plugin-device-specs',
        'pass',
        `PASS_DEVICE_SPECS=${p.passDeviceSpecs} (${p.sources.passDeviceSpecs}): ${p.passDeviceSpecs ? 'the kubelet also adds the allocated /dev/nvidia* nodes to the device cgroup' : 'device nodes come only from the runtime hook or CDI'}; DEVICE_ID_STRATEGY=${p.deviceIdStrategy}; MIG_STRATEGY=${p.migStrategy}`,
        { file, properties: props },
      ),
    );
  }
  return out;
}

/** Turns what the probe found into findings. Pure: the same facts give the same results. */
export function probeFindings(facts: NodeFacts): Result[] {
  const make = finder(facts);
  return [
    ...deviceFindings(facts, make),
    ...smiFindings(facts, make),
    ...migFindings(facts, make),
    ...toolkitFindings(facts, make),
    ...runtimeFindings(facts, make),
    ...cdiFindings(facts, make),
    ...pluginFindings(facts, make),
    ...facts.problems.map((p) =>
      make('unreadable-file', 'warn', `${p.path}: ${p.reason}`, {
        file: p.path.replace(/:\d+:\d+$/, ''),
        fix: 'Run the probe as root (or with the node filesystem mounted readable); fix the file if it is malformed.',
      }),
    ),
  ];
}
