/** Sector-size class of a block device, from its logical/physical sizes. */
export type SectorFormat = '512n' | '512e' | '4Kn' | 'other';

/** One alignment check: the partition start against a grain, all in bytes. */
export interface AlignmentCheck {
  grainBytes: number;
  /** Bytes past the previous grain boundary (after the disk's own alignment_offset); 0 = aligned. */
  offsetBytes: number;
  aligned: boolean;
}

export interface FilesystemInfo {
  type: string;
  /** Where the numbers came from: the tool that read the superblock, or statfs on a mount point. */
  source: 'dumpe2fs' | 'xfs_info' | 'blkid' | 'statfs';
  blockSizeBytes: number | null;
  /** XFS metadata sector size; null for filesystems without one. */
  sectorSizeBytes: number | null;
  logSectorSizeBytes: number | null;
  label: string | null;
  uuid: string | null;
  mountpoint: string | null;
  /** ext4 RAID stride / stripe width and XFS sunit / swidth, converted to bytes. */
  stripeUnitBytes: number | null;
  stripeWidthBytes: number | null;
}

export interface PartitionInfo {
  name: string;
  number: number;
  /** sysfs `start` is always in 512-byte units, whatever the logical sector size. */
  start512: number;
  startBytes: number;
  sizeBytes: number;
  /** The kernel's own partition alignment_offset (bytes, or -1 when the stacked limits are misaligned). */
  kernelAlignmentOffset: number | null;
  /** What the kernel formula gives for this start; differs from the above only when sysfs disagrees. */
  expectedKernelAlignmentOffset: number;
  alignment: { physical: AlignmentCheck; minimumIo: AlignmentCheck; optimal: AlignmentCheck };
  holders: string[];
  majorMinor: string | null;
  filesystem: FilesystemInfo | null;
}

export interface NvmeLbaFormat {
  index: number;
  dataSizeBytes: number;
  metadataBytes: number;
  /** 0 = best, 3 = degraded. */
  relativePerformance: number;
  inUse: boolean;
}

export interface NvmeInfo {
  formats: NvmeLbaFormat[];
  inUseIndex: number;
  /** Decoded from flbas (older nvme-cli) or read from `in_use` (nvme-cli 2.14+). */
  inUseFrom: 'in_use' | 'flbas';
  metadataAtEndOfLba: boolean;
  /** Best 4096-byte format without metadata, or null when the drive offers none. */
  recommendedIndex: number | null;
}

export interface SmartInfo {
  protocol: string | null;
  model: string | null;
  logicalBlockSizeBytes: number | null;
  /** Absent on SCSI 512n/4Kn and on every NVMe drive: smartctl omits it there. */
  physicalBlockSizeBytes: number | null;
  capacityBytes: number | null;
}

export interface DeviceInfo {
  name: string;
  path: string;
  majorMinor: string | null;
  sizeBytes: number;
  removable: boolean | null;
  readOnly: boolean | null;
  rotational: boolean | null;
  model: string | null;
  logicalBlockSizeBytes: number;
  physicalBlockSizeBytes: number;
  minimumIoSizeBytes: number;
  optimalIoSizeBytes: number;
  /** From /sys/block/<disk>/alignment_offset (not queue/); -1 when stacked limits are misaligned. */
  alignmentOffsetBytes: number | null;
  discardGranularityBytes: number | null;
  format: SectorFormat;
  holders: string[];
  /** Where the device or one of its partitions is mounted (from mountinfo), and its swap use. */
  mountpoints: string[];
  partitionTable: string | null;
  partitions: PartitionInfo[];
  /** A filesystem on the whole disk (no partition table). */
  filesystem: FilesystemInfo | null;
  nvme: NvmeInfo | null;
  smart: SmartInfo | null;
  /** Tools that could not give an answer for this device, and why. */
  notes: string[];
}

export interface DiskReport {
  sysfsRoot: string;
  devices: DeviceInfo[];
  /** Devices without media (size 0: unbound loop devices, empty card readers, unset zram). */
  emptyDevices: string[];
  /** Each external tool considered: its path, or null when not installed. */
  tools: Record<string, string | null>;
}
