import { predictLoad } from '../model/predict-load.js';
import { createRandom, deriveSeed, STREAM } from '../model/random.js';
import { deploymentOf } from '../model/server-kinds.js';
import { distributionOf, sampleServiceTimes } from '../model/service-time.js';
import { serviceTableSize } from '../run/plan.js';
import { loadRequests } from '../scenario/load-schema.js';
import type { Scenario, TopologySpec } from '../scenario/types.js';

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

export interface WhatIfCurveInput {
  topologies: readonly TopologySpec[];
  /** The scenario as the run used it: its load, service and model settings. */
  scenario: Pick<Scenario, 'load' | 'service' | 'model'>;
  /** Cores CPU-bound handlers may use (the run's machine). */
  cores: number;
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

/** The run's replications, or fewer when the load is so large that they would exceed the budget. */
export function whatIfReplications(requests: number, bound: number, replications: number): number {
  return Math.max(1, Math.min(replications, Math.floor(WHAT_IF_BUDGET / (requests * bound))));
}

/**
 * The curve for every topology. Closed loops (closed users, throughput) have no wait prediction,
 * so their curve is empty.
 */
export function whatIfCurve(input: WhatIfCurveInput): WhatIfPoint[] {
  const { scenario } = input;
  const planned = loadRequests(scenario.load);
  if (planned === null) return [];
  const bound = whatIfBound(input.topologies);
  const replications = whatIfReplications(planned, bound, scenario.model.replications);
  const distribution = distributionOf(scenario.service);
  const serviceTimes = sampleServiceTimes(
    distribution,
    serviceTableSize(scenario.load),
    createRandom(deriveSeed(scenario.model.seed, STREAM.service)),
  );
  const points: WhatIfPoint[] = [];
  for (const topology of input.topologies) {
    for (let replicas = 1; replicas <= bound; replicas++) {
      // A balancer needs at least two replicas; with one, the policy plays no part.
      const shaped: TopologySpec = {
        ...topology,
        replicas,
        balancer: replicas === 1 ? 'round-robin' : topology.balancer,
      };
      const { waits } = predictLoad({
        topology: deploymentOf(shaped, { users: planned, work: scenario.service.work }),
        stickiness: input.stickiness?.[topology.name] ?? 0,
        load: scenario.load,
        distribution,
        serviceTimes,
        work: scenario.service.work,
        cores: input.cores,
        seed: scenario.model.seed,
        replications,
      });
      if (waits === null) continue;
      points.push({
        topology: topology.name,
        replicas,
        p95Wait: waits.stats.p95Wait,
        meanWait: waits.stats.meanWait,
        method: waits.method,
        current: replicas === topology.replicas,
        replications: waits.replications,
      });
    }
  }
  return points;
}
