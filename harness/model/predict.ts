import { quantileSorted } from 'simple-statistics';
import { summarizeWaits, WAIT_FIGURES, type WaitFigure, type WaitStats } from '../stats/waits.js';
import { roundRobinBurstWaits, sharedQueueBurst } from './burst.js';
import { createRandom } from './random.js';
import { type ModelTopology, type SimulationResult, simulate } from './simulate.js';

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

/** Servers that share one FCFS queue in a replica, or undefined when workers keep own queues. */
function sharedServers(t: ModelTopology): number | undefined {
  if (t.kind === 'gthread') return t.workers === 1 ? t.threads : undefined;
  return t.workers;
}

/** Where the model's own random draws change the waits (not just who serves). */
function hasRandomEffects(t: ModelTopology): boolean {
  return (t.replicas > 1 && t.balancer === 'random') || (t.kind === 'gthread' && t.workers > 1);
}

/**
 * Predicts a burst of `users` simultaneous requests with a constant service time: the exact
 * closed form where every replica is one shared queue and the balancer deals evenly (round robin,
 * or least connections, which deals round robin while nothing has finished), otherwise a seeded
 * simulation averaged over runs.
 */
export function predictBurst(input: BurstPredictionInput): Prediction {
  const { topology, users, service } = input;
  const arrivals = new Float64Array(users);
  const services = new Float64Array(users).fill(service);
  const servers = sharedServers(topology);
  const evenDeal = topology.replicas === 1 || topology.balancer !== 'random';
  const runOnce = (seed: number): SimulationResult =>
    simulate({ topology, arrivals, service: services, random: createRandom(seed) });

  if (servers !== undefined && evenDeal) {
    const waits = roundRobinBurstWaits(users, topology.replicas, servers, service);
    const perReplica = Math.ceil(users / topology.replicas);
    const busiest = sharedQueueBurst(perReplica, servers, service);
    const stats = summarizeWaits(waits, busiest.makespan);
    return {
      method: 'closed-form',
      replications: 1,
      stats,
      sample: runOnce(input.seed),
      note: `each replica is one first-come-first-served queue for ${servers} server${servers === 1 ? '' : 's'}; the k-th request waits floor(k/${servers}) x service`,
    };
  }

  const runs = hasRandomEffects(topology) ? input.replications : 1;
  const perRun: WaitStats[] = [];
  let sample: SimulationResult | undefined;
  for (let k = 0; k < runs; k++) {
    const result = runOnce(input.seed + k);
    sample ??= result;
    perRun.push(statsOf(result, arrivals));
  }
  const stats = averageStats(perRun);
  const prediction: Prediction = {
    method: 'simulation',
    replications: runs,
    stats,
    sample: sample as SimulationResult,
    note:
      topology.kind === 'gthread' && topology.workers > 1
        ? 'each gthread worker accepts while under worker_connections and queues for its own threads; which worker accepts each connection is drawn at random'
        : 'the balancer picks a replica at random for each connection',
  };
  if (runs > 1) prediction.spread = spreadOf(perRun);
  return prediction;
}

/** Figures of one simulated run. */
export function statsOf(result: SimulationResult, arrivals: Float64Array): WaitStats {
  const waits = new Float64Array(arrivals.length);
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (let i = 0; i < arrivals.length; i++) {
    waits[i] = (result.start[i] as number) - (arrivals[i] as number);
    first = Math.min(first, arrivals[i] as number);
    last = Math.max(last, result.end[i] as number);
  }
  return summarizeWaits(waits, arrivals.length === 0 ? 0 : last - first);
}

function averageStats(runs: readonly WaitStats[]): WaitStats {
  const out = { ...(runs[0] as WaitStats) };
  for (const figure of WAIT_FIGURES) {
    out[figure] = runs.reduce((sum, run) => sum + run[figure], 0) / runs.length;
  }
  return out;
}

function spreadOf(runs: readonly WaitStats[]): Record<WaitFigure, Spread> {
  const out = {} as Record<WaitFigure, Spread>;
  for (const figure of WAIT_FIGURES) {
    const values = runs.map((run) => run[figure]).sort((a, b) => a - b);
    out[figure] = { p5: quantileSorted(values, 0.05), p95: quantileSorted(values, 0.95) };
  }
  return out;
}
