import { UserError } from '../errors.js';
import { parseQuantity, quantityToFloat } from './quantity.js';

/**
 * CPU and memory amounts as plain numbers (cores, bytes) for arithmetic such as right-sizing, read and
 * written as Kubernetes quantities. Values come from quantity.ts, the exact resource.Quantity parser;
 * the flag grammars here are narrower (no exponents, no milli-bytes) so a typo is an error, not a surprise.
 */

export const MIB = 2 ** 20;

const CPU_FLAG = /^(\d+(?:\.\d+)?|\.\d+)(m?)$/;
const MEMORY_FLAG = /^(\d+(?:\.\d+)?|\.\d+)([kMGTPE]|[KMGTPE]i)?$/;

/** Parses a Kubernetes CPU quantity ("250m", "0.5", "2") into cores. */
export function parseCpu(text: string, flag = 'cpu'): number {
  const trimmed = text.trim();
  const q = CPU_FLAG.test(trimmed) ? parseQuantity(trimmed) : undefined;
  if (!q) throw new UserError(`--${flag} must be a CPU quantity such as 10m or 0.5, got "${text}"`);
  return quantityToFloat(q);
}

/** Parses a Kubernetes memory quantity ("100Mi", "1G", "1048576") into bytes. */
export function parseMemory(text: string, flag = 'memory'): number {
  const trimmed = text.trim();
  const q = MEMORY_FLAG.test(trimmed) ? parseQuantity(trimmed) : undefined;
  if (!q) throw new UserError(`--${flag} must be a memory quantity such as 100Mi or 1G, got "${text}"`);
  return quantityToFloat(q);
}

/** Human-readable cores for tables: "2", "250m"; `null` is a limit that is not set. */
export function formatCpu(cores: number | null): string {
  if (cores === null) return 'unset';
  if (!Number.isFinite(cores)) return '?';
  const milli = Math.round(cores * 1000);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** Human-readable bytes for tables: exact binary suffix where there is one, else rounded up to Mi. */
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

/** Manifest quantity for cores: always millicores, so diffs stay stable. */
export function cpuQuantity(cores: number): string {
  return `${Math.round(cores * 1000)}m`;
}

/** Manifest quantity for bytes: whole bytes or the largest exact binary suffix. */
export function memoryQuantity(bytes: number): string {
  const b = Math.round(bytes);
  if (b % 2 ** 30 === 0) return `${b / 2 ** 30}Gi`;
  if (b % 2 ** 20 === 0) return `${b / 2 ** 20}Mi`;
  if (b % 2 ** 10 === 0) return `${b / 2 ** 10}Ki`;
  return String(b);
}
