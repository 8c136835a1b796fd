import { quantileSorted } from 'simple-statistics';
import type { TopologySummary } from '../results/summary.js';
import type { WaitFigure } from '../stats/waits.js';
import { holds, type Threshold } from './threshold.js';

/**
 * Evaluates thresholds against a finished run. Pure: takes each topology's summary and the sorted
 * waits of its successful requests, returns one result per threshold per topology it applies to.
 */

/** The figures whose prediction error `model_error` covers. */
export const MODEL_ERROR_FIGURES = [
  'meanWait',
  'p95Wait',
  'maxWait',
  'makespan',
] as const satisfies readonly WaitFigure[];

export interface GateTopology {
  summary: TopologySummary;
  /** Waits of the requests that succeeded, in scenario seconds, sorted ascending. */
  waits: readonly number[];
}

export type CheckStatus = 'pass' | 'fail' | 'skipped';

export interface ThresholdResult {
  threshold: Threshold;
  topology: string;
  /** The measured value in the threshold's unit, or null when there was nothing to measure. */
  observed: number | null;
  status: CheckStatus;
  /** Why there is no value, or why the check was skipped. */
  note: string | null;
  /**
   * For a failed check: the value once the apparatus's measured part is taken out (the
   * attribution's load generator, handler and server-cost shares; all of a dispatch spread),
   * or null where no part of it is the apparatus's. A failure that would pass without it may be
   * the machine's, not the deployment's (gate.ts).
   */
  withoutApparatus?: number | null;
}

export function evaluateThresholds(
  thresholds: readonly Threshold[],
  topologies: readonly GateTopology[],
): ThresholdResult[] {
  const results: ThresholdResult[] = [];
  for (const threshold of thresholds) {
    if (
      threshold.topology !== null &&
      !topologies.some((t) => t.summary.name === threshold.topology)
    ) {
      results.push({
        threshold,
        topology: threshold.topology,
        observed: null,
        status: 'skipped',
        note: 'this topology was not run',
      });
      continue;
    }
    for (const topology of topologies) {
      if (threshold.topology !== null && threshold.topology !== topology.summary.name) continue;
      const observed = observe(threshold, topology);
      if (observed.value === null) {
        results.push({
          threshold,
          topology: topology.summary.name,
          observed: null,
          status: 'fail',
          note: observed.note,
        });
        continue;
      }
      const passed = holds(observed.value, threshold.operator, threshold.value);
      results.push({
        threshold,
        topology: topology.summary.name,
        observed: observed.value,
        status: passed ? 'pass' : 'fail',
        note: null,
        ...(passed
          ? {}
          : { withoutApparatus: withoutApparatus(threshold, topology.summary, observed.value) }),
      });
    }
  }
  return results;
}

interface Observation {
  value: number | null;
  note: string;
}

const none = (note: string): Observation => ({ value: null, note });
const some = (value: number): Observation =>
  Number.isNaN(value) ? none('the figure is undefined for this run') : { value, note: '' };

/** The value a threshold's aggregate takes for one topology. */
export function observe(threshold: Threshold, topology: GateTopology): Observation {
  const { summary, waits } = topology;
  const { aggregate } = threshold;
  switch (threshold.metric) {
    case 'wait': {
      if (waits.length === 0) return none('no request succeeded, so there is no wait to measure');
      switch (aggregate.kind) {
        case 'mean':
          return some(waits.reduce((a, b) => a + b, 0) / waits.length);
        case 'min':
          return some(waits[0] as number);
        case 'max':
          return some(waits[waits.length - 1] as number);
        case 'percentile':
          // Type 7 (linear between order statistics), as summary.json's figures.
          return some(quantileSorted(waits as number[], aggregate.p / 100));
        default:
          return none(`wait has no ${aggregate.kind}`);
      }
    }
    case 'makespan':
      return summary.measured.count === 0
        ? none('no request succeeded')
        : some(summary.measured.makespan);
    case 'errors':
      if (aggregate.kind === 'count') return some(summary.errors);
      return summary.requests === 0
        ? none('no request was sent')
        : some(summary.errors / summary.requests);
    case 'model_error': {
      if (summary.measured.count === 0) return none('no request succeeded');
      const errors = MODEL_ERROR_FIGURES.map((f) => Math.abs(summary.predictionError[f]));
      if (errors.some((e) => Number.isNaN(e))) return none('a figure has no prediction error');
      return some(
        aggregate.kind === 'max'
          ? Math.max(...errors)
          : errors.reduce((a, b) => a + b, 0) / errors.length,
      );
    }
    case 'dispatch_spread':
      return summary.dispatchSpreadMs === null
        ? none('no request was written')
        : some(summary.dispatchSpreadMs);
    case 'job_runs':
    case 'job_gap':
    case 'event_reach':
    case 'event_latency':
      return observeApp(threshold, summary);
  }
}

