import { isRealKind } from '../../targets/real/protocol.js';
import { fanoutExplanations, fanoutSource } from './fanout-figure-source.js';
import type { FigureTolerance, FigureValues } from './figure-fidelity.js';
import { type FigureFidelityRow, figureFidelityRow } from './figure-fidelity.js';
import { handlersAtOnceExplanations, handlersAtOnceSource } from './handlers-figure-source.js';
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
 * which the shared machine's load moves a measurement by tens of ms); runs per slot within 10%,
 * or one run over the observation (1 / slots), whichever is more.
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
  // Runs are counted over a few slots: one run more or fewer moves the mean by 1 / slots, a
  // granularity no tolerance can be finer than.
  const perSlot = tol('perSlot');
  const granular = {
    ...perSlot,
    absolute: Math.max(perSlot.absolute, 1 / Math.max(1, jobs.slots)),
  };
  // After a kill the model's missed slots (the middle of its range) lower its runs per slot.
  const missed = jobs.predicted.takeover?.missedSlots;
  const missedMid = missed === undefined ? 0 : (missed.min + missed.max) / 2;
  const deploymentMisses =
    missed !== undefined && jobs.predicted.scope === 'deployment' ? missed : null;
  const out: FigureValues[] = [
    {
      figure: 'runsPerSlot',
      label: 'job runs per slot',
      unit: 'per-slot',
      tolerance: granular,
      real: jobs.runsPerSlot.mean,
      emulated: e?.runsPerSlot.mean ?? null,
      predicted:
        jobs.slots === 0
          ? jobs.predicted.runsPerSlot
          : jobs.predicted.runsPerSlot - missedMid / jobs.slots,
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
      // Slots nobody ran: only where the killed leader's scope is the whole deployment (a
      // lease); a worker's or a host's own scheduler leaves the others running.
      predicted: deploymentMisses === null ? 0 : (deploymentMisses.min + deploymentMisses.max) / 2,
      ...(deploymentMisses === null
        ? {}
        : { predictedRange: { min: deploymentMisses.min, max: deploymentMisses.max } }),
      source,
    },
  ];
  if (jobs.kill !== null) {
    const range = jobs.predicted.takeover?.takeover;
    const gap = jobs.predicted.takeover?.gap;
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
        predicted: gap === undefined ? null : (gap.min + gap.max) / 2,
        ...(gap === undefined ? {} : { predictedRange: { min: gap.min, max: gap.max } }),
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

/** What was measured about why figures differ, keyed by figure (FigureFidelityInput). */
export type ExplanationSource = (
  real: TopologySummary,
  twin: TopologySummary | null,
) => Record<string, string>;

export interface BootTimes {
  /** Mean seconds from a worker's spawn to its ready, over the workers that got there. */
  meanBoot: number | null;
  boots: number;
  /** Mean seconds from a worker's exit to its slot's next spawn, over the replacements. */
  meanRespawn: number | null;
  respawns: number;
}

const meanOf = (xs: readonly number[]): number | null =>
  xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;

/** Boot and respawn times from a topology's worker events (server log or arbiter). Pure. */
export function bootTimes(events: TopologySummary['workerEvents']): BootTimes {
  const boots: number[] = [];
  const respawns: number[] = [];
  const spawnedAt = new Map<number, number>();
  const exitedAt = new Map<string, number>();
  for (const e of [...(events ?? [])].sort((a, b) => a.at - b.at)) {
    if (e.kind === 'spawn') {
      spawnedAt.set(e.pid, e.at);
      const exit = exitedAt.get(e.slot);
      if (exit !== undefined) respawns.push(e.at - exit);
      exitedAt.delete(e.slot);
    } else if (e.kind === 'ready') {
      const spawn = spawnedAt.get(e.pid);
      if (spawn !== undefined) boots.push(e.at - spawn);
    } else if (e.kind === 'exit') exitedAt.set(e.slot, e.at);
  }
  return {
    meanBoot: meanOf(boots),
    boots: boots.length,
    meanRespawn: meanOf(respawns),
    respawns: respawns.length,
  };
}

const LIFE_FIGURES = [
  'recycles',
  'timeouts',
  'restarts',
  'killedBooting',
  'timeBelowFull',
  'degradedMeanWait',
  'degradedMaxWait',
  'firstServing',
  'allServing',
];

/**
 * Worker lives: how long the real workers took to boot and to be replaced, beside the emulated
 * ones, measured from each side's own events: what a time with fewer workers or a time to
 * serving is made of.
 */
export const workerLifeExplanations: ExplanationSource = (real, twin) => {
  if (real.workerLife === undefined) return {};
  const r = bootTimes(real.workerEvents);
  const e = twin === null ? null : bootTimes(twin.workerEvents);
  const s = (x: number | null): string => (x === null ? 'n/a' : `${x.toFixed(2)} s`);
  const parts: string[] = [];
  if (r.boots > 0 || (e?.boots ?? 0) > 0)
    parts.push(
      `a worker took ${s(r.meanBoot)} from its spawn to serving on the real server (${r.boots} boots)${e === null ? '' : `, ${s(e.meanBoot)} in the emulation (${e.boots})`}`,
    );
  const unreplaced = (t: TopologySummary | null): number => {
    const exits = (t?.workerEvents ?? []).filter((x) => x.kind === 'exit').length;
    return exits - (t === null ? 0 : bootTimes(t.workerEvents).respawns);
  };
  const ru = unreplaced(real);
  if (ru > 0)
    parts.push(
      `${ru} worker${ru === 1 ? '' : 's'} that exited had no replacement before the run's end on the real server${twin === null ? '' : ` (${unreplaced(twin)} in the emulation)`}: gunicorn forks one only once it has reaped the old worker`,
    );
  if (r.respawns > 0 || (e?.respawns ?? 0) > 0)
    parts.push(
      `a replacement was spawned ${s(r.meanRespawn)} after its predecessor exited (${r.respawns} replacements)${e === null ? '' : `, ${s(e.meanRespawn)} in the emulation (${e.respawns})`}`,
    );
  if (parts.length === 0) return {};
  const text = `measured: ${parts.join('; ')}`;
  return Object.fromEntries(LIFE_FIGURES.map((f) => [f, text]));
};

/** Every source of explanations; append to add one. */
export const EXPLANATION_SOURCES: readonly ExplanationSource[] = [
  workerLifeExplanations,
  handlersAtOnceExplanations,
  fanoutExplanations,
];

/**
 * One row per real-server topology that has scenario figures, its twin found by `twinOf`;
 * undefined when no row has any (the run had no lifecycle or jobs figures on real servers).
 */
export function summarizeFigureFidelity(
  topologies: readonly TopologySummary[],
  sources: readonly FigureSource[] = FIGURE_SOURCES,
  explanations: readonly ExplanationSource[] = EXPLANATION_SOURCES,
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
        explanations: Object.assign({}, ...explanations.map((x) => x(real, twin))),
      }),
    );
  }
  return rows.length === 0 ? undefined : rows;
}
