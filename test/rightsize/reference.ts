/**
 * An independent re-statement of the PromQL 2.42 semantics krr's queries rely on, applied to the very
 * samples the fixture backfilled: closed windows [t − r, t], 5 m lookback, extrapolatedRate and the
 * linear-interpolation quantile. Tests compare Rampart (which lets Prometheus compute) against this.
 */
import type { RawSeries } from '../../src/rightsize/demo/openmetrics.js';

export const LOOKBACK = 300;

function inWindow(s: Array<[number, number]>, from: number, to: number): Array<[number, number]> {
  // Samples are few per window; a binary search keeps 14-day references fast.
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s[mid]![0] < from) lo = mid + 1;
    else hi = mid;
  }
  const out: Array<[number, number]> = [];
  for (let i = lo; i < s.length && s[i]![0] <= to; i++) out.push(s[i]!);
  return out;
}

/** Prometheus 2.42 extrapolatedRate for a counter and rate(). */
export function rate(series: Array<[number, number]>, t: number, range: number): number | undefined {
  const pts = inWindow(series, t - range, t);
  if (pts.length < 2) return undefined;
  const first = pts[0]!;
  const last = pts[pts.length - 1]!;
  let result = last[1] - first[1];
  let prev = 0;
  for (const [, v] of pts) {
    if (v < prev) result += prev;
    prev = v;
  }
  let toStart = first[0] - (t - range);
  const toEnd = t - last[0];
  const sampled = last[0] - first[0];
  const avg = sampled / (pts.length - 1);
  if (result > 0 && first[1] >= 0) {
    const toZero = sampled * (first[1] / result);
    if (toZero < toStart) toStart = toZero;
  }
  const threshold = avg * 1.1;
  let interval = sampled;
  interval += toStart < threshold ? toStart : avg / 2;
  interval += toEnd < threshold ? toEnd : avg / 2;
  let factor = interval / sampled;
  factor /= range;
  return result * factor;
}

export function latest(series: Array<[number, number]>, t: number): number | undefined {
  const pts = inWindow(series, t - LOOKBACK, t);
  return pts.length ? pts[pts.length - 1]![1] : undefined;
}

export function quantile(q: number, values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const rank = q * (v.length - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(v.length - 1, lower + 1);
  const w = rank - Math.floor(rank);
  return v[lower]! * (1 - w) + v[upper]! * w;
}

export function steps(at: number, window: number, step: number): number[] {
  const out: number[] = [];
  for (let t = Math.ceil((at - window) / step) * step; t <= at; t += step) out.push(t);
  return out;
}

/** max by (namespace, pod, container) over a container's series, evaluated at each subquery step. */
function perStep(
  series: RawSeries[],
  times: number[],
  f: (s: Array<[number, number]>, t: number) => number | undefined,
) {
  const out: number[] = [];
  for (const t of times) {
    let best: number | undefined;
    for (const s of series) {
      const v = f(s.samples, t);
      if (v !== undefined && (best === undefined || v > best)) best = v;
    }
    if (best !== undefined) out.push(best);
  }
  return out;
}

export interface PodReference {
  cpuQuantile?: number;
  cpuMax?: number;
  cpuCount: number;
  memoryMax?: number;
  memoryQuantile?: number;
  memoryCount: number;
}

export function podReference(
  cpuSeries: RawSeries[],
  memSeries: RawSeries[],
  at: number,
  window: number,
  step: number,
  q = 0.95,
): PodReference {
  const times = steps(at, window, step);
  const rates = perStep(cpuSeries, times, (s, t) => rate(s, t, step));
  const counters = perStep(cpuSeries, times, latest);
  const mems = perStep(memSeries, times, latest);
  return {
    cpuQuantile: rates.length ? quantile(q, rates) : undefined,
    cpuMax: rates.length ? Math.max(...rates) : undefined,
    cpuCount: counters.length,
    memoryMax: mems.length ? Math.max(...mems) : undefined,
    memoryQuantile: mems.length ? quantile(q, mems) : undefined,
    memoryCount: mems.length,
  };
}
