import { execFile } from 'node:child_process';

/** One line of `nvidia-smi -L`: a physical GPU or a MIG device under the GPU listed before it. */
export interface ListedGpu {
  index: number;
  name: string;
  uuid: string;
  mig: ListedMig[];
}

export interface ListedMig {
  profile: string;
  device: number;
  /** `MIG-<uuid>` (current drivers) or the legacy `MIG-GPU-<uuid>/<gi>/<ci>`. */
  uuid: string;
}

export interface QueriedGpu {
  index: string;
  uuid: string;
  name: string;
  /** `Enabled`, `Disabled` or `[N/A]` on GPUs without MIG. */
  migMode: string;
}

const GPU_LINE = /^GPU (\d+): (.*?) \(UUID: (GPU-[0-9a-fA-F-]+)\)\s*$/;
const MIG_LINE = /^\s+MIG (\S+)\s+Device\s+(\d+): \(UUID: (MIG-[^)\s]+)\)\s*$/;

/** Parses `nvidia-smi -L`. Lines it does not recognise are ignored (warnings, banners). */
export function parseList(text: string): ListedGpu[] {
  const gpus: ListedGpu[] = [];
  for (const line of text.split('\n')) {
    const gpu = GPU_LINE.exec(line);
    if (gpu) {
      gpus.push({ index: Number(gpu[1]), name: gpu[2]!, uuid: gpu[3]!, mig: [] });
      continue;
    }
    const mig = MIG_LINE.exec(line);
    if (mig && gpus.length > 0)
      gpus[gpus.length - 1]!.mig.push({ profile: mig[1]!, device: Number(mig[2]), uuid: mig[3]! });
  }
  return gpus;
}

/**
 * Parses `nvidia-smi --query-gpu=index,uuid,name,mig.mode.current --format=csv` (with or without
 * `noheader`). Fields are joined by ", " and names never contain a comma.
 */
export function parseQuery(text: string): QueriedGpu[] {
  const rows: QueriedGpu[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('index,')) continue;
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length < 4 || !cells[1]!.startsWith('GPU-')) continue;
    rows.push({ index: cells[0]!, uuid: cells[1]!, name: cells[2]!, migMode: cells[3]! });
  }
  return rows;
}

/** nvidia-smi's documented return values (man page RETURN VALUE) that the probe explains. */
const EXIT_MEANINGS: Record<number, string> = {
  2: 'a bad argument was given',
  3: 'the requested operation is not available on this device',
  4: 'permission denied',
  6: 'a query to find an object was unsuccessful (no devices found)',
  9: 'the NVIDIA driver is not loaded',
  12: 'the NVML shared library (libnvidia-ml.so) could not be found',
  13: 'the NVML library lacks a needed function (driver/library version mismatch)',
  15: 'the GPU has fallen off the bus or is otherwise inaccessible',
  126: 'the file is not executable',
  127: 'the command was not found',
  255: 'another error or internal driver error occurred',
};

export function explainExit(code: number | null): string {
  if (code === null) return 'it was killed or timed out';
  return EXIT_MEANINGS[code] ?? `exit status ${code}`;
}

export interface CommandOutcome {
  /** `missing`: the binary does not exist or cannot be started. */
  status: 'ok' | 'failed' | 'missing';
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command, resolving (never rejecting) with what happened; a non-zero exit is data. */
export function runCommand(file: string, args: string[], timeoutMs = 30_000): Promise<CommandOutcome> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } },
      (error, stdout, stderr) => {
        if (!error) return resolve({ status: 'ok', code: 0, stdout, stderr });
        const errno = (error as NodeJS.ErrnoException).code;
        if (errno === 'ENOENT' || errno === 'EACCES')
          return resolve({ status: 'missing', code: null, stdout, stderr: error.message });
        resolve({ status: 'failed', code: typeof errno === 'number' ? errno : null, stdout, stderr });
      },
    );
  });
}

/** The first non-empty line nvidia-smi printed (it writes its errors to stdout). */
export function firstLine(outcome: CommandOutcome): string {
  const line = `${outcome.stdout}\n${outcome.stderr}`.split('\n').find((l) => l.trim() !== '');
  return line?.trim() ?? '';
}
