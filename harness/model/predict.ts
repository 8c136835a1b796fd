import { quantileSorted } from 'simple-statistics';
import type { Work } from '../../targets/protocol.js';
import { summarizeWaits, WAIT_FIGURES, type WaitFigure, type WaitStats } from '../stats/waits.js';
import { roundRobinBurstWaits, sharedQueueBurst } from './burst.js';
import { UNLIMITED_CONNECTIONS } from './deployment.js';
import { createRandom, deriveSeed, STREAM } from './random.js';
import { describeService } from './service-syntax.js';
import { isConstant, type ServiceDistribution, sampleServiceTimes } from './service-time.js';
import {
  type EventLoopCost,
  type ModelTopology,
  type SimulationResult,
  simulate,
  type WorkerBehaviour,
} from './simulate.js';
import { sharedServers } from './topology.js';

/** How a predicted figure was obtained. */
export type PredictionMethod = 'closed-form' | 'simulation';

export interface BurstPredictionInput {
  topology: ModelTopology;
  users: number;
  /** Service time in scenario seconds. */
  service: number;
  seed: number;
  /** Simulation runs to average when the topology has random effects. */
  replications: number;
  /** How service times vary from request to request; constant `service` when absent. */
  distribution?: ServiceDistribution;
  /**
   * The service time each request of the measured run was given (seconds, by index): the first
   * simulated run uses exactly these, later runs draw fresh ones from `distribution`.
   */
  serviceTimes?: Float64Array;
  /** "sleep" (default) or "cpu": CPU-bound handlers share `cores`. */
  work?: Work;
  /** Cores of the machine the handlers run on, for work "cpu". */
  cores?: number;
  /**
   * Every run uses `serviceTimes` (only the model's own draws vary: accept races, a random
   * balancer): the prediction of the measured run itself rather than of a typical one.
   */
  sameInputs?: boolean;
  /** The accept race's stickiness (accept-race.ts); 0, the uniform race, when absent. */
  stickiness?: number;
  /** Recycling and timeouts (deployment.ts); with any, the burst is simulated. */
  behaviour?: Partial<WorkerBehaviour>;
  /** When each worker first accepts, for a cold start; with it, the burst is simulated. */
  firstUp?: Float64Array;
  /** The behaviour draws for itself (recycling jitter, which worker recycles): average runs. */
  randomBehaviour?: boolean;
  /** Scenario seconds after which a request not yet started counts as failed. */
  giveUpAfter?: number;
  /** Called with every simulated run (not with the closed form). */
  eachRun?: (result: SimulationResult, arrivals: Float64Array) => void;
}

/** The 5th and 95th percentile of a figure across simulation runs. */
export interface Spread {
  p5: number;
  p95: number;
}

export interface Prediction {
  method: PredictionMethod;
  /** Runs the figures are averaged over (1 for a closed form or a deterministic simulation). */
  replications: number;
  /** Mean over runs of each figure. */
  stats: WaitStats;
  /** Present when runs differ: how much each figure varies from run to run. */
  spread?: Record<WaitFigure, Spread>;
  /** One run's per-request prediction, by arrival index (the first seed). */
  sample: SimulationResult;
  /** Why the method was chosen, for the report. */
  note: string;
}

/** Where the model's own random draws change the waits (not just who serves). */
function hasRandomEffects(t: ModelTopology, constantService: boolean): boolean {
  return (
    !constantService ||
    (t.replicas > 1 && t.balancer === 'random') ||
    (t.kind === 'gthread' && t.workers > 1)
  );
}

/**
 * CPU-bound handlers run as if alone when no process runs two at once (one thread per process)
 * and every process can have its own core.
 */
function cpuUncontended(t: ModelTopology, cores: number): boolean {
  return (t.kind !== 'gthread' || t.threads === 1) && t.replicas * t.workers <= cores;
}

