import { quantileSorted } from 'simple-statistics';
import { meanHerfindahl, simulatedShares } from './accept-race.js';
import { createRandom } from './random.js';
import { type ModelTopology, type RaceMechanism, simulate } from './simulate.js';

/**
 * The accept race as a mechanism, fitted on some configurations and judged on others. Pure.
 *
 * One stickiness fitted on one configuration does not carry over (issue 14: fitted on 48-user,
 * 100 ms bursts it overshoots a 150-user, 300 ms burst by a third). What makes the worker that
 * accepted last win again is a race between two delays (engine/accept-race.ts has the formula):
 *
 *   the awake worker's way back to accept()        returnTime (real seconds, exponential)
 *   a sleeping sibling's wake-up after an arrival  wakeTime   (real seconds, exponential)
 *
 * against the time between two connections reaching the replica (the client's spacing of a
 * burst's connections, times the replicas the balancer deals them to). Both delays belong to
 * the machine and the server (its accept loop, the GIL, the scheduler); the spacing, the worker
 * count and the replica count come from the question, so that one pair of delays can answer for
 * burst sizes, worker counts and replica counts it was not fitted on (how well it does, measured
 * out of sample, is in harness/model/README.md, "The race as a mechanism"). Handler time and the time scale
 * enter through the arrival gaps: connections that arrive further apart in real time than the
 * return time meet an idle, sleeping worker and race uniformly.
 */

export interface RaceParameters {
  returnTime: number;
  wakeTime: number;
}

/** One configuration as measured: its model topology, burst, handler time and the outcome. */
export interface RaceObservation {
  name: string;
  topology: ModelTopology;
  users: number;
  /** Handler time, real seconds. */
  service: number;
  /** Real seconds between two of the burst's connections as the client sent them. */
  spacing: number;
  /** Per burst, per replica, the requests each worker served. */
  shares: number[][][];
  /** Per burst, each served request's wait (real seconds). */
  waits: number[][];
}

/** The figures a burst is judged on; the mean over bursts, and the band of one burst. */
export interface BurstFigures {
  herfindahl: number;
  meanWait: number;
  p95Wait: number;
  maxWait: number;
  makespan: number;
}
export const BURST_FIGURES = ['meanWait', 'p95Wait', 'maxWait', 'makespan'] as const;
export type BurstFigure = (typeof BURST_FIGURES)[number];

export interface ModelAnswer extends BurstFigures {
  /** 5th and 95th percentile of each figure across simulated bursts. */
  band: Record<BurstFigure, { p5: number; p95: number }>;
}

function figuresOf(waits: readonly number[], service: number): Omit<BurstFigures, 'herfindahl'> {
  const sorted = [...waits].sort((a, b) => a - b);
  let sum = 0;
  for (const w of sorted) sum += w;
  const max = sorted[sorted.length - 1] ?? Number.NaN;
  return {
    meanWait: sorted.length === 0 ? Number.NaN : sum / sorted.length,
    p95Wait: sorted.length === 0 ? Number.NaN : quantileSorted(sorted, 0.95),
    maxWait: max,
    makespan: max + service,
  };
}

/** The measured figures: each burst's, averaged over the bursts. */
export function measuredFigures(observation: RaceObservation): BurstFigures {
  const per = observation.waits.map((w) => figuresOf(w, observation.service));
  const mean = (f: BurstFigure) => per.reduce((sum, p) => sum + p[f], 0) / per.length;
  return {
    herfindahl: meanHerfindahl(observation.shares),
    meanWait: mean('meanWait'),
    p95Wait: mean('p95Wait'),
    maxWait: mean('maxWait'),
    makespan: mean('makespan'),
  };
}

/**
 * The model's answer for a configuration: `runs` seeded bursts, all connections arriving at
 * once in the model (the mechanism spaces them by `spacing` at the client), each handler taking
 * `service`. `race` is a mechanism or a plain stickiness.
 */
