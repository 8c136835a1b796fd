import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allenCunneenMeanWait } from './allen-cunneen.js';
import type { ArrivalPlan } from './arrivals.js';
import { cosmetatosMeanWait } from './cosmetatos.js';
import { type MmcInput, mmc, mmcWaitQuantile } from './erlang-c.js';
import type { ServiceDistribution } from './service-time.js';
import type { ModelTopology, WorkerBehaviour } from './simulate.js';
import { type StreamResult, simulateStream } from './simulate-stream.js';

/**
 * The simulator against every closed form it overlaps with, in steady state.
 *
 * Tolerance: each case runs REPLICATIONS independent runs (seeds 1..10) of 40,000 to 160,000
 * requests (more where the figure is a far tail or the load heavy), dropping the first 2,000 of each so the empty start does not bias the figures. The replication
 * means are independent, so their standard error is sd / √10; a figure passes when it is within
 * 4 standard errors of the closed form (a correct simulator fails with probability about 6e-5
 * per figure), plus the closed form's own error where it is an approximation. Each test also
 * checks that the standard error is under 3% of the value, so the tolerance cannot swallow a
 * real discrepancy.
 */
const REPLICATIONS = 10;
const WARMUP = 2_000;

const sync = (workers: number, replicas = 1): ModelTopology => ({
  kind: 'sync',
  workers,
  threads: 1,
  replicas,
  balancer: replicas > 1 ? 'random' : 'round-robin',
  workerConnections: 1000,
});

interface Estimate {
  mean: number;
  standardError: number;
}

function runs(
  topology: ModelTopology,
  rate: number,
  service: ServiceDistribution,
  behaviour: Partial<WorkerBehaviour> = {},
  requests = 40_000,
): StreamResult[] {
  const arrivals: ArrivalPlan = { kind: 'poisson', rate, duration: requests / rate };
  return Array.from({ length: REPLICATIONS }, (_, k) =>
    simulateStream({ topology, arrivals, service, seed: k + 1, warmup: WARMUP, behaviour }),
  );
}

function estimate(results: readonly StreamResult[], pick: (r: StreamResult) => number): Estimate {
  const values = results.map(pick);
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, standardError: Math.sqrt(variance / values.length) };
}

function agrees(estimate: Estimate, expected: number, what: string, modelError = 0): void {
  assert.ok(
    estimate.standardError < 0.03 * Math.abs(expected),
    `${what}: standard error ${estimate.standardError} too large to test against ${expected}`,
  );
  const tolerance = 4 * estimate.standardError + modelError * Math.abs(expected);
  assert.ok(
    Math.abs(estimate.mean - expected) <= tolerance,
    `${what}: simulated ${estimate.mean.toFixed(4)} vs ${expected.toFixed(4)} (tolerance ${tolerance.toFixed(4)})`,
  );
}

const exp2: ServiceDistribution = { kind: 'exponential', mean: 2 };

test('M/M/c: sync workers on one shared queue match Erlang C (mean, p95, p99, utilisation, L)', () => {
  const q: MmcInput = { arrivalRate: 1.6, serviceTime: 2, servers: 4 }; // ρ = 0.8
  const exact = mmc(q);
  const results = runs(sync(4), 1.6, exp2, {}, 160_000);
  agrees(
    estimate(results, (r) => r.figures.meanWait),
    exact.meanWait,
    'mean wait',
  );
  agrees(
    estimate(results, (r) => r.figures.p95Wait),
    mmcWaitQuantile(q, 0.95),
    'p95 wait',
  );
  agrees(
    estimate(results, (r) => r.figures.p99Wait),
    mmcWaitQuantile(q, 0.99),
    'p99 wait',
  );
  agrees(
    estimate(results, (r) => r.figures.utilisation),
    0.8,
    'utilisation',
  );
  agrees(
    estimate(results, (r) => r.figures.throughput),
    1.6,
    'throughput',
  );
  agrees(
    estimate(results, (r) => r.totals.inSystemArea / (r.totals.lastEnd - r.totals.firstArrival)),
    exact.meanInSystem,
    'time-average number in system',
  );
});

