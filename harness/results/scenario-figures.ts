import { isRealKind } from '../../targets/real/protocol.js';
import { fanoutSource } from './fanout-figure-source.js';
import type { FigureTolerance, FigureValues } from './figure-fidelity.js';
import { type FigureFidelityRow, figureFidelityRow } from './figure-fidelity.js';
import { handlersAtOnceSource } from './handlers-figure-source.js';
import type { TopologySummary } from './summary.js';

/**
 * The figures of lifecycle and jobs scenarios that the figure-fidelity table (results/
 * figure-fidelity.ts) sets real beside emulated beside predicted: one function per family of
 * figures, each reading a real topology's summary and its emulated twin's. A scenario family
 * adds its own by adding a function to FIGURE_SOURCES. Pure.
 */

/**
 * Tolerances per figure: counts of restarts and timeouts within 25% or 1 event; times within
 * 25% or 0.5 scenario seconds (a boot or a recycle gap is a few hundred real milliseconds, in
 * which the shared machine's load moves a measurement by tens of ms); runs per slot within 10%.
 */
export const FIGURE_TOLERANCES: Record<string, FigureTolerance> = {
  count: { relative: 0.25, absolute: 1 },
  seconds: { relative: 0.25, absolute: 0.5 },
  perSlot: { relative: 0.1, absolute: 0 },
};

const tol = (key: keyof typeof FIGURE_TOLERANCES): FigureTolerance =>
  FIGURE_TOLERANCES[key] as FigureTolerance;

export type FigureSource = (real: TopologySummary, twin: TopologySummary | null) => FigureValues[];

/** Worker lives: recycles, restarts and timeouts, time below full strength and its waits. */
export const workerLifeSource: FigureSource = (real, twin) => {
  const life = real.workerLife;
  if (life === undefined) return [];
  const m = life.measured;
  const p = life.predicted;
  const e = twin?.workerLife?.measured ?? null;
  const source =
    real.servers?.[0]?.name === undefined ? undefined : `${real.servers[0].name}'s log`;
  const fig = (
    figure: string,
    label: string,
    unit: FigureValues['unit'],
    pick: (f: NonNullable<typeof e>) => number | null,
    tolerance: FigureTolerance,
  ): FigureValues => ({
    figure,
    label,
    unit,
    tolerance,
    real: pick(m),
    emulated: e === null ? null : pick(e),
    predicted: p === null ? null : pick(p),
    ...(source === undefined ? {} : { source }),
  });
  return [
    fig(
      'recycles',
      'workers recycled (max-requests)',
      'count',
      (f) => f.exitsByReason['max-requests'],
      tol('count'),
    ),
    fig(
      'timeouts',
      'workers timed out (killed)',
      'count',
      (f) => f.exitsByReason.timeout,
      tol('count'),
    ),
    fig('restarts', 'worker restarts', 'count', (f) => f.restarts, tol('count')),
    fig(
      'killedBooting',
      'workers killed while booting',
      'count',
      (f) => f.killedBooting,
      tol('count'),
    ),
    fig(
      'timeBelowFull',
      'time with fewer workers',
      'seconds',
      (f) => f.timeBelowFull,
      tol('seconds'),
    ),
    fig(
      'degradedMeanWait',
      'mean wait arriving then',
      'seconds',
      (f) => f.degraded.meanWait,
      tol('seconds'),
    ),
    fig(
      'degradedMaxWait',
      'max wait arriving then',
      'seconds',
      (f) => f.degraded.maxWait,
      tol('seconds'),
    ),
    fig('firstServing', 'time to first serving', 'seconds', (f) => f.firstServing, tol('seconds')),
    fig('allServing', 'time to all serving', 'seconds', (f) => f.allServing, tol('seconds')),
  ];
};

/** Scheduled jobs: runs per slot, duplicates, missed slots, and the takeover after a kill. */
export const jobsSource: FigureSource = (real, twin) => {
  const jobs = real.jobs;
  if (jobs === undefined) return [];
  const e = twin?.jobs ?? null;
  const source = 'jobs.ndjson';
  const out: FigureValues[] = [
    {
      figure: 'runsPerSlot',
      label: 'job runs per slot',
      unit: 'per-slot',
      tolerance: tol('perSlot'),
      real: jobs.runsPerSlot.mean,
      emulated: e?.runsPerSlot.mean ?? null,
      predicted: jobs.predicted.runsPerSlot,
      source,
    },
    {
      figure: 'duplicates',
      label: 'duplicate job runs',
      unit: 'count',
      tolerance: tol('count'),
      real: jobs.duplicates,
      emulated: e?.duplicates ?? null,
      predicted: jobs.predicted.duplicatesPerSlot * jobs.slots,
      source,
    },
    {
      figure: 'missedSlots',
      label: 'slots nobody ran',
      unit: 'count',
      tolerance: tol('count'),
      real: jobs.missedSlots,
      emulated: e?.missedSlots ?? null,
      predicted: jobs.predicted.takeover === null ? 0 : null,
      source,
    },
  ];
  if (jobs.kill !== null) {
    const range = jobs.predicted.takeover?.takeover;
    out.push(
      {
        figure: 'takeover',
        label: "kill to successor's first run",
        unit: 'seconds',
        tolerance: tol('seconds'),
        real: jobs.kill.takeover,
        emulated: e?.kill?.takeover ?? null,
        predicted: range === undefined ? null : (range.min + range.max) / 2,
        ...(range === undefined ? {} : { predictedRange: { min: range.min, max: range.max } }),
        source,
      },
      {
        figure: 'gap',
        label: "successor's gap (last run to next)",
        unit: 'seconds',
        tolerance: tol('seconds'),
        real: jobs.kill.gap,
        emulated: e?.kill?.gap ?? null,
        predicted: null,
        source,
      },
    );
  }
  return out;
};

/** Every family of scenario figures; append to add one. */
export const FIGURE_SOURCES: readonly FigureSource[] = [
  workerLifeSource,
  jobsSource,
  handlersAtOnceSource,
  fanoutSource,
];

/**
 * One row per real-server topology that has scenario figures, its twin found by `twinOf`;
 * undefined when no row has any (the run had no lifecycle or jobs figures on real servers).
 */
export function summarizeFigureFidelity(
  topologies: readonly TopologySummary[],
  sources: readonly FigureSource[] = FIGURE_SOURCES,
): FigureFidelityRow[] | undefined {
  const rows: FigureFidelityRow[] = [];
  for (const real of topologies) {
    if (!isRealKind(real.kind) || (real.twinOf ?? null) !== null || (real.url ?? null) !== null)
      continue;
    const twin = topologies.find((t) => t.twinOf === real.name) ?? null;
    const figures = sources.flatMap((s) => s(real, twin));
    if (figures.length === 0) continue;
    rows.push(
      figureFidelityRow({
        topology: real.name,
        kind: real.kind,
        emulated: twin?.name ?? null,
        figures,
      }),
    );
  }
  return rows.length === 0 ? undefined : rows;
}
