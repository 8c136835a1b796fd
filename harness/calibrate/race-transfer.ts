import {
  BURST_FIGURES,
  type BurstFigure,
  fitRace,
  measuredFigures,
  modelAnswer,
  type RaceObjective,
  type RaceObservation,
  type RaceParameters,
} from '../model/race-mechanism.js';
import type { AcceptRaceServer } from '../model/server-kinds.js';
import { modelTopologyOf } from '../model/server-kinds.js';
import type { SweepMeasurement } from './race-sweep.js';

/**
 * Judges the race model out of sample: for each server, each measured configuration is
 * predicted by the mechanism fitted on that server's other configurations (leave one out), and
 * by the stickiness a run uses today, and both are set against the mean of the real bursts.
 * Pure: takes the sweep's measurements, returns the table's rows.
 */

export function observationOf(m: SweepMeasurement): RaceObservation {
  const spreads = m.spreadsMs.filter(Number.isFinite).sort((a, b) => a - b);
  const median = spreads[Math.floor(spreads.length / 2)] ?? 0;

  return {
    name: m.name,
    topology: modelTopologyOf(
      {
        kind: m.server,
        workers: m.workers,
        threads: m.threads,
        replicas: m.replicas,
        balancer: 'round-robin',
        workerConnections: m.workerConnections,
        endpoint: 'def',
      },
      { users: m.users, work: 'sleep' },
    ),
    users: m.users,
    service: m.serviceMs / 1000,
    spacing: median / 1000 / Math.max(1, m.users - 1),
    shares: m.shares,
    waits: m.waits,
  };
}

/**
 * The spacing the planner uses for a server: the median of its fitted configurations' measured
 * spacings (a question gives no burst to measure). Held-out configurations are predicted with it
 * too, not with their own measured spacing, which the planner would not know.
 */
export function plannedSpacing(observations: readonly RaceObservation[]): number {
  const spacings = observations.map((o) => o.spacing).sort((a, b) => a - b);
  return spacings[Math.floor(spacings.length / 2)] ?? 0;
}

export interface TransferRow {
  name: string;
  server: AcceptRaceServer;
  bursts: number;
  /** The mechanism fitted without this configuration. */
  parameters: RaceParameters;
  measured: Record<BurstFigure | 'herfindahl', number>;
  mechanism: Record<BurstFigure | 'herfindahl', number>;
  /** Whether the mechanism's band (p5..p95 of one burst) holds the measured mean. */
  inBand: Record<BurstFigure, boolean>;
  /** Today's stickiness for this configuration, and its figures. */
  stickiness: number;
  sticky: Record<BurstFigure | 'herfindahl', number>;
}

/** Leave-one-out over each server's configurations. `stickinessOf` is today's choice. */
export function transferTable(
  measurements: readonly SweepMeasurement[],
  stickinessOf: (m: SweepMeasurement) => number,
  runs = 200,
  fitRuns = 60,
  objective: RaceObjective = 'shares',
): TransferRow[] {
  const rows: TransferRow[] = [];
  for (const m of measurements) {
    const others = measurements.filter((o) => o.server === m.server && o.name !== m.name);
    if (others.length === 0) continue;
    const fitted = others.map(observationOf);
    const parameters = fitRace(fitted, fitRuns, objective);
    const observation = observationOf(m);
    // Predicted as the planner would: with the spacing of the configurations fitted on.
    const answer = modelAnswer(
      { ...observation, spacing: plannedSpacing(fitted) },
      parameters,
      runs,
    );
    const stickiness = stickinessOf(m);
    const sticky = modelAnswer(observation, { stickiness }, runs);
    const measured = measuredFigures(observation);
    const inBand = {} as Record<BurstFigure, boolean>;
    for (const f of BURST_FIGURES)
      inBand[f] = answer.band[f].p5 <= measured[f] && measured[f] <= answer.band[f].p95;
    const pick = (a: typeof answer | typeof sticky) => ({
      herfindahl: a.herfindahl,
      meanWait: a.meanWait,
      p95Wait: a.p95Wait,
      maxWait: a.maxWait,
      makespan: a.makespan,
    });
    rows.push({
      name: m.name,
      server: m.server,
      bursts: m.shares.length,
      parameters: { returnTime: parameters.returnTime, wakeTime: parameters.wakeTime },
      measured,
      mechanism: pick(answer),
      inBand,
      stickiness,
      sticky: pick(sticky),
    });
  }
  return rows;
}

