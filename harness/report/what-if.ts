import { predictBurst } from '../model/predict.js';
import { modelTopologyOf } from '../model/server-kinds.js';
import type { TopologySpec, Work } from '../scenario/types.js';

/**
 * The what-if curve: the model's p95 wait for this load if the topology had 1, 2, ... replicas,
 * everything else equal. Computed when the report is built, from the scenario the run used,
 * with the run's seed and replications: the model is pure and seeded, so the curve is the same
 * every time the report is rebuilt with the same model, and the run does not spend time on it.
 */

export interface WhatIfPoint {
  topology: string;
  replicas: number;
  p95Wait: number;
  meanWait: number;
  method: string;
  /** The number of replicas the run used. */
  current: boolean;
  /** Simulation runs averaged for this point (fewer than the run's for very large bursts). */
  replications: number;
}

export interface WhatIfInput {
  topologies: readonly TopologySpec[];
  users: number;
  /** Service time, scenario seconds. */
  service: number;
  seed: number;
  replications: number;
  /** The handlers' work (the uvicorn kinds' async endpoints depend on it); sleep when absent. */
  work?: Work;
  /** The accept race's stickiness the run used, by topology name; 0 when absent. */
  stickiness?: Readonly<Record<string, number>>;
}

/** Replicas 1..bound: twice the largest replica count of the run, at least 8, at most 32. */
export function whatIfBound(topologies: readonly Pick<TopologySpec, 'replicas'>[]): number {
  const largest = Math.max(1, ...topologies.map((t) => t.replicas));
  return Math.min(32, Math.max(8, 2 * largest));
}

/**
 * Requests simulated per topology at most, summed over replica counts and replications, so that
 * a report of a very large burst is still built in about a second per topology.
 */
export const WHAT_IF_BUDGET = 2_000_000;

/** The run's replications, or fewer when the burst is so large that they would exceed the budget. */
export function whatIfReplications(users: number, bound: number, replications: number): number {
  return Math.max(1, Math.min(replications, Math.floor(WHAT_IF_BUDGET / (users * bound))));
}

export function whatIfCurve(input: WhatIfInput): WhatIfPoint[] {
  const bound = whatIfBound(input.topologies);
  const replications = whatIfReplications(input.users, bound, input.replications);
  const points: WhatIfPoint[] = [];
  for (const topology of input.topologies) {
    for (let replicas = 1; replicas <= bound; replicas++) {
      // A balancer needs at least two replicas; with one, the policy plays no part.
      const shaped: TopologySpec = {
        ...topology,
        replicas,
        balancer: replicas === 1 ? 'round-robin' : topology.balancer,
      };
      const prediction = predictBurst({
        topology: modelTopologyOf(shaped, { users: input.users, work: input.work ?? 'sleep' }),
        stickiness: input.stickiness?.[topology.name] ?? 0,
        users: input.users,
        service: input.service,
        seed: input.seed,
        replications,
      });
      points.push({
        topology: topology.name,
        replicas,
        p95Wait: prediction.stats.p95Wait,
        meanWait: prediction.stats.meanWait,
        method: prediction.method,
        current: replicas === topology.replicas,
        replications: prediction.replications,
      });
    }
  }
  return points;
}
