import { performance } from 'node:perf_hooks';
import type { ArrivalPlan } from '../model/arrivals.js';
import type { ServiceDistribution } from '../model/service-time.js';
import type { ModelTopology, WorkerBehaviour } from '../model/simulate.js';
import { simulateStream } from '../model/simulate-stream.js';
import type { BenchFigure, Benchmark } from './benchmark.js';

/**
 * The simulator's speed in simulated requests per second (issue 3's goal: at least 1,000,000/s
 * on the team's 2-core machine), for topologies that exercise each part of the engine. Each case
 * runs once small to let V8 optimise, then timed; the figure is requests / wall time of the
 * timed run, statistics included.
 */

export const SPEED_GOAL = 1_000_000;

interface SpeedCase {
  name: string;
  topology: ModelTopology;
  arrivals: ArrivalPlan;
  service: ServiceDistribution;
  behaviour?: Partial<WorkerBehaviour>;
}

const topology = (t: Partial<ModelTopology>): ModelTopology => ({
  kind: 'sync',
  workers: 4,
  threads: 1,
  replicas: 3,
  balancer: 'round-robin',
  workerConnections: 1000,
  ...t,
});

/** Poisson arrivals at utilisation ρ of `servers` threads with mean service `mean`, n requests. */
const poisson = (n: number, rho: number, servers: number, mean: number): ArrivalPlan => {
  const rate = (rho * servers) / mean;
  return { kind: 'poisson', rate, duration: n / rate };
};

export const SPEED_CASES: SpeedCase[] = [
  {
    name: 'sync 4 x 3, round robin, Poisson ρ 0.9, exponential',
    topology: topology({}),
    arrivals: poisson(2_000_000, 0.9, 12, 2),
    service: { kind: 'exponential', mean: 2 },
  },
  {
    name: 'gthread 4x2 x 3, random, Poisson ρ 0.9, lognormal cv 1.5',
    topology: topology({ kind: 'gthread', threads: 2, balancer: 'random' }),
    arrivals: poisson(2_000_000, 0.9, 24, 2),
    service: { kind: 'lognormal', mean: 2, cv: 1.5 },
  },
  {
    name: 'gthread 4x2 x 10, least connections, burst of 1,000,000',
    topology: topology({
      kind: 'gthread',
      threads: 2,
      replicas: 10,
      balancer: 'least-connections',
    }),
    arrivals: { kind: 'burst', users: 1_000_000 },
    service: { kind: 'constant', mean: 2 },
  },
  {
    name: 'sync 4 x 3, CPU-bound on 2 cores, Poisson ρ 0.8 of the cores',
    topology: topology({}),
    arrivals: poisson(1_000_000, 0.8, 2, 0.1),
    service: { kind: 'exponential', mean: 0.1 },
    behaviour: { work: 'cpu', cores: 2 },
  },
  {
    name: 'sync 8, max-requests 500 + 50, timeout 10 s, restart 1 s, Poisson ρ 0.7',
    topology: topology({ workers: 8, replicas: 1 }),
    arrivals: poisson(1_000_000, 0.7, 8, 2),
    service: { kind: 'lognormal', mean: 2, cv: 1 },
    behaviour: { maxRequests: 500, maxRequestsJitter: 50, restartTime: 1, timeout: 10 },
  },
];

function scaled(plan: ArrivalPlan, factor: number): ArrivalPlan {
  if (plan.kind === 'burst') return { kind: 'burst', users: Math.ceil(plan.users * factor) };
  if (plan.kind === 'stages')
    return { ...plan, stages: plan.stages.map((s) => ({ ...s, duration: s.duration * factor })) };
  return { ...plan, duration: plan.duration * factor };
}

export const simulatorSpeed: Benchmark = {
  name: 'simulator-speed',
  description: 'simulated requests per second, streaming statistics included',
  run(log) {
    const figures: BenchFigure[] = [];
    for (const c of SPEED_CASES) {
      const input = { topology: c.topology, service: c.service, seed: 1 };
      const behaviour = c.behaviour === undefined ? {} : { behaviour: c.behaviour };
      simulateStream({ ...input, ...behaviour, arrivals: scaled(c.arrivals, 0.05) });
      const start = performance.now();
      const result = simulateStream({ ...input, ...behaviour, arrivals: c.arrivals });
      const seconds = (performance.now() - start) / 1000;
      const rate = result.totals.requests / seconds;
      log(
        `  ${c.name.padEnd(72)} ${result.totals.requests.toLocaleString('en-US').padStart(10)} requests in ${seconds.toFixed(2)} s = ${(rate / 1e6).toFixed(2)} M/s ${rate >= SPEED_GOAL ? '(goal met)' : '(below the 1 M/s goal)'}`,
      );
      figures.push({
        case: c.name,
        name: 'simulated requests per second',
        value: rate,
        unit: 'requests/s',
        goal: { op: '>=', value: SPEED_GOAL },
      });
    }
    return figures;
  },
};