/** Service times for run k: the measured run's own for the first, fresh draws after. */
function servicesFor(input: BurstPredictionInput, k: number): Float64Array {
  if ((k === 0 || input.sameInputs === true) && input.serviceTimes !== undefined)
    return input.serviceTimes;
  const d = input.distribution ?? { kind: 'constant', mean: input.service };
  if (d.kind === 'constant') return new Float64Array(input.users).fill(d.mean);
  return sampleServiceTimes(
    d,
    input.users,
    createRandom(deriveSeed(input.seed + k, STREAM.service)),
  );
}

/**
 * Predicts a burst of `users` simultaneous requests: the exact closed form where every replica is
 * one shared queue, the balancer deals evenly (round robin, or least connections, which deals
 * round robin while nothing has finished), service is constant and handlers do not compete for
 * cores; otherwise a seeded simulation averaged over runs.
 */
export function predictBurst(input: BurstPredictionInput): Prediction {
  const { topology, users, service } = input;
  const work = input.work ?? 'sleep';
  const cores = input.cores ?? Number.POSITIVE_INFINITY;
  const stickiness = input.stickiness ?? 0;
  const arrivals = new Float64Array(users);
  const first = servicesFor(input, 0);
  const constantService =
    (input.distribution === undefined || isConstant(input.distribution)) &&
    first.every((s) => s === service);
  const servers = sharedServers(topology);
  const evenDeal = topology.replicas === 1 || topology.balancer !== 'random';
  const giveUp = input.giveUpAfter ?? Number.POSITIVE_INFINITY;
  // Settings the closed form does not know: a worker's life, a burst accepted whole or not.
  const beyondClosedForm =
    input.firstUp !== undefined ||
    (input.behaviour?.maxRequests ?? 0) > 0 ||
    (input.behaviour?.timeout ?? 0) > 0 ||
    input.behaviour?.wholeBurst !== undefined;
  const runOnce = (k: number): SimulationResult =>
    simulate({
      topology,
      behaviour: { ...input.behaviour, work, cores, stickiness },
      arrivals,
      service: k === 0 ? first : servicesFor(input, k),
      random: createRandom(input.seed + k),
      ...(input.firstUp === undefined ? {} : { firstUp: input.firstUp }),
    });

  if (
    !beyondClosedForm &&
    servers !== undefined &&
    evenDeal &&
    constantService &&
    (work === 'sleep' || cpuUncontended(topology, cores))
  ) {
    const waits = roundRobinBurstWaits(users, topology.replicas, servers, service);
    const perReplica = Math.ceil(users / topology.replicas);
    const busiest = sharedQueueBurst(perReplica, servers, service);
    const stats = summarizeWaits(waits, busiest.makespan);
    return {
      method: 'closed-form',
      replications: 1,
      stats,
      sample: runOnce(0),
      note: `each replica is one first-come-first-served queue for ${servers} server${servers === 1 ? '' : 's'}; the k-th request waits floor(k/${servers}) x service`,
    };
  }

  const runs =
    hasRandomEffects(topology, constantService || input.sameInputs === true) ||
    input.randomBehaviour === true
      ? input.replications
      : 1;
  const perRun: WaitStats[] = [];
  let sample: SimulationResult | undefined;
  for (let k = 0; k < runs; k++) {
    const result = runOnce(k);
    sample ??= result;
    perRun.push(statsOf(result, arrivals, giveUp));
    input.eachRun?.(result, arrivals);
  }
  const stats = averageStats(perRun);
  const notes: string[] = [];
  if (topology.kind === 'gthread' && topology.workers > 1)
    notes.push(
      gthreadRaceNote(input.behaviour?.race !== undefined, stickiness, topology.workerConnections),
    );
  const loop = input.behaviour?.loop;
  if (loop !== undefined) notes.push(eventLoopNote(loop));
  if (topology.replicas > 1 && topology.balancer === 'random')
    notes.push('the balancer picks a replica at random for each connection');
  if (!constantService)
    notes.push(
      `service times vary (${input.distribution === undefined ? 'as sent' : describeService(input.distribution)}); ${input.sameInputs === true ? 'every run uses the times the measured run sent' : 'the first run uses the times the measured run sent, later runs draw their own'}`,
    );
  if (work === 'cpu' && !cpuUncontended(topology, cores))
    notes.push(
      `CPU-bound handlers share ${cores} core${cores === 1 ? '' : 's'}, at most one per worker process (the GIL)`,
    );
  if (notes.length === 0) notes.push('a seeded simulation of the topology');
  const prediction: Prediction = {
    method: 'simulation',
    replications: runs,
    stats,
    sample: sample as SimulationResult,
    note: notes.join('; '),
  };
  if (runs > 1) prediction.spread = spreadOf(perRun);
  return prediction;
}

