import type { TopLevelSpec } from 'vega-lite';
import { qualityLine } from '../observe/measurement-quality.js';
import { ATTRIBUTION_FIGURES, type Attribution, CAUSE_LABEL } from '../results/attribution.js';
import { type RunSummary, type TopologySummary, timeScaleOf } from '../results/summary.js';
import { SECONDS_FORMAT, timeAxisTitle, timeScaleNote, VEGA_LITE_SCHEMA } from './chart-text.js';
import type { Chart } from './charts.js';
import { SOURCE_COLORS } from './figures-chart.js';

/**
 * The report's side of issue 13: per topology, a chart that walks from the back-of-envelope
 * figure through the model to the measurement, one named part of the difference at a time
 * (harness/results/attribution.ts), and for the report's head, each topology's measurement
 * quality. Pure.
 *
 *   max wait   back-of-envelope ▇▇▇▇▇▇▇▇
 *              predicted        ▇▇▇▇▇▇
 *              + lateness             ▇
 *              + handlers              ▇
 *              ...
 *              measured         ▇▇▇▇▇▇▇▇
 */

const LABELS: Record<(typeof ATTRIBUTION_FIGURES)[number], string> = {
  meanWait: 'mean wait',
  p95Wait: 'p95 wait',
  maxWait: 'max wait',
  makespan: 'makespan',
};

/** A bar of the walk: a total (from 0) or a step (from the running total). */
export interface WalkRow {
  figure: string;
  order: number;
  label: string;
  kind: 'back-of-envelope' | 'predicted' | 'part' | 'measured';
  from: number;
  to: number;
  seconds: number;
}

/** The bars of one topology's walk, figure by figure. */
export function walkRows(t: TopologySummary, a: Attribution): WalkRow[] {
  const rows: WalkRow[] = [];
  for (const figure of ATTRIBUTION_FIGURES) {
    const name = LABELS[figure];
    let order = 0;
    const total = (label: string, kind: WalkRow['kind'], seconds: number) =>
      rows.push({ figure: name, order: order++, label, kind, from: 0, to: seconds, seconds });
    // The back-of-envelope figure estimates how long the last user queues: the max wait.
    if (figure === 'maxWait' && Number.isFinite(t.backOfEnvelope))
      total('back-of-envelope', 'back-of-envelope', t.backOfEnvelope);
    total('predicted', 'predicted', a.predicted[figure]);
    let running = a.predicted[figure];
    const parts = [
      ...a.steps.map((s) => ({ label: `+ ${CAUSE_LABEL[s.cause]}`, share: s.share[figure] })),
      { label: "+ the model's own error", share: a.residual[figure] },
    ];
    for (const part of parts) {
      rows.push({
        figure: name,
        order: order++,
        label: part.label,
        kind: 'part',
        from: running,
        to: running + part.share,
        seconds: part.share,
      });
      running += part.share;
    }
    total('measured', 'measured', a.measured[figure]);
    zoom(rows.filter((r) => r.figure === name));
  }
  return rows;
}

/**
 * The parts are often a few hundredths of the totals (a minute's wait, a second of apparatus):
 * drawn from 0 they would not show. The totals' bars start instead a little below the least
 * value the walk reaches (never below 0), and the axis with them (its ticks say where).
 */
function zoom(rows: WalkRow[]): void {
  const ends = rows.flatMap((r) => (r.kind === 'part' ? [r.from, r.to] : [r.to]));
  const finite = ends.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return;
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const floor = Math.max(0, lo - Math.max((hi - lo) * 0.25, Math.abs(hi) * 0.002));
  for (const r of rows) if (r.kind !== 'part') r.from = floor;
}

function walkSpec(t: TopologySummary, a: Attribution, timeScale: number): TopLevelSpec {
  const rows = walkRows(t, a);
  // Bars in walking order; each panel keeps only its own (back-of-envelope: max wait only).
  const order = [
    'back-of-envelope',
    ...new Set(rows.sort((x, y) => x.order - y.order).map((r) => r.label)),
  ];
  const kinds = ['back-of-envelope', 'predicted', 'part', 'measured'];
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: `${t.name}: from the back-of-envelope through the model to the measurement`,
      subtitle: [
        `n = ${a.requests} requests (first burst); each part is the model re-run with one more`,
        'measured input; the axes start near the least value, not at 0',
        `apparatus measured directly (real ms, means): hand-off ${a.apparatus.handOff.meanMs.toFixed(2)}, relay and accept ${a.apparatus.delivery.meanMs.toFixed(2)},`,
        `load generator lateness ${a.apparatus.lateness.meanMs.toFixed(2)}, handler overrun ${a.apparatus.handlerOverrunMs.toFixed(2)}`,
        timeScaleNote(timeScale),
      ],
    },
    data: { values: rows },
    facet: {
      row: { field: 'figure', type: 'nominal', sort: Object.values(LABELS), title: null },
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: 280,
      height: { step: 14 },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        y: { field: 'label', type: 'nominal', sort: order, title: null },
        x: {
          field: 'from',
          type: 'quantitative',
          title: timeAxisTitle('seconds', timeScale),
          scale: { zero: false },
        },
        x2: { field: 'to' },
        color: {
          field: 'kind',
          type: 'nominal',
          title: null,
          scale: {
            domain: kinds,
            range: [
              SOURCE_COLORS['back-of-envelope'],
              SOURCE_COLORS.predicted,
              '#72b7b2',
              SOURCE_COLORS.measured,
            ],
          },
          legend: { orient: 'top' },
        },
        tooltip: [
          { field: 'figure', type: 'nominal' },
          { field: 'label', type: 'nominal', title: 'bar' },
          { field: 'seconds', type: 'quantitative', format: SECONDS_FORMAT, title: 'seconds' },
        ],
      },
    },
  } as TopLevelSpec;
}

/** One walk per topology that has an attribution, placed in its section (`t<i>-attribution`). */
export function attributionCharts(summary: RunSummary): Chart[] {
  return summary.topologies.flatMap((t, i) =>
    t.attribution === undefined || t.attribution === null
      ? []
      : [
          {
            id: `t${i}-attribution`,
            topology: t.name,
            spec: walkSpec(t, t.attribution, timeScaleOf(summary, t)),
          },
        ],
  );
}

/** The report head's lines on how busy the machine was, one per topology measured. */
export function qualityNotes(summary: RunSummary): string[] {
  return summary.topologies.flatMap((t) =>
    t.measurementQuality === undefined
      ? []
      : [
          `${t.name}: ${t.measurementQuality.level === 'poor' ? 'WARNING: ' : ''}${qualityLine(t.measurementQuality)}`,
        ],
  );
}
