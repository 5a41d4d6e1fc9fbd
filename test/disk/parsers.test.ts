import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { classify, kernelAlignmentOffset, partitionAlignment } from '../../src/disk/align.js';
import { fsFromBlkid, parseBlkidExport, parseDumpe2fs, parseXfsInfo } from '../../src/disk/filesystem.js';
import { parseMountinfo, parseSwaps } from '../../src/disk/mounts.js';
import { decodeFlbas, nvmeController, parseNvmeIdNs } from '../../src/disk/nvme.js';
import { parseSmartctl } from '../../src/disk/smart.js';
import { formatBytes, parseStart } from '../../src/disk/units.js';
import { TOOLS } from './helpers.js';

const read = (f: string) => readFileSync(join(TOOLS, f), 'utf8');
const limits512e = {
  physicalBlockSizeBytes: 4096,
  minimumIoSizeBytes: 4096,
  optimalIoSizeBytes: 0,
  alignmentOffsetBytes: 0,
};

describe('classification and alignment arithmetic', () => {
  test('classifies 512n, 512e, 4Kn and other formats', () => {
    assert.equal(classify(512, 512), '512n');
    assert.equal(classify(512, 4096), '512e');
    assert.equal(classify(4096, 4096), '4Kn');
    assert.equal(classify(4096, 8192), 'other');
    assert.equal(classify(520, 520), 'other');
  });

  test('LBA 63 on a 512e disk is 3584 bytes into a physical sector and the kernel says 512', () => {
    const a = partitionAlignment(63 * 512, limits512e);
    assert.equal(a.physical.aligned, false);
    assert.equal(a.physical.offsetBytes, 3584);
    assert.equal(kernelAlignmentOffset(63, limits512e), 512);
    assert.equal(kernelAlignmentOffset(2048, limits512e), 0);
  });

  test("a disk's own alignment_offset shifts the grid (XP-jumpered 512e drive)", () => {
    const jumpered = { ...limits512e, alignmentOffsetBytes: 3584 };
    assert.equal(partitionAlignment(63 * 512, jumpered).physical.aligned, true);
    assert.equal(partitionAlignment(2048 * 512, jumpered).physical.offsetBytes, 512);
    assert.equal(kernelAlignmentOffset(63, jumpered), 0);
  });

  test('optimal grain is max(1 MiB, optimal_io_size)', () => {
    const raid = { ...limits512e, minimumIoSizeBytes: 65536, optimalIoSizeBytes: 4 * 1024 * 1024 };
    const a = partitionAlignment(2048 * 512, raid);
    assert.equal(a.minimumIo.aligned, true);
    assert.equal(a.optimal.grainBytes, 4 * 1024 * 1024);
    assert.equal(a.optimal.offsetBytes, 1024 * 1024);
  });

  test('partition starts need an explicit unit', () => {
    assert.equal(parseStart('2048s', 4096), 2048 * 4096);
    assert.equal(parseStart('2048s512', 4096), 2048 * 512);
    assert.equal(parseStart('1MiB', 512), 1048576);
    assert.equal(parseStart('4096B', 512), 4096);
    assert.throws(() => parseStart('2048', 512), /needs a unit/);
    assert.equal(formatBytes(1048576), '1048576 B (1 MiB)');
    assert.equal(formatBytes(512), '512 B');
  });
});

describe('nvme id-ns JSON', () => {
  test('nvme-cli 2.3 output: the format in use is decoded from flbas; best 4K format without metadata recommended', () => {
    const info = parseNvmeIdNs(JSON.parse(read('nvme0n1.nvme-id-ns.json')));
    assert.equal(info.inUseFrom, 'flbas');
    assert.equal(info.formats.length, 7);
    assert.equal(info.inUseIndex, 0);
    assert.deepEqual(
      info.formats.filter((f) => f.inUse).map((f) => [f.dataSizeBytes, f.metadataBytes]),
      [[512, 0]],
    );
    assert.equal(info.recommendedIndex, 3);
  });

  test('nvme-cli 2.14 output: in_use is read as printed', () => {
    const info = parseNvmeIdNs(JSON.parse(read('nvme-2.14-in-use.nvme-id-ns.json')));
    assert.equal(info.inUseFrom, 'in_use');
    assert.equal(info.inUseIndex, 1);
    assert.equal(info.recommendedIndex, 1);
  });

  test('flbas high index bits (6:5) and the metadata-at-end bit', () => {
    assert.deepEqual(decodeFlbas(0x21), { index: 17, metadataAtEnd: false });
    assert.deepEqual(decodeFlbas(0x14), { index: 4, metadataAtEnd: true });
  });

  test('lowest rp wins among 4096-byte formats; none when the drive offers no 4K format', () => {
    const json = (lbafs: object[]) => ({ nlbaf: lbafs.length - 1, flbas: 0, lbafs });
    const info = parseNvmeIdNs(
      json([
        { ms: 0, ds: 9, rp: 0 },
        { ms: 0, ds: 12, rp: 2 },
        { ms: 0, ds: 12, rp: 1 },
      ]),
    );
    assert.equal(info.recommendedIndex, 2);
    assert.equal(
      parseNvmeIdNs(
        json([
          { ms: 0, ds: 9, rp: 0 },
          { ms: 8, ds: 12, rp: 0 },
        ]),
      ).recommendedIndex,
      null,
    );
    assert.throws(() => parseNvmeIdNs({ nsze: 1 }), /lbafs/);
    assert.equal(nvmeController('nvme3n2'), 'nvme3');
  });
});

