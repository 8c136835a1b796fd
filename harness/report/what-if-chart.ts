import type { TopLevelSpec } from 'vega-lite';
import {
  type ChartTimeScale,
  SECONDS_FORMAT,
  sampleSize,
  timeAxisTitle,
  timeScaleNote,
  VEGA_LITE_SCHEMA,
} from './chart-text.js';
import type { WhatIfPoint } from './what-if.js';

/**
 * Predicted p95 wait against replicas for this load, one line per topology; a filled point marks
 * the replicas the run used, a cross the p95 wait it measured there.
 */

export interface MeasuredP95 {
  topology: string;
  replicas: number;
  p95Wait: number;
  n: number;
}

export interface WhatIfChartInput {
  points: readonly WhatIfPoint[];
  measured: readonly MeasuredP95[];
  /** The load in words, e.g. "200 users at once", and the requests it plans. */
  load: string;
  requests: number;
  timeScale: ChartTimeScale;
  seed: number;
}

export function whatIfSpec(input: WhatIfChartInput): TopLevelSpec {
  const order = [...new Set(input.points.map((p) => p.topology))];
  const color = {
    field: 'topology',
    type: 'nominal' as const,
    sort: order,
    title: 'topology',
    scale: { domain: order },
  };
  const y = {
    field: 'p95Wait',
    type: 'quantitative' as const,
    title: timeAxisTitle('p95 wait', input.timeScale),
  };
  const x = {
    field: 'replicas',
    type: 'quantitative' as const,
    title: 'replicas',
    axis: { tickMinStep: 1, format: 'd' },
  };
  const tooltip = [
    { field: 'topology', type: 'nominal' as const },
    { field: 'replicas', type: 'quantitative' as const },
    {
      field: 'p95Wait',
      type: 'quantitative' as const,
      format: SECONDS_FORMAT,
      title: timeAxisTitle('predicted p95 wait', input.timeScale),
    },
    {
      field: 'meanWait',
      type: 'quantitative' as const,
      format: SECONDS_FORMAT,
      title: timeAxisTitle('predicted mean wait', input.timeScale),
    },
    { field: 'method', type: 'nominal' as const, title: 'model' },
    { field: 'replications', type: 'quantitative' as const, title: 'runs averaged' },
  ];
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: 'What if: predicted p95 wait against replicas, for this load',
      subtitle: [
        `${input.load} (${sampleSize(input.requests)} requests), everything but the replicas unchanged; model seed ${input.seed}, up to ${Math.max(1, ...input.points.map((p) => p.replications))} runs averaged where it simulates`,
        `filled point: the replicas the run used; cross: the p95 wait it measured there; ${timeScaleNote(input.timeScale)}`,
      ],
    },
    width: 560,
    height: 280,
    layer: [
      {
        data: { values: input.points },
        mark: { type: 'line', point: { size: 18 }, tooltip: true },
        encoding: { x, y, color, tooltip },
      },
      {
        data: { values: input.points.filter((p) => p.current) },
        mark: { type: 'point', filled: true, size: 110, tooltip: true },
        encoding: { x, y, color, tooltip },
      },
      {
        data: { values: input.measured },
        mark: { type: 'point', shape: 'cross', size: 130, filled: true, tooltip: true },
        encoding: {
          x,
          y,
          color,
          tooltip: [
            { field: 'topology', type: 'nominal' },
            { field: 'replicas', type: 'quantitative' },
            {
              field: 'p95Wait',
              type: 'quantitative',
              format: SECONDS_FORMAT,
              title: timeAxisTitle('measured p95 wait', input.timeScale),
            },
            { field: 'n', type: 'quantitative', title: 'requests (n)' },
          ],
        },
      },
    ],
  };
}
