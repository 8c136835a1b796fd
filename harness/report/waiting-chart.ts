import type { TopLevelSpec } from 'vega-lite';
import {
  SECONDS_FORMAT,
  sampleSize,
  timeAxisTitle,
  timeScaleNote,
  VEGA_LITE_SCHEMA,
} from './chart-text.js';
import { measuredPredictedColor } from './figures-chart.js';
import { CHART_LIMITS, thin } from './thin.js';

/**
 * Requests waiting over time: how many have arrived (intended start) but not yet started their
 * handler, as a step function of time, measured against predicted. Requests that never started
 * (failed) are left out of both and counted in the subtitle.
 */

export interface Interval {
  arrive: number;
  start: number;
}

export interface WaitingPoint {
  series: string;
  source: 'measured' | 'predicted';
  time: number;
  waiting: number;
}

/**
 * The step function's corners: after all arrivals and starts at an instant t, how many wait.
 * Starts at an instant are counted before arrivals at it, so a request served on arrival never
 * counts as waiting.
 */
export function waitingSteps(
  intervals: readonly Interval[],
): Array<{ time: number; waiting: number }> {
  const deltas = new Map<number, number>();
  for (const { arrive, start } of intervals) {
    if (start <= arrive) continue;
    deltas.set(arrive, (deltas.get(arrive) ?? 0) + 1);
    deltas.set(start, (deltas.get(start) ?? 0) - 1);
  }
  const times = [...deltas.keys()].sort((a, b) => a - b);
  let waiting = 0;
  return times.map((time) => {
    waiting += deltas.get(time) ?? 0;
    return { time, waiting };
  });
}

export interface WaitingInput {
  topology: string;
  timeScale: number;
  measured: readonly Interval[];
  predicted: readonly Interval[];
  /** Requests that never started, left out of the measured curve. */
  measuredFailed: number;
}

export function waitingSpec(input: WaitingInput): TopLevelSpec {
  const measured = `measured (${sampleSize(input.measured.length)})`;
  const predicted = `predicted (${sampleSize(input.predicted.length)})`;
  const m = thin(waitingSteps(input.measured), CHART_LIMITS.seriesPoints);
  const p = thin(waitingSteps(input.predicted), CHART_LIMITS.seriesPoints);
  const points: WaitingPoint[] = [
    ...m.items.map((x) => ({ ...x, series: measured, source: 'measured' as const })),
    ...p.items.map((x) => ({ ...x, series: predicted, source: 'predicted' as const })),
  ];
  const stride = Math.max(m.stride, p.stride);
  const thinned = stride > 1 ? `; drawn through 1 in every ${stride} steps` : '';
  const failed =
    input.measuredFailed > 0 ? `; ${input.measuredFailed} failed requests never started` : '';
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: `${input.topology}: requests waiting over time`,
      subtitle: [
        `arrived but not yet in a handler; ${sampleSize(input.measured.length)} measured, ${input.predicted.length} predicted${failed}${thinned}`,
        timeScaleNote(input.timeScale),
      ],
    },
    width: 420,
    height: 240,
    data: { values: points },
    mark: { type: 'line', interpolate: 'step-after', point: { size: 12 }, tooltip: true },
    encoding: {
      x: {
        field: 'time',
        type: 'quantitative',
        title: timeAxisTitle('time since the burst started', input.timeScale),
      },
      y: { field: 'waiting', type: 'quantitative', title: 'requests waiting' },
      color: measuredPredictedColor('series', { measured, predicted }, 'top-right'),
      tooltip: [
        { field: 'source', type: 'nominal' },
        {
          field: 'time',
          type: 'quantitative',
          format: SECONDS_FORMAT,
          title: timeAxisTitle('time', input.timeScale),
        },
        { field: 'waiting', type: 'quantitative', title: 'requests waiting' },
      ],
    },
  };
}