/** The apparatus's parts of the attribution (issue 13): not the deployment's doing. */
const APPARATUS_CAUSES = new Set(['arrivals', 'handlers', 'server costs']);

/**
 * A failed check's value with the apparatus's measured part taken out, or null where the
 * attribution holds no part of it. Wait percentiles from p(90) use the p95 shares, lower ones
 * the mean's; a model error is the attribution's residual, the model's own error.
 */
export function withoutApparatus(
  threshold: Threshold,
  summary: TopologySummary,
  observed: number,
): number | null {
  if (threshold.metric === 'dispatch_spread') return 0;
  const a = summary.attribution;
  if (a === undefined || a === null) return null;
  if (threshold.metric === 'model_error') {
    const own = MODEL_ERROR_FIGURES.map((f) => Math.abs(a.residualRelative[f]));
    return threshold.aggregate.kind === 'max'
      ? Math.max(...own)
      : own.reduce((x, y) => x + y, 0) / own.length;
  }
  const aggregate = threshold.aggregate;
  const figure =
    threshold.metric === 'makespan'
      ? 'makespan'
      : threshold.metric !== 'wait'
        ? null
        : aggregate.kind === 'max'
          ? 'maxWait'
          : aggregate.kind === 'percentile' && aggregate.p >= 90
            ? 'p95Wait'
            : 'meanWait';
  if (figure === null) return null;
  const part = a.steps
    .filter((s) => APPARATUS_CAUSES.has(s.cause))
    .reduce((sum, s) => sum + s.share[figure], 0);
  return observed - Math.max(0, part);
}

/** The metrics of the scheduled job and the event fan-out (issue 6). */
function observeApp(threshold: Threshold, summary: TopologySummary): Observation {
  const { aggregate } = threshold;
  const { jobs, fanout } = summary;
  switch (threshold.metric) {
    case 'job_runs':
      if (jobs === undefined || jobs.slots === 0)
        return none('no slot of a scheduled job was watched on this topology');
      return some(aggregate.kind === 'min' ? jobs.runsPerSlot.min : jobs.runsPerSlot.max);
    case 'job_gap':
      if (jobs?.kill == null) return none('no leader was killed on this topology');
      return jobs.kill.gap === null
        ? none('nobody ran the job after the leader was killed')
        : some(jobs.kill.gap);
    case 'event_reach':
      if (fanout === undefined || fanout.events === 0)
        return none('no event was published on this topology');
      return some(
        aggregate.kind === 'min'
          ? fanout.share.min
          : aggregate.kind === 'max'
            ? fanout.share.max
            : fanout.share.mean,
      );
    case 'event_latency': {
      const latency = fanout?.latencyMs;
      if (latency == null) return none('no event was delivered on this topology');
      if (aggregate.kind === 'mean') return some(latency.mean);
      if (aggregate.kind === 'max') return some(latency.max);
      if (aggregate.kind === 'percentile') {
        const kept: Record<number, number> = { 50: latency.p50, 95: latency.p95, 99: latency.p99 };
        const value = kept[aggregate.p];
        if (value !== undefined) return some(value);
      }
      return none('summary.json keeps the mean, p(50), p(95), p(99) and max of delivery latency');
    }
    default:
      return none(`${threshold.metric} is not a metric of the app`);
  }
}
