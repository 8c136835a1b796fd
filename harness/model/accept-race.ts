import { createRandom } from './random.js';
import { type ModelTopology, type SimulationResult, simulate } from './simulate.js';

/**
 * The accept race: which worker of a replica accepts each connection of a burst. Pure.
 *
 * gunicorn's gthread workers, uvicorn's workers and the emulated gthread workers all wait on
 * the one listening socket and accept while they can. On a machine with few cores the worker
 * that is awake keeps winning accept() while its siblings are still being woken (gthread's main
 * loop accepts again at once; asyncio's accept loop takes every waiting connection in one go),
 * so a burst's connections split far less evenly than a uniform draw.
 *
 * The model: a connection already waiting in the kernel queue goes, with probability s (the
 * stickiness), to the worker that accepted the previous one if it still accepts; otherwise to
 * a worker drawn uniformly among those accepting. s = 0 is the uniform race; s -> 1 gives whole
 * bursts to one worker. Runs of one worker's accepts are then geometric, of mean 1 / (1 - s).
 *
 * s is a property of a machine and a server implementation, not of a deployment: it is
 * calibrated (harness/calibrate/) by measuring how concentrated the per-worker shares of
 * repeated bursts are on one neutral configuration, and choosing the s whose simulated shares
 * are as concentrated. Concentration is measured by the Herfindahl index of the shares,
 *   H = sum over workers of (accepted by the worker / accepted by the replica)^2,
 * which is 1/W for an even split and 1 when one worker takes everything (Herfindahl 1950,
 * Hirschman 1945; the usual market-concentration index).
 */

/** Herfindahl index of counts: sum of squared shares; NaN for an empty list or no total. */
export function herfindahl(counts: readonly number[]): number {
  let total = 0;
  for (const c of counts) total += c;
  if (total === 0) return Number.NaN;
  let h = 0;
  for (const c of counts) h += (c / total) ** 2;
  return h;
}

/**
 * Per replica, the connections each of its W workers accepted in one simulated run (requests
 * that never reached a worker are not counted).
 */
export function simulatedShares(result: SimulationResult, topology: ModelTopology): number[][] {
  const shares = Array.from({ length: topology.replicas }, () =>
    new Array<number>(topology.workers).fill(0),
  );
  for (let i = 0; i < result.worker.length; i++) {
    const r = result.replica[i] as number;
    const w = result.worker[i] as number;
    if (r < 0 || w < 0) continue;
    const row = shares[r] as number[];
    row[w] = (row[w] as number) + 1;
  }
  return shares;
}

/**
 * The mean Herfindahl index over bursts and replicas. Each burst is a list of replicas, each
 * replica the counts of its W workers (workers that accepted nothing included as 0). Replicas
 * that accepted nothing are left out.
 */
export function meanHerfindahl(bursts: ReadonlyArray<ReadonlyArray<readonly number[]>>): number {
  let sum = 0;
  let n = 0;
  for (const replicas of bursts)
    for (const counts of replicas) {
      const h = herfindahl(counts);
      if (Number.isNaN(h)) continue;
      sum += h;
      n += 1;
    }
  return n === 0 ? Number.NaN : sum / n;
}

export interface RaceQuestion {
  /** The configuration the shares were measured on. */
  topology: ModelTopology;
  /** Connections per burst. */
  users: number;
  /** Service time per request (seconds): long enough that a burst is accepted before any ends. */
  service: number;
  /** Simulated bursts per evaluation. */
  runs: number;
  seed: number;
}

/** The mean Herfindahl index the model gives for stickiness s, over `runs` seeded bursts. */
export function modelHerfindahl(question: RaceQuestion, stickiness: number): number {
  const { topology, users, service } = question;
  const arrivals = new Float64Array(users);
  const times = new Float64Array(users).fill(service);
  const bursts: number[][][] = [];
  for (let k = 0; k < question.runs; k++) {
    const result = simulate({
      topology,
      behaviour: { stickiness },
      arrivals,
      service: times,
      random: createRandom(question.seed + k),
    });
    bursts.push(simulatedShares(result, topology));
  }
  return meanHerfindahl(bursts);
}

export interface StickinessFit {
  stickiness: number;
  /** The model's mean Herfindahl index at the fitted stickiness, and at 0 (uniform) and 1. */
  modelHerfindahl: number;
  uniformHerfindahl: number;
  maxHerfindahl: number;
  /** Where the target lay: inside the model's range, or beyond one end (s clamped to it). */
  bound: 'inside' | 'below-uniform' | 'above-max';
}

/**
 * The stickiness whose simulated mean Herfindahl index equals `target`, by bisection: the index
 * grows with s (the same seeds at every s keep the comparison smooth). Clamped to 0 when the
 * measured shares are as even as a uniform draw or more, to 1 when the model cannot concentrate
 * them enough. `tolerance` is on s.
 */
export function fitStickiness(
  question: RaceQuestion,
  target: number,
  tolerance = 0.002,
): StickinessFit {
  const uniformHerfindahl = modelHerfindahl(question, 0);
  const maxHerfindahl = modelHerfindahl(question, 1);
  if (!(target > uniformHerfindahl))
    return {
      stickiness: 0,
      modelHerfindahl: uniformHerfindahl,
      uniformHerfindahl,
      maxHerfindahl,
      bound: 'below-uniform',
    };
  if (!(target < maxHerfindahl))
    return {
      stickiness: 1,
      modelHerfindahl: maxHerfindahl,
      uniformHerfindahl,
      maxHerfindahl,
      bound: 'above-max',
    };
  let lo = 0;
  let hi = 1;
  while (hi - lo > tolerance) {
    const mid = (lo + hi) / 2;
    if (modelHerfindahl(question, mid) < target) lo = mid;
    else hi = mid;
  }
  const stickiness = (lo + hi) / 2;
  return {
    stickiness,
    modelHerfindahl: modelHerfindahl(question, stickiness),
    uniformHerfindahl,
    maxHerfindahl,
    bound: 'inside',
  };
}