export function modelAnswer(
  observation: RaceObservation,
  race: RaceParameters | { stickiness: number },
  runs: number,
  seed = 1,
): ModelAnswer {
  const { topology, users, service } = observation;
  const arrivals = new Float64Array(users);
  const times = new Float64Array(users).fill(service);
  const behaviour =
    'stickiness' in race
      ? { stickiness: race.stickiness }
      : {
          race: {
            ...race,
            spacing: observation.spacing,
            timeScale: 1,
          } satisfies RaceMechanism,
        };
  const shares: number[][][] = [];
  const per: Array<Omit<BurstFigures, 'herfindahl'>> = [];
  for (let k = 0; k < runs; k++) {
    const result = simulate({
      topology,
      behaviour,
      arrivals,
      service: times,
      random: createRandom(seed + k),
    });
    shares.push(simulatedShares(result, topology));
    const waits: number[] = [];
    for (let i = 0; i < users; i++) {
      const start = result.start[i] as number;
      if (!Number.isNaN(start)) waits.push(start - (arrivals[i] as number));
    }
    per.push(figuresOf(waits, service));
  }
  const band = {} as ModelAnswer['band'];
  const means = {} as Record<BurstFigure, number>;
  for (const f of BURST_FIGURES) {
    const values = per.map((p) => p[f]).sort((a, b) => a - b);
    band[f] = { p5: quantileSorted(values, 0.05), p95: quantileSorted(values, 0.95) };
    means[f] = values.reduce((s, v) => s + v, 0) / values.length;
  }
  return { herfindahl: meanHerfindahl(shares), ...means, band };
}

/**
 * What a fit matches: the shares' concentration only (the race's own signature), or the shares
 * with the mean wait and the makespan of the measured bursts.
 */
export type RaceObjective = 'shares' | 'shares+waits';

/** Log-spaced values from `from` to `to`, `n` of them. */
function logSpace(from: number, to: number, n: number): number[] {
  const a = Math.log(from);
  const b = Math.log(to);
  return Array.from({ length: n }, (_, i) => Math.exp(a + ((b - a) * i) / (n - 1)));
}

/**
 * The race parameters whose simulated Herfindahl indices best match the measured ones over the
 * observations (least squares of the index, each scaled by its range 1/W..1 so that every
 * configuration weighs alike): a log grid over both delays, then a finer grid around the best.
 */
export function fitRace(
  observations: readonly RaceObservation[],
  runs = 60,
  objective: RaceObjective = 'shares',
): RaceParameters & { loss: number } {
  const measured = observations.map((o) => measuredFigures(o));
  const loss = (p: RaceParameters): number => {
    let sum = 0;
    observations.forEach((o, i) => {
      const m = measured[i] as BurstFigures;
      const range = 1 - 1 / o.topology.workers;
      if (objective === 'shares') {
        const h = modelHerfindahl(o, p, runs);
        sum += ((h - m.herfindahl) / range) ** 2;
        return;
      }
      const a = modelAnswer(o, p, runs);
      sum +=
        ((a.herfindahl - m.herfindahl) / range) ** 2 +
        ((a.meanWait - m.meanWait) / m.meanWait) ** 2 +
        ((a.makespan - m.makespan) / m.makespan) ** 2;
    });
    return sum / observations.length;
  };
  let best = { returnTime: 1e-3, wakeTime: 1e-3, loss: Number.POSITIVE_INFINITY };
  const search = (returns: number[], wakes: number[]): void => {
    for (const returnTime of returns)
      for (const wakeTime of wakes) {
        const l = loss({ returnTime, wakeTime });
        if (l < best.loss) best = { returnTime, wakeTime, loss: l };
      }
  };
  search(logSpace(1e-5, 1e-1, 13), logSpace(1e-5, 1, 11));
  const { returnTime, wakeTime } = best;
  search(
    logSpace(returnTime / 2.2, returnTime * 2.2, 7),
    logSpace(wakeTime / 3.2, wakeTime * 3.2, 7),
  );
  return best;
}

function modelHerfindahl(o: RaceObservation, p: RaceParameters, runs: number): number {
  const arrivals = new Float64Array(o.users);
  const times = new Float64Array(o.users).fill(o.service);
  const shares: number[][][] = [];
  for (let k = 0; k < runs; k++) {
    const result = simulate({
      topology: o.topology,
      behaviour: { race: { ...p, spacing: o.spacing, timeScale: 1 } },
      arrivals,
      service: times,
      random: createRandom(1 + k),
    });
    shares.push(simulatedShares(result, o.topology));
  }
  return meanHerfindahl(shares);
}
