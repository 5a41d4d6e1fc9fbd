import { type ListedGpu, parseList } from '../nvidia-smi.js';

/**
 * The script each pod runs by exec. It never trusts one signal: device nodes, the NVIDIA_ environment,
 * volume-mount requests and what nvidia-smi lists (if the toolkit injected it), each in its own section.
 */
export const OBSERVE_SCRIPT = [
  "echo '### devices'",
  'for f in /dev/nvidia* /dev/nvidia-caps/*; do [ -e "$f" ] && echo "$f"; done',
  "echo '### env'",
  "env | grep '^NVIDIA_' || true",
  "echo '### mounts'",
  'ls -1 /var/run/nvidia-container-devices 2>/dev/null || true',
  "echo '### smi'",
  'if command -v nvidia-smi >/dev/null 2>&1; then nvidia-smi -L 2>&1; echo "### smi-rc $?"; else echo \'### smi-rc 127\'; fi',
].join('\n');

/** The cross-instance attempt: from one MIG pod, ask nvidia-smi for another pod's MIG device by UUID. */
export function crossAccessScript(uuid: string): string {
  if (!/^MIG-[A-Za-z0-9/-]+$/.test(uuid)) throw new Error(`not a MIG UUID: ${uuid}`);
  return `nvidia-smi -L 2>&1; echo '### query'; nvidia-smi -q -i '${uuid}' 2>&1; echo "### rc $?"`;
}

export interface Observation {
  /** /dev/nvidia0, /dev/nvidiactl, /dev/nvidia-caps/nvidia-cap1, ... */
  deviceNodes: string[];
  env: Record<string, string>;
  /** Entries under /var/run/nvidia-container-devices (volume-mount device requests). */
  mountRequests: string[];
  /** nvidia-smi -L exit status; 127 when the toolkit did not inject nvidia-smi. */
  smiExit: number | null;
  smiText: string;
  gpus: ListedGpu[];
}

/** Parses what OBSERVE_SCRIPT printed. */
export function parseObservation(stdout: string): Observation {
  const sections = new Map<string, string[]>();
  let current = '';
  let smiExit: number | null = null;
  for (const line of stdout.split('\n')) {
    const rc = /^### smi-rc (\d+)$/.exec(line);
    if (rc) {
      smiExit = Number(rc[1]);
      continue;
    }
    const head = /^### (\w+)$/.exec(line);
    if (head) {
      current = head[1]!;
      sections.set(current, []);
      continue;
    }
    if (current && line.trim() !== '') sections.get(current)!.push(line);
  }
  const env: Record<string, string> = {};
  for (const line of sections.get('env') ?? []) {
    const i = line.indexOf('=');
    if (i > 0) env[line.slice(0, i)] = line.slice(i + 1);
  }
  const smiText = (sections.get('smi') ?? []).join('\n');
  return {
    deviceNodes: sections.get('devices') ?? [],
    env,
    mountRequests: sections.get('mounts') ?? [],
    smiExit,
    smiText,
    // GPU lines count even when nvidia-smi also complained and exited non-zero.
    gpus: parseList(smiText),
  };
}

/** Per-GPU device nodes (/dev/nvidia0 ...), the ones that grant access to a GPU's memory and engines. */
export function gpuDeviceNodes(o: Observation): string[] {
  return o.deviceNodes.filter((d) => /^\/dev\/nvidia\d+$/.test(d));
}

/** The devices nvidia-smi shows: MIG devices where there are any, else the GPUs. */
export function visibleDevices(o: Observation): string[] {
  const migs = o.gpus.flatMap((g) => g.mig.map((m) => m.uuid));
  return migs.length > 0 ? migs : o.gpus.map((g) => g.uuid);
}