test('M/M/c: a random balancer splits Poisson arrivals into independent M/M/c replicas', () => {
  // 3 replicas x 2 workers at 2.7 req/s: each replica is M/M/2 at 0.9 req/s, ρ = 0.9.
  const q: MmcInput = { arrivalRate: 0.9, serviceTime: 2, servers: 2 };
  agrees(
    estimate(runs(sync(2, 3), 2.7, exp2, {}, 160_000), (r) => r.figures.meanWait),
    mmc(q).meanWait,
    'mean wait',
  );
});

test('M/M/c: gthread workers that accept only as many as their threads share one queue', () => {
  // 3 workers x 2 threads, worker_connections 2: one queue of 6 at 2.4 req/s, ρ = 0.8.
  const t: ModelTopology = {
    kind: 'gthread',
    workers: 3,
    threads: 2,
    replicas: 1,
    balancer: 'round-robin',
    workerConnections: 2,
  };
  agrees(
    estimate(runs(t, 2.4, exp2), (r) => r.figures.meanWait),
    mmc({ arrivalRate: 2.4, serviceTime: 2, servers: 6 }).meanWait,
    'mean wait',
  );
});

test('M/D/1 and M/G/1 match Pollaczek-Khintchine', () => {
  // Flask's dev server at ρ = 0.8: M/D/1 waits ρS/(2(1 − ρ)) = 4 s for S = 2.
  const flask: ModelTopology = { ...sync(1), kind: 'flask-dev' };
  agrees(
    estimate(runs(flask, 0.4, { kind: 'constant', mean: 2 }), (r) => r.figures.meanWait),
    (0.8 * 2) / (2 * 0.2),
    'M/D/1 mean wait',
  );
  // Lognormal cv 1: Pollaczek-Khintchine (= Allen-Cunneen at c = 1), ρ = 0.7.
  const lognormal: ServiceDistribution = { kind: 'lognormal', mean: 2, cv: 1 };
  agrees(
    estimate(runs(sync(1), 0.35, lognormal), (r) => r.figures.meanWait),
    allenCunneenMeanWait({
      arrivalRate: 0.35,
      serviceTime: 2,
      servers: 1,
      arrivalScv: 1,
      serviceScv: 1,
    }),
    'M/G/1 mean wait',
  );
});

// Cosmetatos is an approximation: Kimura (1991) reports errors of a few percent for s ≤ 20 in
// heavy traffic. At c = 4, ρ = 0.85 the allowance is 5% of the value on top of the statistics.
test('M/D/c agrees with the Cosmetatos approximation within its known error', () => {
  agrees(
    estimate(runs(sync(4), 1.7, { kind: 'constant', mean: 2 }), (r) => r.figures.meanWait),
    cosmetatosMeanWait({ arrivalRate: 1.7, serviceTime: 2, servers: 4 }),
    'M/D/4 mean wait',
    0.05,
  );
});

// One gthread worker with more threads than ever needed, CPU-bound handlers: the process is one
// processor-sharing server of rate 1, and M/G/1-PS has mean time in system S / (1 − ρ) whatever
// the service distribution (Kleinrock, Queueing Systems vol. 2, 1976, §4.4). ρ = 0.7, S = 1.
test('CPU-bound threads of one process match M/G/1 processor sharing', () => {
  const t: ModelTopology = {
    kind: 'gthread',
    workers: 1,
    threads: 256,
    replicas: 1,
    balancer: 'round-robin',
    workerConnections: 1000,
  };
  const sojourn = (r: StreamResult) => r.totals.sojournTime / r.totals.requests;
  agrees(
    estimate(
      runs(t, 0.7, { kind: 'lognormal', mean: 1, cv: 1.5 }, { work: 'cpu', cores: 2 }),
      sojourn,
    ),
    1 / (1 - 0.7),
    'M/G/1-PS mean time in system',
  );
});
