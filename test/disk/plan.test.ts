import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { auditDisks } from '../../src/disk/audit.js';
import { executePlan, safetyProblems } from '../../src/disk/execute.js';
import { buildPlan, renderPlan, stepShell } from '../../src/disk/plan.js';
import type { DeviceInfo } from '../../src/disk/types.js';
import { PROC, recordedRunner, SYSFS } from './helpers.js';

async function device(name: string): Promise<DeviceInfo> {
  const report = await auditDisks({
    sysfsRoot: SYSFS,
    procRoot: PROC,
    devices: [name],
    runner: recordedRunner(),
  });
  return report.devices[0]!;
}

const argvs = (plan: ReturnType<typeof buildPlan>) =>
  plan.steps.filter((s) => s.kind === 'command').map((s) => s.argv!.join(' '));

describe('conversion plans (fixture devices: no NVMe, SAS or SATA drive here)', () => {
  test('NVMe: format with the best 4096-byte LBA format, reset the controller, repartition at 1 MiB', async () => {
    const plan = buildPlan(await device('nvme0n1'), { sysfsRoot: SYSFS });
    assert.equal(plan.method, 'nvme');
    assert.deepEqual(plan.blockers, []);
    assert.deepEqual(argvs(plan), [
      'nvme format /dev/nvme0n1 --lbaf=3 --force',
      'nvme reset /dev/nvme0',
      'sfdisk --quiet /dev/nvme0n1',
      'partx -u /dev/nvme0n1',
    ]);
    const sfdisk = plan.steps.find((s) => s.argv?.[0] === 'sfdisk')!;
    assert.equal(sfdisk.input, 'label: gpt\nstart=1MiB\n');
    assert.ok(sfdisk.destructive);
    assert.match(stepShell(sfdisk), /^sfdisk --quiet \/dev\/nvme0n1 <<'EOF'\nlabel: gpt\nstart=1MiB\nEOF$/);
    const verify = plan.steps.find((s) => s.kind === 'verify')!;
    assert.equal(verify.path, `${SYSFS}/block/nvme0n1/queue/logical_block_size`);
    const text = renderPlan(plan);
    assert.match(text, /DESTRUCTIVE/);
    assert.match(text, /UEFI/);
    assert.match(text, /512-byte units with O_DIRECT/);
    assert.match(text, /cannot be moved between 512-byte and 4K-sector devices/);
  });

  test('SAS uses sg_format and a SCSI rescan; SATA uses hdparm and a power cycle', async () => {
    const sas = buildPlan(await device('sdb'), { sysfsRoot: SYSFS });
    assert.equal(sas.method, 'scsi');
    assert.ok(argvs(sas).includes('sg_format --format --size=4096 /dev/sdb'));
    assert.deepEqual(
      sas.steps.filter((s) => s.kind === 'write').map((s) => [s.path, s.value]),
      [[`${SYSFS}/block/sdb/device/rescan`, '1']],
    );
    const sata = buildPlan(await device('sda'), { sysfsRoot: SYSFS });
    assert.equal(sata.method, 'ata');
    assert.ok(argvs(sata).includes('hdparm --set-sector-size 4096 --please-destroy-my-drive /dev/sda'));
    assert.ok(sata.steps.some((s) => s.kind === 'manual' && /power-cycle/.test(s.title)));
  });

  test('recorded XFS and ext4 filesystems are recreated with 4096-byte sectors and blocks', async () => {
    const dev = await device('vdb');
    // Same partitions as vdb, on a device Linux can reformat.
    const plan = buildPlan({ ...dev, name: 'loop9' });
    assert.deepEqual(argvs(plan).slice(-3), [
      'mkfs.ext4 -q -b 4096 /dev/loop9p1',
      'mkfs.xfs -f -s size=4096 -b size=4096 /dev/loop9p2',
      'mkfs.ext4 -q -b 4096 /dev/loop9p3',
    ]);
    assert.equal(
      plan.steps.find((s) => s.argv?.[0] === 'sfdisk')!.input,
      'label: dos\nstart=1MiB, size=100MiB\nsize=400MiB\n,\n',
    );
  });

  test('virtual and already-4Kn devices get a plan that cannot be executed', async () => {
    const vda = buildPlan(await device('vda'), { sysfsRoot: SYSFS });
    assert.equal(vda.method, null);
    assert.match(vda.blockers.join(), /hypervisor/);
    const k = buildPlan(await device('nvme1n1'), { sysfsRoot: SYSFS });
    assert.match(k.blockers.join(), /already 4Kn/);
  });
});

describe('--execute safety', () => {
  const opts = (confirm: string | undefined, calls: string[][] = []) => ({
    confirm,
    sysfsRoot: SYSFS,
    procRoot: PROC,
    runner: {
      ...recordedRunner(),
      run: async (tool: string, args: string[]) => {
        calls.push([tool, ...args]);
        return { status: 'ok' as const, code: 0, stdout: '', stderr: '' };
      },
    },
    log: () => {},
  });

  test('refuses the root disk, mounted partitions, swap and LVM/MD holders; runs nothing', async () => {
    const cases: [string, RegExp][] = [
      ['vda', /holds the root filesystem/],
      ['vdb', /vdb2 is mounted on \/srv\/my data/],
      ['nvme0n1', /nvme0n1p1 is in use as swap/],
      ['sdb', /in use by dm-0 \(device-mapper/],
    ];
    for (const [name, reason] of cases) {
      const dev = await device(name);
      const calls: string[][] = [];
      await assert.rejects(
        executePlan(buildPlan(dev, { sysfsRoot: SYSFS }), dev, opts(`/dev/${name}`, calls)),
        reason,
      );
      assert.deepEqual(calls, [], name);
    }
    assert.deepEqual(await safetyProblems(await device('sda'), { sysfsRoot: SYSFS, procRoot: PROC }), []);
  });

  test('needs --yes-i-will-lose-all-data-on naming the same whole device', async () => {
    const dev = await device('sda');
    const plan = buildPlan(dev, { sysfsRoot: SYSFS });
    await assert.rejects(
      executePlan(plan, dev, opts(undefined)),
      /add --yes-i-will-lose-all-data-on \/dev\/sda/,
    );
    await assert.rejects(executePlan(plan, dev, opts('/dev/sda1')), /names "\/dev\/sda1", not \/dev\/sda/);
    await assert.rejects(executePlan(plan, dev, opts('sdb')), /refusing/);
  });

  test('runs the steps in order, logging each, and stops at the first failure', async () => {
    const dev = await device('sda');
    const plan = buildPlan(dev, { sysfsRoot: SYSFS });
    const log: string[] = [];
    const calls: string[][] = [];
    const runner = {
      ...recordedRunner(),
      run: async (tool: string, args: string[]) => {
        calls.push([tool, ...args]);
        return { status: 'failed' as const, code: 5, stdout: '', stderr: 'SG_IO: bad/missing sense data\n' };
      },
    };
    const code = await executePlan(plan, dev, { ...opts('sda'), runner, log: (l) => log.push(l) });
    assert.equal(code, 1);
    assert.deepEqual(calls, [
      ['hdparm', '--set-sector-size', '4096', '--please-destroy-my-drive', '/dev/sda'],
    ]);
    assert.match(
      log.join('\n'),
      /\[1\/\d+\] back up everything[\s\S]*\[3\/\d+\] DESTRUCTIVE: set the drive[\s\S]*SG_IO[\s\S]*failed \(exit 5\); stopping here/,
    );
  });
});
