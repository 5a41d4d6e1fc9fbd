import assert from 'node:assert/strict';
import { mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { auditDisks } from '../../src/disk/audit.js';
import { executePlan } from '../../src/disk/execute.js';
import { reportFindings } from '../../src/disk/findings.js';
import { buildPlan } from '../../src/disk/plan.js';
import { systemRunner } from '../../src/disk/tools.js';
import { createLoop, detach, detachAll, loopUnavailable, mkfs, partition, run } from './loop.js';

const unavailable = loopUnavailable();
after(detachAll);

async function auditLoop(name: string) {
  const report = await auditDisks({ devices: [name], runner: systemRunner() });
  return { dev: report.devices[0]!, results: reportFindings(report) };
}

const failing = (results: ReturnType<typeof reportFindings>) =>
  results
    .filter((r) => r.status === 'fail')
    .map((r) => `${r.resource.name.replace(/^loop\d+/, 'L')}:${r.rule}:${r.severity}`)
    .sort();

describe('real loop devices', () => {
  test('512-byte loop: LBA 63 / 100 MiB / 4 KiB-aligned starts, ext4 1 KiB, XFS, ext4 4 KiB', async (t) => {
    if (unavailable) return t.skip(unavailable);
    const dev = createLoop(512, 1024);
    try {
      partition(
        dev,
        'label: dos\nstart=63, size=204737\nstart=204800, size=819200\nstart=1024008, size=409600\n',
      );
      await mkfs('mkfs.ext4', ['-q', '-b', '1024'], `${dev.path}p1`);
      await mkfs('mkfs.xfs', ['-q'], `${dev.path}p2`);
      await mkfs('mkfs.ext4', ['-q', '-b', '4096'], `${dev.path}p3`);
      const { dev: d, results } = await auditLoop(dev.name);
      assert.deepEqual(
        [d.format, d.logicalBlockSizeBytes, d.physicalBlockSizeBytes, d.partitionTable],
        ['512n', 512, 512, 'dos'],
      );
      assert.deepEqual(
        d.partitions.map((p) => [p.startBytes, p.kernelAlignmentOffset, p.alignment.optimal.offsetBytes]),
        [
          [32256, 0, 32256],
          [104857600, 0, 0],
          [524292096, 0, 4096],
        ],
      );
      assert.deepEqual(
        d.partitions.map((p) => [
          p.filesystem?.type,
          p.filesystem?.blockSizeBytes,
          p.filesystem?.sectorSizeBytes,
        ]),
        [
          ['ext4', 1024, null],
          ['xfs', 4096, 512],
          ['ext4', 4096, null],
        ],
      );
      // Physical = logical = 512 on loop, so only the 1 MiB rule and the 4Kn-migration note fire.
      assert.deepEqual(failing(results), [
        'Lp1:partition-optimal-alignment:low',
        'Lp2:xfs-sector-size:info',
        'Lp3:partition-optimal-alignment:low',
      ]);
      // parted -s align-check agrees (exit 1 = not aligned, and it prints nothing).
      if (run('parted', ['--version']).code === 0) {
        for (const [n, aligned] of [
          [1, false],
          [2, true],
          [3, false],
        ] as const) {
          const r = run('parted', ['-s', dev.path, 'align-check', 'optimal', String(n)]);
          assert.equal(r.code === 0, aligned, `parted align-check optimal ${n}`);
          assert.equal(d.partitions[n - 1]!.alignment.optimal.aligned, aligned);
        }
      }
    } finally {
      detach(dev);
    }
  });

  test('4096-byte loop: sysfs start is in 512-byte units (LBA 63 → 504), XFS takes 4096-byte sectors', async (t) => {
    if (unavailable) return t.skip(unavailable);
    const dev = createLoop(4096, 1024);
    try {
      partition(
        dev,
        'label: dos\nstart=63, size=25537\nstart=25600, size=102400\nstart=128001, size=51199\n',
      );
      await mkfs('mkfs.ext4', ['-q', '-b', '4096'], `${dev.path}p1`);
      await mkfs('mkfs.xfs', ['-q'], `${dev.path}p2`);
      // mke2fs refuses blocks smaller than the logical sector: "too small for device".
      const refused = run('mkfs.ext4', ['-q', '-b', '1024', `${dev.path}p3`]);
      assert.notEqual(refused.code, 0);
      assert.match(refused.out, /too small for device/);
      const { dev: d, results } = await auditLoop(dev.name);
      assert.deepEqual([d.format, d.sizeBytes], ['4Kn', 1024 * 1024 * 1024]);
      assert.deepEqual(
        d.partitions.map((p) => [
          p.start512,
          p.startBytes,
          p.alignment.physical.aligned,
          p.alignment.optimal.aligned,
        ]),
        [
          [504, 63 * 4096, true, false],
          [204800, 25600 * 4096, true, true],
          [1024008, 128001 * 4096, true, false],
        ],
      );
      assert.deepEqual(d.partitions[1]!.filesystem?.sectorSizeBytes, 4096);
      assert.deepEqual(failing(results), [
        'Lp1:partition-optimal-alignment:low',
        'Lp3:partition-optimal-alignment:low',
      ]);
    } finally {
      detach(dev);
    }
  });

  test('plan --execute converts a 512-byte loop device to 4Kn: new table at 1 MiB, XFS and ext4 with 4096-byte sectors', async (t) => {
    if (unavailable) return t.skip(unavailable);
    const dev = createLoop(512, 1024);
    try {
      partition(dev, 'label: dos\nstart=63, size=409537\nstart=409600, size=819200\n');
      await mkfs('mkfs.ext4', ['-q', '-b', '1024', '-L', 'logs'], `${dev.path}p1`);
      await mkfs('mkfs.xfs', ['-q'], `${dev.path}p2`);
      const before = await auditLoop(dev.name);
      const plan = buildPlan(before.dev);
      assert.equal(plan.method, 'loop');
      assert.deepEqual(plan.blockers, []);
      await assert.rejects(
        executePlan(plan, before.dev, { confirm: '/dev/vda', runner: systemRunner(), log: () => {} }),
        /not \/dev\/loop/,
      );
      const log: string[] = [];
      const code = await executePlan(plan, before.dev, {
        confirm: dev.path,
        runner: systemRunner(),
        log: (l) => log.push(l),
      });
      assert.equal(code, 0, log.join('\n'));
      assert.ok(log.some((l) => l.includes(`$ losetup --sector-size 4096 ${dev.path}`)));
      assert.ok(log.some((l) => /DESTRUCTIVE: make XFS/.test(l)));
      const after = await auditLoop(dev.name);
      const d = after.dev;
      assert.deepEqual([d.format, d.partitionTable], ['4Kn', 'dos']);
      assert.deepEqual(
        d.partitions.map((p) => [
          p.startBytes,
          p.filesystem?.type,
          p.filesystem?.blockSizeBytes,
          p.filesystem?.label,
        ]),
        [
          [1048576, 'ext4', 4096, 'logs'],
          [1048576 + 200 * 1048576, 'xfs', 4096, null],
        ],
      );
      assert.equal(d.partitions[1]!.filesystem?.sectorSizeBytes, 4096);
      assert.ok(d.partitions[0]!.sizeBytes >= 409537 * 512);
      assert.deepEqual(failing(after.results), []);
    } finally {
      detach(dev);
    }
  });

  test('--execute refuses a mounted device and runs nothing', async (t) => {
    if (unavailable) return t.skip(unavailable);
    const dev = createLoop(512, 64);
    const mnt = mkdtempSync(join(tmpdir(), 'rampart-mnt-'));
    let mounted = false;
    try {
      partition(dev, 'label: gpt\nstart=2048\n');
      await mkfs('mkfs.ext4', ['-q'], `${dev.path}p1`);
      const m = run('mount', [`${dev.path}p1`, mnt]);
      if (m.code !== 0) return t.skip(`mount failed: ${m.out.trim()}`);
      mounted = true;
      const { dev: d } = await auditLoop(dev.name);
      const calls: string[] = [];
      const runner = {
        ...systemRunner(),
        run: async (tool: string) => {
          calls.push(tool);
          return { status: 'ok' as const, code: 0, stdout: '', stderr: '' };
        },
      };
      await assert.rejects(
        executePlan(buildPlan(d), d, { confirm: dev.name, runner, log: () => {} }),
        new RegExp(`${dev.name}p1 is mounted on ${mnt}`),
      );
      assert.deepEqual(calls, []);
    } finally {
      if (mounted) run('umount', [mnt]);
      rmdirSync(mnt);
      detach(dev);
    }
  });
});