/**
 * Figures of one simulated run; requests that failed are left out of the waits, as measured, and
 * so are those started more than `giveUpAfter` after they arrived (their client gave up first).
 */
export function statsOf(
  result: SimulationResult,
  arrivals: Float64Array,
  giveUpAfter = Number.POSITIVE_INFINITY,
): WaitStats {
  const waits = new Float64Array(arrivals.length);
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (let i = 0; i < arrivals.length; i++) {
    const wait = (result.start[i] as number) - (arrivals[i] as number);
    waits[i] = result.status[i] === 0 && wait <= giveUpAfter ? wait : Number.NaN;
    first = Math.min(first, arrivals[i] as number);
    // A request never served (its workers never came up) or given up on does not end the run.
    if (wait <= giveUpAfter) last = Math.max(last, result.end[i] as number);
  }
  // No request served (workers that never came up): nothing ended, the makespan is 0 as measured.
  return summarizeWaits(waits, arrivals.length === 0 ? 0 : Math.max(0, last - first));
}

export function averageStats(runs: readonly WaitStats[]): WaitStats {
  const out = { ...(runs[0] as WaitStats) };
  for (const figure of WAIT_FIGURES) {
    out[figure] = runs.reduce((sum, run) => sum + run[figure], 0) / runs.length;
  }
  return out;
}

export function spreadOf(runs: readonly WaitStats[]): Record<WaitFigure, Spread> {
  const out = {} as Record<WaitFigure, Spread>;
  for (const figure of WAIT_FIGURES) {
    const values = runs.map((run) => run[figure]).sort((a, b) => a - b);
    out[figure] = { p5: quantileSorted(values, 0.05), p95: quantileSorted(values, 0.95) };
  }
  return out;
}

/**
 * How workers with queues of their own share a burst in the model, as a note: the race it runs.
 * `workerConnections` tells gthread workers (a cap) from uvicorn's (none: UNLIMITED_CONNECTIONS).
 */
export function gthreadRaceNote(
  mechanism: boolean,
  stickiness: number,
  workerConnections: number,
): string {
  const accepts =
    workerConnections >= UNLIMITED_CONNECTIONS
      ? "each worker accepts every connection it can (no per-worker limit, as uvicorn's) and queues them for its own handler slots"
      : 'each gthread worker accepts while under worker_connections and queues for its own threads';
  if (mechanism)
    return `${accepts}; whether the worker that accepted last wins the next connection follows the race mechanism (the accept race note says its fit)`;
  return stickiness > 0
    ? `${accepts}; a waiting connection goes to the worker that accepted the previous one with probability ${stickiness.toFixed(3)} (the calibrated accept race), else to one drawn at random`
    : `${accepts}; which worker accepts each connection is drawn at random`;
}

/** The event loop cost a topology's workers have in the model, as a note. */
export function eventLoopNote(loop: EventLoopCost): string {
  return `each worker's event loop spends ${Number((loop.cost * 1e3).toPrecision(3))} ms real on every accept, handler start and response, one at a time (measured on real uvicorn; harness/model/README.md, "The event loop's own time")`;
}
