import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ToolOutcome, ToolRunner } from '../../src/disk/tools.js';
import { fixture } from '../helpers/index.js';

export const SYSFS = fixture('disk', 'fixtures', 'sysfs-mixed');
export const PROC = fixture('disk', 'fixtures', 'proc-mixed');
export const TOOLS = fixture('disk', 'fixtures', 'tools');

const FILE: Record<string, string> = {
  nvme: 'nvme-id-ns.json',
  smartctl: 'smartctl.json',
  blkid: 'blkid.txt',
  dumpe2fs: 'dumpe2fs.txt',
  xfs_info: 'xfs_info.txt',
};

/**
 * Replays recorded tool output for the fixture tree's devices (there is no NVMe, SAS or 512e drive on the
 * test machine). Devices without a recording answer like the real sandboxed /dev/vda: "Operation not permitted".
 */
export function recordedRunner(
  options: { missing?: string[]; dir?: string } = {},
): ToolRunner & { calls: string[][] } {
  const dir = options.dir ?? TOOLS;
  const missing = new Set(options.missing ?? []);
  const calls: string[][] = [];
  return {
    calls,
    which: (tool) => (missing.has(tool) ? null : `/usr/sbin/${tool}`),
    async run(tool, args): Promise<ToolOutcome> {
      calls.push([tool, ...args]);
      if (missing.has(tool)) return { status: 'missing', code: null, stdout: '', stderr: '' };
      const dev = args.find((a) => a.startsWith('/dev/'));
      const file = dev ? join(dir, `${basename(dev)}.${FILE[tool]}`) : '';
      if (!dev || !existsSync(file)) {
        return {
          status: 'failed',
          code: 2,
          stdout: '',
          stderr: `${tool}: error: ${dev}: Operation not permitted\n`,
        };
      }
      const stdout = readFileSync(file, 'utf8');
      const code = tool === 'smartctl' ? (JSON.parse(stdout).smartctl?.exit_status ?? 0) : 0;
      return { status: code === 0 ? 'ok' : 'failed', code, stdout, stderr: '' };
    },
  };
}
