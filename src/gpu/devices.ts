import type { HostRoot } from './host.js';

export interface DeviceNodes {
  /** Per-GPU nodes: /dev/nvidia0, /dev/nvidia1, ... */
  gpus: string[];
  /** Control and driver nodes: nvidiactl, nvidia-uvm, nvidia-uvm-tools, nvidia-modeset. */
  control: string[];
  /** MIG capability nodes under /dev/nvidia-caps (nvidia-cap1, nvidia-cap2, ...). */
  caps: string[];
}

export async function readDeviceNodes(host: HostRoot): Promise<DeviceNodes> {
  const dev = (await host.list('/dev')).filter((n) => n.startsWith('nvidia') && n !== 'nvidia-caps');
  const byNumber = (a: string, b: string) => Number(a.replace(/\D/g, '')) - Number(b.replace(/\D/g, ''));
  return {
    gpus: dev
      .filter((n) => /^nvidia\d+$/.test(n))
      .sort(byNumber)
      .map((n) => `/dev/${n}`),
    control: dev.filter((n) => !/^nvidia\d+$/.test(n)).map((n) => `/dev/${n}`),
    caps: (await host.list('/dev/nvidia-caps')).sort(byNumber).map((n) => `/dev/nvidia-caps/${n}`),
  };
}
