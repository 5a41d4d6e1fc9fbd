import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locate } from '../../src/disk/tools.js';

export interface LoopDevice {
  path: string;
  name: string;
  image: string;
}

const attached: LoopDevice[] = [];
const dirs: string[] = [];

function sh(tool: string, args: string[], input?: string): string {
  return execFileSync(locate(tool) ?? tool, args, {
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Why loop-device tests cannot run here, or null when they can (root, losetup, sfdisk and a free loop device). */
export function loopUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'loop-device tests need root';
  for (const tool of [
    'losetup',
    'sfdisk',
    'partx',
    'mkfs.ext4',
    'mkfs.xfs',
    'dumpe2fs',
    'xfs_info',
    'blkid',
  ]) {
    if (!locate(tool)) return `loop-device tests need ${tool} (apt-get install fdisk e2fsprogs xfsprogs)`;
  }
  try {
    const probe = createLoop(512, 1);
    detach(probe);
  } catch (error) {
    return `losetup failed: ${(error as Error).message.split('\n')[0]}`;
  }
  return null;
}

/** A sparse image attached with the given logical sector size; detached by name in detachAll(). */
export function createLoop(sectorSize: 512 | 4096, sizeMiB: number): LoopDevice {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-disk-'));
  dirs.push(dir);
  const image = join(dir, 'disk.img');
  writeFileSync(image, '');
  truncateSync(image, sizeMiB * 1024 * 1024);
  // --partscan makes the kernel drop the partitions on detach; without it, partitions added with partx
  // outlive the mapping and show up on the next device attached under the same name.
  const path = sh('losetup', [
    '--find',
    '--show',
    '--partscan',
    '--sector-size',
    String(sectorSize),
    image,
  ]).trim();
  const dev = { path, name: path.replace('/dev/', ''), image };
  attached.push(dev);
  dropPartitions(dev);
  return dev;
}

function dropPartitions(dev: LoopDevice): void {
  try {
    sh('partx', ['--delete', dev.path]);
  } catch {
    // no partitions to delete
  }
}

export function detach(dev: LoopDevice): void {
  const i = attached.indexOf(dev);
  if (i >= 0) attached.splice(i, 1);
  try {
    dropPartitions(dev);
    sh('losetup', ['--detach', dev.path]);
  } finally {
    rmSync(dev.image, { force: true });
  }
}

/** Detaches every loop device these tests attached (by name) and removes their images. */
export function detachAll(): void {
  for (const dev of [...attached].reverse()) {
    try {
      detach(dev);
    } catch {
      // already gone; keep cleaning the rest
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Writes an MBR/GPT with sfdisk and makes the kernel add the partitions (this kernel's BLKRRPART does not). */
export function partition(dev: LoopDevice, script: string): void {
  try {
    sh('sfdisk', ['--quiet', '--no-reread', dev.path], script);
  } catch (error) {
    // sfdisk exits non-zero only for a bad script; re-reading is left to partx below.
    if (!/re-reading/i.test(String((error as { stderr?: string }).stderr ?? ''))) throw error;
  }
  sh('partx', ['--update', dev.path]);
}

export async function waitForNode(path: string): Promise<void> {
  for (let i = 0; i < 100 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 20));
  if (!existsSync(path)) throw new Error(`${path} did not appear`);
}

export async function mkfs(tool: string, args: string[], device: string): Promise<void> {
  await waitForNode(device);
  sh(tool, [...args, device]);
}

export function run(tool: string, args: string[]): { code: number; out: string } {
  try {
    return { code: 0, out: sh(tool, args) };
  } catch (error) {
    const e = error as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}
