import { UserError } from '../core/errors.js';

/** Prometheus durations and query times, as rightsize's flags take them. Quantities: core/units/resources.ts. */

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
