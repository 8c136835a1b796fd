import type { PathSpec } from '../load/executor.js';
import type { LoadTask } from '../load/run-load.js';
import { arrivalPlanOf, arrivalSeed } from '../model/predict-load.js';
import { MAX_REQUESTS, plannedRequests } from '../scenario/load-schema.js';
import type { LoadSpec, Scenario } from '../scenario/types.js';

/**
 * From a scenario's load (scenario seconds) to what the load generator runs (real time), and the
 * table of service times requests are sent with. Pure.
 */

/** Service times drawn per run: every request up to this many gets its own, later ones cycle. */
export const SERVICE_TABLE_SIZE = 65_536;

/** How many service times to draw for a load. */
export function serviceTableSize(load: LoadSpec): number {
  return Math.max(1, Math.min(plannedRequests(load) ?? SERVICE_TABLE_SIZE, SERVICE_TABLE_SIZE));
}

export function loadTaskOf(scenario: Scenario): LoadTask {
  const { load, timeScale } = scenario;
  const ns = timeScale * 1e9;
  switch (load.executor) {
    case 'burst':
      return { executor: 'burst', users: load.users, connections: load.connections };
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate': {
      const plan = arrivalPlanOf(load);
      if (plan === null) throw new Error('unreachable: an arrival-rate load has a plan');
      return {
        executor: 'open-loop',
        plan,
        seed: arrivalSeed(scenario.model.seed),
        nsPerScenarioSecond: ns,
        limit: MAX_REQUESTS,
        maxConnections: load.maxConnections,
      };
    }
    case 'closed-users':
      return {
        executor: 'closed-users',
        users: load.users,
        thinkNs: load.thinkTime * ns,
        think: load.think,
        seed: scenario.model.seed,
        ...(load.iterations === null ? {} : { iterations: load.iterations }),
        ...(load.duration === null ? {} : { durationNs: load.duration * ns }),
      };
    case 'throughput':
      return {
        executor: 'throughput',
        connections: load.connections,
        pipelining: load.pipelining,
        durationSeconds: load.duration * timeScale,
      };
  }
}

/**
 * The paths a load sends: each request asks the emulated target for its own service time (real
 * ms). The throughput executor repeats one request, so it asks for the mean.
 */
export function pathsOf(scenario: Scenario, serviceTimes: Float64Array): PathSpec {
  const realMs = (s: number): number => s * scenario.timeScale * 1000;
  const { work } = scenario.service;
  if (scenario.load.executor === 'throughput') {
    let sum = 0;
    for (const s of serviceTimes) sum += s;
    return { kind: 'fixed', path: `/work?ms=${realMs(sum / serviceTimes.length)}&work=${work}` };
  }
  return { kind: 'service', work, serviceMs: Array.from(serviceTimes, realMs) };
}
