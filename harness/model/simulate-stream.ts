import { WaitAccumulator } from '../stats/wait-accumulator.js';
import type { WaitStats } from '../stats/waits.js';
import { type ArrivalPlan, arrivalSource } from './arrivals.js';
import { createRandom, deriveSeed, STREAM } from './random.js';
import { type ServiceDistribution, serviceSampler } from './service-time.js';
import {
  type EngineTotals,
  type ModelTopology,
  runEngine,
  STATUS,
  type WorkerBehaviour,
} from './simulate.js';
import { serversOf } from './topology.js';

/**
 * One simulated run whose requests are folded into running figures as they end: no per-request
 * arrays, so memory stays bounded by the requests in the system at once whatever the length of
 * the run (see harness/bench/ for the figures at 10,000,000 requests).
 */

export interface StreamInput {
  topology: ModelTopology;
  behaviour?: Partial<WorkerBehaviour>;
  arrivals: ArrivalPlan;
  service: ServiceDistribution;
  /** Seeds the run: the core stream with the seed itself, service and arrivals derived. */
  seed: number;
  /** Requests (by arrival order) left out of the wait figures, to skip the empty start. */
  warmup?: number;
  /** Waits kept for exact quantiles before falling back to the histogram. */
  exactLimit?: number;
  /** When each worker first accepts (EngineInput.firstUp): a cold start. */
  firstUp?: Float64Array;
}

/** The figures of one run. Times in seconds. */
export interface RunFigures extends WaitStats {
  /** Requests that completed, per second from the first arrival to the last end. */
  throughput: number;
  /** Fraction of thread time busy: busy thread-seconds / (threads in all replicas x span). */
  utilisation: number;
  /** Requests that failed (timeouts). */
  failed: number;
}

export interface StreamResult {
  figures: RunFigures;
  totals: EngineTotals;
  /** Whether the quantiles are exact order statistics or read from the histogram. */
  exactQuantiles: boolean;
}

export function simulateStream(input: StreamInput): StreamResult {
  const waits = new WaitAccumulator(input.exactLimit);
  const warmup = input.warmup ?? 0;
  const serviceRandom = createRandom(deriveSeed(input.seed, STREAM.service));
  const sample = serviceSampler(input.service);
  const engine = {
    topology: input.topology,
    nextArrival: arrivalSource(
      input.arrivals,
      createRandom(deriveSeed(input.seed, STREAM.arrivals)),
    ),
    serviceOf: () => sample(serviceRandom),
    random: createRandom(input.seed),
    sink: {
      done(
        index: number,
        arrival: number,
        start: number,
        _end: number,
        _r: number,
        _w: number,
        _t: number,
        status: number,
      ) {
        if (status === STATUS.ok && index >= warmup) waits.add(start - arrival);
      },
    },
    ...(input.behaviour === undefined ? {} : { behaviour: input.behaviour }),
    ...(input.firstUp === undefined ? {} : { firstUp: input.firstUp }),
  };
  const totals = runEngine(engine);
  return {
    figures: figuresOf(waits.stats(spanOf(totals)), totals, input.topology),
    totals,
    exactQuantiles: waits.exact,
  };
}

/** From the first arrival to the last end; 0 for an empty run. */
export function spanOf(totals: EngineTotals): number {
  return totals.requests === 0 ? 0 : totals.lastEnd - totals.firstArrival;
}

export function figuresOf(
  stats: WaitStats,
  totals: EngineTotals,
  topology: ModelTopology,
): RunFigures {
  const span = spanOf(totals);
  return {
    ...stats,
    throughput: span > 0 ? totals.ok / span : Number.NaN,
    utilisation: span > 0 ? totals.busyTime / (serversOf(topology) * span) : Number.NaN,
    failed: totals.timeouts,
  };
}
