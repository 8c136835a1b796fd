import { summarizeWaits, WAIT_FIGURES, type WaitFigure, type WaitStats } from '../stats/waits.js';
import type { RequestRecord } from './request-record.js';

/**
 * Figures of a topology measured over repeated bursts (scenario `repeat`): each burst's own
 * figures, their mean, which is what the summary reports and the model is compared with (the
 * model's figures are a mean over simulated runs too), and their range. Pure.
 */

export interface BurstFigures {
  /** Each burst's figures, in the order sent. */
  perBurst: WaitStats[];
  /** Mean of each figure over the bursts; `count` is the requests of all bursts together. */
  mean: WaitStats;
  /** Least and greatest value of each figure over the bursts. */
  range: Record<WaitFigure, { min: number; max: number }>;
}

/** A burst's figures: waits of the requests that succeeded, makespan to the last response. */
export function burstStats(records: readonly RequestRecord[]): WaitStats {
  const ok = records.filter((r) => r.error === null && r.wait !== null);
  const makespan = ok.reduce((last, r) => Math.max(last, r.complete ?? 0), 0);
  return summarizeWaits(
    ok.map((r) => r.wait as number),
    makespan,
  );
}

/** Records grouped by their burst (0 for records without one), in burst order. */
export function byBurst(records: readonly RequestRecord[]): RequestRecord[][] {
  const groups = new Map<number, RequestRecord[]>();
  for (const r of records) {
    const b = r.burst ?? 0;
    const group = groups.get(b) ?? [];
    group.push(r);
    groups.set(b, group);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, group]) => group);
}

export function burstFigures(records: readonly RequestRecord[]): BurstFigures {
  const perBurst = byBurst(records).map(burstStats);
  if (perBurst.length === 0) perBurst.push(burstStats([]));
  const mean = { ...(perBurst[0] as WaitStats) };
  const range = {} as Record<WaitFigure, { min: number; max: number }>;
  for (const figure of WAIT_FIGURES) {
    const values = perBurst.map((s) => s[figure]);
    mean[figure] = values.reduce((a, b) => a + b, 0) / values.length;
    range[figure] = { min: Math.min(...values), max: Math.max(...values) };
  }
  mean.count = perBurst.reduce((sum, s) => sum + s.count, 0);
  return { perBurst, mean, range };
}
