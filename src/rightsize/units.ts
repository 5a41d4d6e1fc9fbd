import { UserError } from '../core/errors.js';

const MEMORY_SUFFIX: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

export const MIB = 2 ** 20;

/** Parses a Kubernetes CPU quantity ("250m", "0.5", "2") into cores. */
export function parseCpu(text: string, flag = 'cpu'): number {
  const m = /^(\d+(?:\.\d+)?|\.\d+)(m?)$/.exec(text.trim());
  if (!m) throw new UserError(`--${flag} must be a CPU quantity such as 10m or 0.5, got "${text}"`);
  const value = Number(m[1]);
  return m[2] === 'm' ? value / 1000 : value;
}

/** Parses a Kubernetes memory quantity ("100Mi", "1G", "1048576") into bytes. */
export function parseMemory(text: string, flag = 'memory'): number {
  const m = /^(\d+(?:\.\d+)?|\.\d+)([kMGTPE]i?|Ki)?$/.exec(text.trim());
  if (!m || (m[2] !== undefined && MEMORY_SUFFIX[m[2]] === undefined)) {
    throw new UserError(`--${flag} must be a memory quantity such as 100Mi or 1G, got "${text}"`);
  }
  return Number(m[1]) * MEMORY_SUFFIX[m[2] ?? '']!;
}

const DURATION_UNIT: Record<string, number> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
  y: 31536000,
};

/** Parses a Prometheus duration ("75s", "14d", "1h30m") into seconds. */
export function parseDuration(text: string, flag = 'duration'): number {
  const parts = text.match(/\d+(ms|s|m|h|d|w|y)/g);
  if (!parts || parts.join('') !== text) {
    throw new UserError(`--${flag} must be a duration such as 75s, 1h or 14d, got "${text}"`);
  }
  let seconds = 0;
  for (const part of parts) {
    const [, n, unit] = /^(\d+)(ms|s|m|h|d|w|y)$/.exec(part)!;
    seconds += Number(n) * DURATION_UNIT[unit!]!;
  }
  if (seconds <= 0) throw new UserError(`--${flag} must be positive, got "${text}"`);
  return seconds;
}

/** Renders seconds as the shortest exact Prometheus duration ("14d", "75s", "90m"). */
export function formatDuration(seconds: number): string {
  if (Number.isInteger(seconds)) {
    for (const [unit, size] of [
      ['d', 86400],
      ['h', 3600],
      ['m', 60],
    ] as const) {
      if (seconds % size === 0) return `${seconds / size}${unit}`;
    }
    return `${seconds}s`;
  }
  return `${Math.round(seconds * 1000)}ms`;
}

/** Parses --at: RFC 3339 or Unix seconds; returns Unix seconds. */
export function parseTime(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) return ms / 1000;
  }
  throw new UserError(`--at must be an RFC 3339 time (2026-01-01T00:00:00Z) or Unix seconds, got "${text}"`);
}

export function formatCpu(cores: number | null): string {
  if (cores === null) return 'unset';
  if (!Number.isFinite(cores)) return '?';
  const milli = Math.round(cores * 1000);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

export function formatMemory(bytes: number | null): string {
  if (bytes === null) return 'unset';
  if (!Number.isFinite(bytes)) return '?';
  for (const [suffix, size] of [
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${suffix}`;
  }
  if (bytes >= 2 ** 20) return `${Math.ceil(bytes / 2 ** 20)}Mi`;
  return String(Math.round(bytes));
}

/** Kubernetes-manifest quantities: millicores for CPU, whole bytes or exact binary suffix for memory. */
export function cpuQuantity(cores: number): string {
  return `${Math.round(cores * 1000)}m`;
}

export function memoryQuantity(bytes: number): string {
  const b = Math.round(bytes);
  if (b % 2 ** 30 === 0) return `${b / 2 ** 30}Gi`;
  if (b % 2 ** 20 === 0) return `${b / 2 ** 20}Mi`;
  if (b % 2 ** 10 === 0) return `${b / 2 ** 10}Ki`;
  return String(b);
}
