import type { TopLevelSpec } from 'vega-lite';
import { type RunSummary, sharedTimeScale } from '../results/summary.js';
import { SECONDS_FORMAT, timeAxisTitle, timeScaleNote, VEGA_LITE_SCHEMA } from './chart-text.js';

/**
 * Per topology, the back-of-envelope figure, the model and the measurement side by side: mean,
 * p95 and max wait and makespan, one panel each. The back-of-envelope figure (users /
 * concurrency x service time) estimates how long the last user queues, so it stands in the max
 * wait panel.
 */

export const FIGURES = [
  { key: 'meanWait', label: 'mean wait' },
  { key: 'p95Wait', label: 'p95 wait' },
  { key: 'maxWait', label: 'max wait' },
  { key: 'makespan', label: 'makespan' },
] as const;

export const SOURCES = ['back-of-envelope', 'predicted', 'measured'] as const;
export type Source = (typeof SOURCES)[number];

export interface FigureRow {
  topology: string;
  figure: string;
  source: Source;
  seconds: number;
  n: number;
}

export function figureRows(summary: RunSummary): FigureRow[] {
  const rows: FigureRow[] = [];
  for (const t of summary.topologies) {
    for (const { key, label } of FIGURES) {
      if (key === 'maxWait') {
        rows.push({
          topology: t.name,
          figure: label,
          source: 'back-of-envelope',
          seconds: t.backOfEnvelope,
          n: t.requests,
        });
      }
      if (Number.isFinite(t.predicted[key])) {
        rows.push({
          topology: t.name,
          figure: label,
          source: 'predicted',
          seconds: t.predicted[key],
          n: t.predicted.count,
        });
      }
      if (t.measured.count > 0 && Number.isFinite(t.measured[key])) {
        rows.push({
          topology: t.name,
          figure: label,
          source: 'measured',
          seconds: t.measured[key],
          n: t.measured.count,
        });
      }
    }
  }
  return rows;
}

export const SOURCE_COLORS: Record<Source, string> = {
  'back-of-envelope': '#9e9e9e',
  predicted: '#4c78a8',
  measured: '#f58518',
};

/**
 * The colour encoding of a chart that sets a measured series beside a predicted one: `field`
 * holds `labels.measured` or `labels.predicted`, drawn in the report's colours for each.
 */
export function measuredPredictedColor(
  field: string,
  labels: { measured: string; predicted: string },
  orient: 'top' | 'top-right' | 'bottom-right',
) {
  const domain = [labels.measured, labels.predicted];
  return {
    field,
    type: 'nominal' as const,
    title: null,
    sort: domain,
    scale: { domain, range: [SOURCE_COLORS.measured, SOURCE_COLORS.predicted] },
    legend: { orient },
  };
}

export function figuresSpec(summary: RunSummary): TopLevelSpec {
  const counts = summary.topologies.map((t) => t.measured.count);
  const same = counts.every((c) => c === counts[0]);
  const n = same
    ? `n = ${counts[0] ?? 0} measured requests per topology`
    : `n = ${summary.topologies.map((t) => `${t.measured.count} (${t.name})`).join(', ')} measured requests`;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: 'Waits and makespan: back-of-envelope, model and measurement',
      subtitle: [n, timeScaleNote(sharedTimeScale(summary, summary.topologies))],
    },
    data: { values: figureRows(summary) },
    facet: {
      column: {
        field: 'figure',
        type: 'nominal',
        sort: FIGURES.map((f) => f.label),
        title: null,
      },
    },
    spec: {
      width: 190,
      height: { step: 12 },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        y: {
          field: 'topology',
          type: 'nominal',
          sort: summary.topologies.map((t) => t.name),
          title: 'topology',
        },
        yOffset: { field: 'source', type: 'nominal', sort: [...SOURCES] },
        x: {
          field: 'seconds',
          type: 'quantitative',
          title: timeAxisTitle('seconds', sharedTimeScale(summary, summary.topologies)),
        },
        color: {
          field: 'source',
          type: 'nominal',
          title: null,
          scale: { domain: [...SOURCES], range: SOURCES.map((s) => SOURCE_COLORS[s]) },
          legend: { orient: 'top' },
        },
        tooltip: [
          { field: 'topology', type: 'nominal' },
          { field: 'figure', type: 'nominal' },
          { field: 'source', type: 'nominal' },
          {
            field: 'seconds',
            type: 'quantitative',
            format: SECONDS_FORMAT,
            title: timeAxisTitle('value', sharedTimeScale(summary, summary.topologies)),
          },
          { field: 'n', type: 'quantitative', title: 'requests (n)' },
        ],
      },
    },
  };
}
