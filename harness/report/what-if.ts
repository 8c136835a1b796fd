import { predictBurst } from '../model/predict.js';
import type { TopologySpec } from '../scenario/types.js';

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
}

export interface WhatIfInput {
  topologies: readonly TopologySpec[];
  users: number;
  /** Service time, scenario seconds. */
  service: number;
  seed: number;
  replications: number;
}

/** Replicas 1..bound: twice the largest replica count of the run, at least 8, at most 32. */
export function whatIfBound(topologies: readonly Pick<TopologySpec, 'replicas'>[]): number {
  const largest = Math.max(1, ...topologies.map((t) => t.replicas));
  return Math.min(32, Math.max(8, 2 * largest));
}

export function whatIfCurve(input: WhatIfInput): WhatIfPoint[] {
  const bound = whatIfBound(input.topologies);
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
        topology: shaped,
        users: input.users,
        service: input.service,
        seed: input.seed,
        replications: input.replications,
      });
      points.push({
        topology: topology.name,
        replicas,
        p95Wait: prediction.stats.p95Wait,
        meanWait: prediction.stats.meanWait,
        method: prediction.method,
        current: replicas === topology.replicas,
      });
    }
  }
  return points;
}
