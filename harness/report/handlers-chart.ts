import type { TopLevelSpec } from 'vega-lite';
import type { TopologySummary } from '../results/summary.js';
import { type ChartTimeScale, sampleSize, timeScaleNote, VEGA_LITE_SCHEMA } from './chart-text.js';
import { SOURCE_COLORS } from './figures-chart.js';

/**
 * Handlers at once, per topology: what the sizing notes claim, what the model lets run at once,
 * and the most the run and the model's simulation had running at one instant. A claim above the
 * measured bar is a claim the deployment did not keep.
 */

export interface HandlersRow {
  topology: string;
  figure: string;
  value: number;
  n: number;
}

const FIGURES = ['claimed', 'model limit', 'measured, most at once', 'predicted, most at once'];
const COLORS = ['#b279a2', '#9d755d', SOURCE_COLORS.measured, SOURCE_COLORS.predicted];

export function handlersRows(
  topologies: ReadonlyArray<Pick<TopologySummary, 'name' | 'handlersAtOnce' | 'requests'>>,
): HandlersRow[] {
  const rows: HandlersRow[] = [];
  for (const t of topologies) {
    const h = t.handlersAtOnce;
    if (h === undefined) continue;
    const add = (figure: string, value: number | null): void => {
      if (value !== null) rows.push({ topology: t.name, figure, value, n: t.requests });
    };
    add('claimed', h.claimed);
    add('model limit', h.modelLimit);
    add('measured, most at once', h.measured);
    add('predicted, most at once', h.predicted);
  }
  return rows;
}

export interface HandlersInput {
  timeScale: ChartTimeScale;
  topologies: ReadonlyArray<Pick<TopologySummary, 'name' | 'handlersAtOnce' | 'requests'>>;
}

export function handlersAtOnceSpec(input: HandlersInput): TopLevelSpec {
  const rows = handlersRows(input.topologies);
  const n = input.topologies.reduce((sum, t) => sum + t.requests, 0);
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: 'Requests in their handlers at once: the claim against the run',
      subtitle: [
        `most handlers running at one instant, from each request's handler start and end (${sampleSize(n)} over all topologies); the model limit is workers x handlers per worker (capped at 100,000 per worker for awaiting handlers)`,
        timeScaleNote(input.timeScale),
      ],
    },
    data: { values: rows },
    width: 160,
    height: 220,
    mark: { type: 'bar', tooltip: true },
    encoding: {
      column: { field: 'topology', type: 'nominal', title: null },
      x: { field: 'figure', type: 'nominal', title: null, sort: FIGURES, axis: { labels: false } },
      y: {
        field: 'value',
        type: 'quantitative',
        title: 'handlers at once (requests)',
        scale: { type: 'symlog' },
      },
      color: {
        field: 'figure',
        type: 'nominal',
        title: null,
        scale: { domain: FIGURES, range: COLORS },
        legend: { orient: 'top' },
      },
      tooltip: [
        { field: 'topology', type: 'nominal' },
        { field: 'figure', type: 'nominal' },
        { field: 'value', type: 'quantitative', title: 'handlers at once' },
        { field: 'n', type: 'quantitative', title: 'requests the figure rests on' },
      ],
    },
  };
}
