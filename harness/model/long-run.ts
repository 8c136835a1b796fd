import { quantileSorted } from 'simple-statistics';
import { type ArrivalPlan, arrivalInstants } from './arrivals.js';
import type { EngineDeployment } from './deployment.js';
import { createRandom, deriveSeed, STREAM } from './random.js';
import { type ServiceDistribution, sampleServiceTimes } from './service-time.js';
import { simulate } from './simulate.js';

/**
 * What worker recycling costs over a long run at the scenario's rate, which a run of a minute or
 * two cannot show when workers recycle only every few thousand requests (max-requests 10,000):
 * the model simulates `horizon` seconds of the same steady arrivals and reports restarts, time
 * with fewer workers and the tail of the waits, means over a few runs.
 */

export interface LongRunInput {
  deployment: EngineDeployment;
  /** The steady arrivals to extend: a Poisson or a constant rate. */
  rate: number;
  process: 'poisson' | 'constant';
  distribution: ServiceDistribution;
  cores: number;
  seed: number;
  /** Seconds simulated per run. */
  horizon: number;
  runs: number;
}

export interface LongRunFigures {
  /** Seconds simulated per run, and runs. */
  horizon: number;
  runs: number;
  /** Worker exits per run (mean), and per hour of the horizon. */
  restarts: number;
  restartsPerHour: number;
  /** Seconds per run with fewer workers than configured, and with none (means). */
  timeBelowFull: number;
  timeAtZero: number;
  /** Share of the horizon with fewer workers: timeBelowFull / horizon. */
  shareBelowFull: number;
  /** Most workers down at once in any run. */
  mostDownAtOnce: number;
  /** Wait figures over every request of every run. */
  meanWait: number;
  p99Wait: number;
  maxWait: number;
}

export function longRun(input: LongRunInput): LongRunFigures {
  const { deployment, horizon } = input;
  const topology = deployment.topology;
  const workers = topology.replicas * topology.workers;
  const plan: ArrivalPlan =
    input.process === 'poisson'
      ? { kind: 'poisson', rate: input.rate, duration: horizon }
      : { kind: 'constant', rate: input.rate, duration: horizon };
  let restarts = 0;
  let below = 0;
  let zero = 0;
  let mostDown = 0;
  const waits: number[] = [];
  for (let k = 0; k < input.runs; k++) {
    const seed = input.seed + 1000 + k;
    const arrivals = arrivalInstants(plan, createRandom(deriveSeed(seed, STREAM.arrivals)));
    const service = sampleServiceTimes(
      input.distribution,
      arrivals.length,
      createRandom(deriveSeed(seed, STREAM.service)),
    );
    const result = simulate({
      topology,
      behaviour: { ...deployment.behaviour, cores: input.cores },
      arrivals,
      service,
      random: createRandom(seed),
    });
    let down = 0;
    let since = 0;
    for (const t of result.transitions) {
      const at = Math.min(t.at, horizon);
      if (down > 0) below += at - since;
      if (down === workers) zero += at - since;
      since = at;
      down += t.up ? -1 : 1;
      if (!t.up) restarts++;
      mostDown = Math.max(mostDown, down);
    }
    if (down > 0) below += horizon - Math.min(since, horizon);
    if (down === workers) zero += horizon - Math.min(since, horizon);
    for (let i = 0; i < arrivals.length; i++) {
      const wait = (result.start[i] as number) - (arrivals[i] as number);
      if (!Number.isNaN(wait) && result.status[i] === 0) waits.push(wait);
    }
  }
  waits.sort((a, b) => a - b);
  const runs = Math.max(1, input.runs);
  return {
    horizon,
    runs,
    restarts: restarts / runs,
    restartsPerHour: (restarts / runs) * (3600 / horizon),
    timeBelowFull: below / runs,
    timeAtZero: zero / runs,
    shareBelowFull: below / runs / horizon,
    mostDownAtOnce: mostDown,
    meanWait: waits.length === 0 ? Number.NaN : waits.reduce((a, b) => a + b, 0) / waits.length,
    p99Wait: waits.length === 0 ? Number.NaN : quantileSorted(waits, 0.99),
    maxWait: waits.length === 0 ? Number.NaN : (waits[waits.length - 1] as number),
  };
}
