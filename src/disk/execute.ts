import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../core/errors.js';
import { readMounts, readSwaps } from './mounts.js';
import { type ConversionPlan, stepShell } from './plan.js';
import { resolveDisk } from './sysfs.js';
import type { ToolRunner } from './tools.js';
import type { DeviceInfo } from './types.js';

const MEMBER_TYPES: Record<string, string> = {
  LVM2_member: 'LVM',
  linux_raid_member: 'MD RAID',
  zfs_member: 'ZFS',
  ddf_raid_member: 'firmware RAID',
  isw_raid_member: 'firmware RAID',
};

export interface SafetyOptions {
  sysfsRoot?: string;
  procRoot?: string;
}

async function devNumber(sysfsRoot: string, name: string): Promise<string | null> {
  try {
    return (await readFile(join(sysfsRoot, 'block', name, 'dev'), 'utf8')).trim();
  } catch {
    return null;
  }
}

async function holdersOf(sysfsRoot: string, name: string): Promise<string[]> {
  try {
    return await readdir(join(sysfsRoot, 'block', name, 'holders'));
  } catch {
    return [];
  }
}

/** The disk, its partitions and everything stacked on them (dm, md, …), with their major:minor numbers. */
async function stack(dev: DeviceInfo, sysfsRoot: string): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>([[dev.name, dev.majorMinor]]);
  for (const p of dev.partitions) out.set(p.name, p.majorMinor);
  const queue = [...dev.holders, ...dev.partitions.flatMap((p) => p.holders)];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (out.has(name)) continue;
    out.set(name, await devNumber(sysfsRoot, name));
    queue.push(...(await holdersOf(sysfsRoot, name)));
  }
  return out;
}

/**
 * Reasons not to touch the device: it (or anything stacked on it) holds the root filesystem, is mounted,
 * is swap, or belongs to LVM / MD / ZFS. Empty when it is safe to proceed.
 */
export async function safetyProblems(dev: DeviceInfo, options: SafetyOptions = {}): Promise<string[]> {
  const sysfsRoot = options.sysfsRoot ?? '/sys';
  const procRoot = options.procRoot ?? '/proc';
  const problems: string[] = [];
  const all = await stack(dev, sysfsRoot);
  const numbers = new Map([...all].filter(([, mm]) => mm !== null).map(([name, mm]) => [mm!, name]));
  const mounts = (await readMounts(procRoot)).filter((m) => numbers.has(m.majorMinor));
  const root = mounts.find((m) => m.mountpoint === '/');
  if (root) problems.push(`${dev.name} holds the root filesystem (/ is on ${numbers.get(root.majorMinor)})`);
  for (const m of mounts.filter((x) => x !== root))
    problems.push(`${numbers.get(m.majorMinor)} is mounted on ${m.mountpoint}`);
  for (const s of await readSwaps(procRoot)) {
    const name = s.replace(/^\/dev\//, '');
    if (all.has(name)) problems.push(`${name} is in use as swap`);
  }
  for (const holder of [...all.keys()].filter(
    (n) => n !== dev.name && !dev.partitions.some((p) => p.name === n),
  )) {
    const kind = holder.startsWith('md')
      ? 'MD RAID'
      : holder.startsWith('dm-')
        ? 'device-mapper (LVM, dm-crypt, multipath)'
        : 'another block device';
    problems.push(`${dev.name} is in use by ${holder} (${kind})`);
  }
  for (const [name, fs] of [
    [dev.name, dev.filesystem] as const,
    ...dev.partitions.map((p) => [p.name, p.filesystem] as const),
  ]) {
    const kind = fs ? MEMBER_TYPES[fs.type] : undefined;
    if (kind) problems.push(`${name} is a ${kind} member (${fs!.type})`);
  }
  return problems;
}

async function appears(path: string, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

export interface ExecuteOptions extends SafetyOptions {
  /** The value of --yes-i-will-lose-all-data-on; must name the same device. */
  confirm: string | undefined;
  runner: ToolRunner;
  log: (line: string) => void;
}

/**
 * Runs a plan only after the confirmation names the same device and the safety checks pass; stops at the
 * first failing step. Returns 0 when every step ran, 1 when one failed.
 */
export async function executePlan(
  plan: ConversionPlan,
  dev: DeviceInfo,
  options: ExecuteOptions,
): Promise<number> {
  const sysfsRoot = options.sysfsRoot ?? '/sys';
  if (!options.confirm) {
    throw new UserError(
      `--execute destroys all data on ${plan.path}; add --yes-i-will-lose-all-data-on ${plan.path} to go ahead`,
    );
  }
  const confirmed = await resolveDisk(sysfsRoot, options.confirm);
  if (confirmed?.disk !== dev.name || confirmed.partition !== null) {
    throw new UserError(
      `--yes-i-will-lose-all-data-on names "${options.confirm}", not ${plan.path}; refusing`,
    );
  }
  const problems = await safetyProblems(dev, options);
  if (problems.length > 0) throw new UserError(`refusing to touch ${plan.path}: ${problems.join('; ')}`);
  if (plan.blockers.length > 0) throw new UserError(`refusing to execute: ${plan.blockers.join('; ')}`);

  const n = plan.steps.length;
  for (const [i, step] of plan.steps.entries()) {
    const tag = `[${i + 1}/${n}]`;
    options.log(`${tag} ${step.destructive ? 'DESTRUCTIVE: ' : ''}${step.title}`);
    if (step.kind === 'manual') {
      options.log(`${tag} manual step, not run by rampart`);
      continue;
    }
    options.log(`${tag} $ ${stepShell(step)}`);
    if (step.waitFor && !(await appears(step.waitFor, 10_000))) {
      options.log(`${tag} failed: ${step.waitFor} did not appear; stopping here`);
      return 1;
    }
    if (step.kind === 'command') {
      const out = await options.runner.run(step.argv![0]!, step.argv!.slice(1), step.input);
      for (const line of `${out.stdout}${out.stderr}`.split('\n').filter((l) => l.trim()))
        options.log(`${tag}   ${line}`);
      if (out.status !== 'ok') {
        options.log(
          `${tag} failed (${out.status === 'missing' ? 'not installed' : `exit ${out.code}`}); stopping here`,
        );
        return 1;
      }
    } else if (step.kind === 'write') {
      try {
        await writeFile(step.path!, step.value!);
      } catch (error) {
        options.log(`${tag} failed: ${(error as Error).message}; stopping here`);
        return 1;
      }
    } else {
      const actual = await readFile(step.path!, 'utf8').then(
        (t) => t.trim(),
        () => null,
      );
      if (actual !== step.value) {
        options.log(
          `${tag} failed: ${step.path} reads ${actual ?? '(unreadable)'}, expected ${step.value}; stopping here`,
        );
        return 1;
      }
    }
    options.log(`${tag} ok`);
  }
  return 0;
}
