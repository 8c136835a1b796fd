import type { TopLevelSpec } from 'vega-lite';
import type { OverTime, WindowFigures } from '../results/over-time.js';
import { formatSeconds } from '../scenario/duration.js';
import {
  type ChartTimeScale,
  SECONDS_FORMAT,
  sampleSize,
  timeAxisTitle,
  timeScaleNote,
  VEGA_LITE_SCHEMA,
} from './chart-text.js';
import { SOURCE_COLORS } from './figures-chart.js';

/**
 * The load over time, window by window: throughput, p95 latency and the workers serving, in
 * three panels on one time axis. One chart per topology sets the measurement beside the model's
 * first simulated run; one chart for the run sets the topologies' measurements side by side.
 */

export interface OverTimeRow {
  series: string;
  /** Window start, scenario seconds. */
  time: number;
  panel: 'throughput' | 'p95 latency' | 'workers serving';
  value: number;
  arrived: number;
  completed: number;
  failed: number;
}

export const PANELS = ['throughput', 'p95 latency', 'workers serving'] as const;

const PANEL_TITLES: Record<(typeof PANELS)[number], (timeScale: ChartTimeScale) => string> = {
  throughput: (ts) => `completed per ${ts === 1 ? 'second' : 'scenario second'}`,
  'p95 latency': (ts) => timeAxisTitle('p95 latency', ts),
  'workers serving': () => 'workers serving (mean over the window)',
};

/** Rows for one series: a point per window and panel; a panel without a value is left out. */
export function overTimeRows(series: string, windows: readonly WindowFigures[]): OverTimeRow[] {
  const rows: OverTimeRow[] = [];
  for (const w of windows) {
    const base = {
      series,
      time: w.start,
      arrived: w.arrived,
      completed: w.completed,
      failed: w.failed,
    };
    rows.push({ ...base, panel: 'throughput', value: w.throughput });
    if (w.latencyP95 !== null) rows.push({ ...base, panel: 'p95 latency', value: w.latencyP95 });
    if (w.liveWorkers !== null)
      rows.push({ ...base, panel: 'workers serving', value: w.liveWorkers });
  }
  return rows;
}

function spec(
  title: string,
  subtitle: string[],
  rows: OverTimeRow[],
  domain: string[],
  range: string[] | undefined,
  timeScale: ChartTimeScale,
): TopLevelSpec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: title, subtitle },
    data: { values: rows },
    vconcat: PANELS.map((panel) => ({
      width: 900,
      height: panel === 'workers serving' ? 90 : 140,
      transform: [{ filter: { field: 'panel', equal: panel } }],
      mark: {
        type: 'line',
        interpolate: panel === 'workers serving' ? 'step-after' : 'linear',
        point: { size: 14 },
        tooltip: true,
      },
      encoding: {
        x: {
          field: 'time',
          type: 'quantitative',
          title: timeAxisTitle('window start, time since the load started', timeScale),
        },
        y: { field: 'value', type: 'quantitative', title: PANEL_TITLES[panel](timeScale) },
        color: {
          field: 'series',
          type: 'nominal',
          title: null,
          scale: range === undefined ? { domain } : { domain, range },
          legend: { orient: 'top' },
        },
        tooltip: [
          { field: 'series', type: 'nominal' },
          {
            field: 'time',
            type: 'quantitative',
            format: SECONDS_FORMAT,
            title: timeAxisTitle('window start', timeScale),
          },
          {
            field: 'value',
            type: 'quantitative',
            format: '.3~f',
            title: PANEL_TITLES[panel](timeScale),
          },
          { field: 'arrived', type: 'quantitative', title: 'requests arrived in the window' },
          { field: 'completed', type: 'quantitative', title: 'completed in the window' },
          { field: 'failed', type: 'quantitative', title: 'of those arrived, failed' },
        ],
      },
    })),
  };
}

export interface TopologyOverTimeInput {
  topology: string;
  timeScale: ChartTimeScale;
  overTime: OverTime;
  /** Requests measured, and requests the model simulated. */
  measuredCount: number;
  predictedCount: number;
}

/** One topology: measured against the model, window by window. */
export function overTimeSpec(input: TopologyOverTimeInput): TopLevelSpec {
  const measured = `measured (${sampleSize(input.measuredCount)})`;
  const predicted = `predicted (${sampleSize(input.predictedCount)})`;
  const rows = [
    ...overTimeRows(measured, input.overTime.measured),
    ...(input.overTime.predicted === null ? [] : overTimeRows(predicted, input.overTime.predicted)),
  ];
  return spec(
    `${input.topology}: throughput, latency and workers over time`,
    [
      `windows of ${formatSeconds(input.overTime.width)}, by each request's intended start (latency) and completion (throughput); the model is its first simulated run`,
      timeScaleNote(input.timeScale),
    ],
    rows,
    [measured, predicted],
    [SOURCE_COLORS.measured, SOURCE_COLORS.predicted],
    input.timeScale,
  );
}

export interface CompareOverTimeInput {
  timeScale: ChartTimeScale;
  topologies: ReadonlyArray<{ name: string; overTime: OverTime; requests: number }>;
}

/** Every topology's measurement on one time axis: the setups compared. */
export function compareOverTimeSpec(input: CompareOverTimeInput): TopLevelSpec {
  const names = input.topologies.map((t) => `${t.name} (${sampleSize(t.requests)})`);
  const rows = input.topologies.flatMap((t, i) =>
    overTimeRows(names[i] as string, t.overTime.measured),
  );
  const width = input.topologies[0]?.overTime.width ?? 1;
  return spec(
    'The setups over time, measured',
    [
      `windows of ${formatSeconds(width)}: completed requests, p95 latency of the requests arriving in each window, and the workers serving`,
      timeScaleNote(input.timeScale),
    ],
    rows,
    names,
    undefined,
    input.timeScale,
  );
}