const pct = (model: number, measured: number): string => {
  const e = ((model - measured) / measured) * 100;
  return `${e >= 0 ? '+' : ''}${Math.abs(e) < 10 ? e.toFixed(1) : e.toFixed(0)}%`;
};

/** The table as text: per configuration, measured figures and each model's relative error. */
export function renderTransfer(rows: readonly TransferRow[]): string {
  const lines = [
    "Out of sample: each configuration predicted by the race mechanism fitted on the same server's other configurations (leave one out), beside today's stickiness. Errors against the mean of the real bursts; * = measured mean outside the mechanism's band (p5..p95 of one burst).",
    '',
    'configuration          bursts  H meas  H mech  H stick | mean wait  mech     stick   | p95      mech     stick   | max      mech     stick   | makespan mech     stick   | returnTime wakeTime',
  ];
  for (const r of rows) {
    const cell = (f: BurstFigure) =>
      `${r.measured[f].toFixed(3).padEnd(8)} ${(pct(r.mechanism[f], r.measured[f]) + (r.inBand[f] ? '' : '*')).padEnd(8)} ${pct(r.sticky[f], r.measured[f]).padEnd(7)}`;
    lines.push(
      `${r.name.padEnd(22)} ${String(r.bursts).padEnd(7)} ${r.measured.herfindahl.toFixed(3).padEnd(7)} ${r.mechanism.herfindahl.toFixed(3).padEnd(7)} ${r.sticky.herfindahl.toFixed(3).padEnd(7)} | ${cell('meanWait')} | ${cell('p95Wait')} | ${cell('maxWait')} | ${cell('makespan')} | ${(r.parameters.returnTime * 1e3).toFixed(3)}ms ${(r.parameters.wakeTime * 1e3).toFixed(3)}ms`,
    );
  }
  return lines.join('\n');
}

/**
 * Whether the mechanism predicted a server's held-out configurations better than the
 * stickiness: the mean absolute relative error over the rows and the four wait figures.
 */
export function mechanismBetter(rows: readonly TransferRow[]): { better: boolean; text: string } {
  // The mechanism replaces the stickiness when its mean absolute error over the held-out
  // configurations is lower and it is the closer of the two on most of them, so that one
  // configuration's large difference does not decide alone.
  let mechanism = 0;
  let sticky = 0;
  let wins = 0;
  let losses = 0;
  for (const r of rows) {
    let m = 0;
    let s = 0;
    for (const f of BURST_FIGURES) {
      m += Math.abs(r.mechanism[f] - r.measured[f]) / r.measured[f];
      s += Math.abs(r.sticky[f] - r.measured[f]) / r.measured[f];
    }
    mechanism += m;
    sticky += s;
    // Closer by more than a tenth of a point on average over the figures: a tie otherwise.
    if (s - m > 0.001 * BURST_FIGURES.length) wins += 1;
    else if (m - s > 0.001 * BURST_FIGURES.length) losses += 1;
  }
  const n = rows.length;
  if (n === 0) return { better: false, text: 'no held-out configuration' };
  const better = mechanism < sticky && wins > losses;
  const figures = n * BURST_FIGURES.length;
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  return {
    better,
    text: `mean absolute error out of sample ${pct(mechanism / figures)} with the mechanism, ${pct(sticky / figures)} with the stickiness; the mechanism closer on ${wins} of ${n} configurations, the stickiness on ${losses}: ${better ? 'the planner uses the mechanism' : 'the planner keeps the stickiness'}`,
  };
}
