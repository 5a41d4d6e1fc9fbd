import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { auditDisks } from '../../src/disk/audit.js';
import { reportFindings } from '../../src/disk/findings.js';
import { renderAudit } from '../../src/disk/render.js';
import type { DiskReport } from '../../src/disk/types.js';
import { PROC, recordedRunner, SYSFS } from './helpers.js';

const failing = (report: DiskReport) =>
  reportFindings(report)
    .filter((r) => r.status === 'fail')
    .map((r) => `${r.resource.name}:${r.rule}:${r.severity}`)
    .sort();

describe('audit of a fixture sysfs tree (512e cases cannot be made with loop devices)', () => {
  test('reads sysfs only, without tools, and classifies every device with media', async () => {
    const report = await auditDisks({ sysfsRoot: SYSFS, procRoot: null, runner: null });
    const formats = Object.fromEntries(report.devices.map((d) => [d.name, d.format]));
    assert.deepEqual(formats, {
      'dm-0': '512e',
      md127: '512e',
      nvme0n1: '512n',
      nvme1n1: 'other',
      sda: '512e',
      sdb: '512e',
      sdc: '512n',
      vda: '512e',
      vdb: '512e',
    });
    assert.deepEqual(report.emptyDevices, ['loop5']);
    assert.deepEqual(report.tools, {});
    const vda = report.devices.find((d) => d.name === 'vda')!;
    assert.equal(vda.sizeBytes, 274877906944);
    assert.equal(vda.minimumIoSizeBytes, 4096);
    assert.equal(vda.optimalIoSizeBytes, 0);
  });

  test('partition starts are 512-byte units converted to bytes, with three alignment checks and the kernel offset', async () => {
    const report = await auditDisks({ sysfsRoot: SYSFS, procRoot: null, devices: ['vdb'] });
    const [vdb] = report.devices;
    assert.equal(vdb!.partitions.length, 3);
    const [p1, p2, p3] = vdb!.partitions;
    assert.equal(p1!.startBytes, 63 * 512);
    assert.deepEqual(
      [p1!.alignment.physical.offsetBytes, p1!.kernelAlignmentOffset, p1!.expectedKernelAlignmentOffset],
      [3584, 512, 512],
    );
    assert.equal(p2!.alignment.optimal.aligned, true);
    assert.deepEqual([p3!.alignment.physical.aligned, p3!.alignment.optimal.offsetBytes], [true, 4096]);
  });

  test('findings: misalignment, small filesystem blocks, XFS sectors, NVMe format, smartctl disagreement, stacked -1', async () => {
    const report = await auditDisks({ sysfsRoot: SYSFS, procRoot: PROC, runner: recordedRunner() });
    assert.deepEqual(failing(report), [
      'md127:disk-alignment-offset:high',
      'md127p1:partition-kernel-alignment-offset:high',
      'nvme0n1:nvme-lba-format:low',
      'sda1:partition-optimal-alignment:low',
      'sdc:drive-cross-check:medium',
      'vdb1:filesystem-block-size:medium',
      'vdb1:partition-physical-alignment:high',
      'vdb2:xfs-sector-size:medium',
      'vdb3:partition-optimal-alignment:low',
    ]);
    const vdb = report.devices.find((d) => d.name === 'vdb')!;
    assert.equal(vdb.partitionTable, 'dos');
    assert.deepEqual(
      vdb.partitions.map((p) => [p.filesystem?.type, p.filesystem?.source, p.filesystem?.blockSizeBytes]),
      [
        ['ext4', 'dumpe2fs', 1024],
        ['xfs', 'xfs_info', 4096],
        ['ext4', 'dumpe2fs', 4096],
      ],
    );
    assert.equal(vdb.partitions[1]!.filesystem?.mountpoint, '/srv/my data');
    const sdb = report.devices.find((d) => d.name === 'sdb')!;
    assert.equal(sdb.smart?.physicalBlockSizeBytes, 4096);
    const nvme = report.devices.find((d) => d.name === 'nvme0n1')!;
    assert.equal(nvme.nvme?.recommendedIndex, 3);
    assert.match(reportFindings(report).find((r) => r.rule === 'nvme-lba-format')!.fix!, /--lbaf=3/);
  });

  test('tools that cannot open a device or are not installed are reported, not fatal', async () => {
    const runner = recordedRunner({ missing: ['nvme', 'xfs_info'] });
    const report = await auditDisks({ sysfsRoot: SYSFS, procRoot: PROC, runner });
    assert.equal(report.tools.nvme, null);
    assert.equal(report.tools.blkid, '/usr/sbin/blkid');
    const vda = report.devices.find((d) => d.name === 'vda')!;
    assert.deepEqual(vda.notes, ['vda: blkid: error: /dev/vda: Operation not permitted']);
    const vdb2 = report.devices.find((d) => d.name === 'vdb')!.partitions[1]!;
    // Without xfs_info, blkid still gives the XFS sector size.
    assert.deepEqual([vdb2.filesystem?.source, vdb2.filesystem?.sectorSizeBytes], ['blkid', 512]);
    const skipped = reportFindings(report).filter((r) => r.status === 'skip');
    assert.ok(skipped.some((r) => r.resource.name === 'nvme' && /not installed/.test(r.message)));
    assert.ok(skipped.some((r) => r.resource.name === 'nvme0n1' && /nvme-cli/.test(r.message)));
  });

  test('json output carries the device data next to the results; sarif carries the findings', async () => {
    const report = await auditDisks({ sysfsRoot: SYSFS, procRoot: PROC, runner: recordedRunner() });
    const results = reportFindings(report);
    const json = JSON.parse(renderAudit(report, results, 'json'));
    assert.equal(json.disk.devices.length, 9);
    assert.equal(
      json.disk.devices.find((d: { name: string }) => d.name === 'vdb').partitions[0].startBytes,
      32256,
    );
    assert.equal(json.summary.fail, 9);
    assert.ok(json.results.every((r: { category: string }) => r.category === 'disk'));
    const sarif = JSON.parse(renderAudit(report, results, 'sarif'));
    const ids = sarif.runs[0].results.map((r: { ruleId: string }) => r.ruleId);
    assert.ok(ids.includes('disk/partition-physical-alignment'));
    const table = renderAudit(report, results, 'table');
    assert.match(table, /vdb1\s+32256\s+100\.0 MiB\s+\+3584 B/);
    assert.match(table, /Not read:\n {2}dm-0: blkid/);
  });
});
