import { quantileSorted } from 'simple-statistics';

/**
 * The wait figures every side of a comparison reports, in scenario seconds. Quantiles use
 * simple-statistics' quantileSorted, linear interpolation between order statistics at
 * (n - 1)·p (Hyndman & Fan type 7, numpy's and R's default), for measured and predicted alike.
 */
export interface WaitStats {
  /** Requests the figures rest on. */
  count: number;
  meanWait: number;
  p50Wait: number;
  p95Wait: number;
  p99Wait: number;
  maxWait: number;
  /** From the burst's start until the last request finished. */
  makespan: number;
}

export const WAIT_FIGURES = [
  'meanWait',
  'p50Wait',
  'p95Wait',
  'p99Wait',
  'maxWait',
  'makespan',
] as const;
export type WaitFigure = (typeof WAIT_FIGURES)[number];

/** Figures of a set of waits; NaN entries (requests that never started) are left out. */
export function summarizeWaits(waits: ArrayLike<number>, makespan: number): WaitStats {
  const sorted = Float64Array.from(waits)
    .filter((w) => !Number.isNaN(w))
    .sort();
  const count = sorted.length;
  if (count === 0) {
    return {
      count,
      meanWait: Number.NaN,
      p50Wait: Number.NaN,
      p95Wait: Number.NaN,
      p99Wait: Number.NaN,
      maxWait: Number.NaN,
      makespan,
    };
  }
  let sum = 0;
  for (const w of sorted) sum += w;
  const values = sorted as unknown as number[];
  return {
    count,
    meanWait: sum / count,
    p50Wait: quantileSorted(values, 0.5),
    p95Wait: quantileSorted(values, 0.95),
    p99Wait: quantileSorted(values, 0.99),
    maxWait: sorted[count - 1] as number,
    makespan,
  };
}

/** Relative error of a prediction against a measurement: (predicted - measured) / measured. */
export function relativeError(predicted: number, measured: number): number {
  if (measured === 0) return predicted === 0 ? 0 : Number.POSITIVE_INFINITY;
  return (predicted - measured) / measured;
}