describe('smartctl -j -i', () => {
  test('SAS 512e reports both sizes', () => {
    const { info } = parseSmartctl(JSON.parse(read('sdb.smartctl.json')));
    assert.equal(info?.protocol, 'SCSI');
    assert.equal(info?.logicalBlockSizeBytes, 512);
    assert.equal(info?.physicalBlockSizeBytes, 4096);
  });

  test('NVMe has no physical_block_size', () => {
    const { info } = parseSmartctl(JSON.parse(read('nvme-smartctl.json')));
    assert.equal(info?.protocol, 'NVMe');
    assert.equal(info?.physicalBlockSizeBytes, null);
  });

  test('a device smartctl cannot open gives its message, not sizes', () => {
    const parsed = parseSmartctl(JSON.parse(read('unknown.smartctl.json')));
    assert.equal(parsed.info, null);
    assert.match(parsed.error ?? '', /Unable to detect device type/);
  });
});

describe('filesystem tools (recorded on real loop devices)', () => {
  test('dumpe2fs -h: 1 KiB ext4 and RAID stride/stripe in bytes', () => {
    assert.equal(parseDumpe2fs(read('vdb1.dumpe2fs.txt'), 'ext4').blockSizeBytes, 1024);
    const raid = parseDumpe2fs(read('vdb3.dumpe2fs.txt'), 'ext4');
    assert.equal(raid.blockSizeBytes, 4096);
    assert.equal(raid.stripeUnitBytes, 16 * 4096);
    assert.equal(raid.stripeWidthBytes, 64 * 4096);
  });

  test('xfs_info: sector, block and log sector sizes', () => {
    const fs = parseXfsInfo(read('vdb2.xfs_info.txt'));
    assert.equal(fs.sectorSizeBytes, 512);
    assert.equal(fs.blockSizeBytes, 4096);
    assert.equal(fs.logSectorSizeBytes, 512);
  });

  test("blkid's BLOCK_SIZE is the XFS sector size, not its block size", () => {
    const tags = parseBlkidExport(read('vdb2.blkid.txt'));
    assert.equal(tags.PART_ENTRY_OFFSET, '204800');
    const fs = fsFromBlkid(tags);
    assert.equal(fs?.type, 'xfs');
    assert.equal(fs?.sectorSizeBytes, 512);
    assert.equal(fs?.blockSizeBytes, null);
    // An EFI system partition's 512-byte FAT sectors are not a block size either.
    const esp = fsFromBlkid({ TYPE: 'vfat', BLOCK_SIZE: '512', LABEL: 'EFI' });
    assert.deepEqual([esp?.sectorSizeBytes, esp?.blockSizeBytes, esp?.label], [512, null, 'EFI']);
    assert.equal(fsFromBlkid({ TYPE: 'btrfs', BLOCK_SIZE: '4096' })?.blockSizeBytes, 4096);
    assert.equal(fsFromBlkid({ PTTYPE: 'gpt' }), null);
  });

  test('mountinfo with escaped spaces and /proc/swaps', () => {
    const m = parseMountinfo(
      '40 22 254:18 / /srv/my\\040data rw,relatime shared:9 - xfs /dev/vdb2 rw,attr2\n',
    );
    assert.deepEqual(m, [
      { majorMinor: '254:18', mountpoint: '/srv/my data', fstype: 'xfs', source: '/dev/vdb2' },
    ]);
    assert.deepEqual(parseSwaps('Filename\tType\tSize\tUsed\tPriority\n/dev/sda2 partition 1 0 -2\n'), [
      '/dev/sda2',
    ]);
  });
});
