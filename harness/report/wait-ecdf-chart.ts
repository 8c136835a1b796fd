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
 * The distribution of waits, measured against predicted, as empirical cumulative distribution
 * functions: at wait w, the fraction of requests that waited at most w.
 */

export interface EcdfPoint {
  series: string;
  source: 'measured' | 'predicted';
  wait: number;
  fraction: number;
}

/** The ECDF's corners: (first wait, 0), then (w_i, (i + 1) / n) for the sorted waits. */
export function ecdfPoints(
  waits: readonly number[],
  source: EcdfPoint['source'],
  series: string,
): EcdfPoint[] {
  const sorted = waits.filter((w) => Number.isFinite(w)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return [];
  const points: EcdfPoint[] = [{ series, source, wait: sorted[0] as number, fraction: 0 }];
  sorted.forEach((wait, i) => {
    points.push({ series, source, wait, fraction: (i + 1) / n });
  });
  return points;
}

export interface WaitEcdfInput {
  topology: string;
  timeScale: number;
  /** Waits of the requests that succeeded, scenario seconds. */
  measured: readonly number[];
  /** Predicted waits, one per request of the simulated run. */
  predicted: readonly number[];
}

export function waitEcdfSpec(input: WaitEcdfInput): TopLevelSpec {
  const measured = `measured (${sampleSize(input.measured.length)})`;
  const predicted = `predicted (${sampleSize(input.predicted.length)})`;
  const m = thin(ecdfPoints(input.measured, 'measured', measured), CHART_LIMITS.seriesPoints);
  const p = thin(ecdfPoints(input.predicted, 'predicted', predicted), CHART_LIMITS.seriesPoints);
  const stride = Math.max(m.stride, p.stride);
  const thinned = stride > 1 ? `; drawn through 1 in every ${stride} waits` : '';
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: `${input.topology}: distribution of waits`,
      subtitle: [
        `${sampleSize(input.measured.length)} measured, ${input.predicted.length} predicted (one simulated run)${thinned}`,
        timeScaleNote(input.timeScale),
      ],
    },
    width: 420,
    height: 240,
    data: { values: [...m.items, ...p.items] },
    encoding: {
      x: {
        field: 'wait',
        type: 'quantitative',
        title: timeAxisTitle('wait', input.timeScale),
      },
      y: {
        field: 'fraction',
        type: 'quantitative',
        title: 'fraction of requests that waited at most this long',
        axis: { format: '%' },
        scale: { domain: [0, 1] },
      },
      color: measuredPredictedColor('series', { measured, predicted }, 'bottom-right'),
    },
    layer: [
      { mark: { type: 'line', interpolate: 'step-after' } },
      {
        mark: { type: 'point', size: 14, filled: true, opacity: 0.6, tooltip: true },
        encoding: {
          tooltip: [
            { field: 'source', type: 'nominal' },
            {
              field: 'wait',
              type: 'quantitative',
              format: SECONDS_FORMAT,
              title: timeAxisTitle('wait', input.timeScale),
            },
            {
              field: 'fraction',
              type: 'quantitative',
              format: '.1%',
              title: 'waited at most this',
            },
          ],
        },
      },
    ],
  };
}
