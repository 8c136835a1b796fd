import { quantileSorted } from 'simple-statistics';
import { summarizeWaits, WAIT_FIGURES } from '../stats/waits.js';
import { allenCunneenMeanWait } from './allen-cunneen.js';
import { type ArrivalPlan, arrivalScv, expectedRequests } from './arrivals.js';
import { backOfEnvelope, roundRobinBurstWaits, sharedQueueBurst } from './burst.js';
import { cosmetatosMeanWait } from './cosmetatos.js';
import { isStable, type MmcInput, mmc, mmcWaitQuantile } from './erlang-c.js';
import { checkLittlesLaw } from './littles-law.js';
import { eventLoopNote, gthreadRaceNote, type Spread } from './predict.js';
import { isConstant, type ServiceDistribution, serviceMean, serviceScv } from './service-time.js';
import {
  behaviourProblems,
  type ModelIssue,
  type ModelTopology,
  type WorkerBehaviour,
} from './simulate.js';
import { type RunFigures, simulateStream, spanOf } from './simulate-stream.js';
import { serversOf, sharedServers } from './topology.js';

/**
 * The what-if calculator behind `npm run model`: every figure for one topology under one load,
 * each from the best method that applies, and the approximations that apply set beside the
 * simulation as checks. Pure: it takes the question and returns the answer.
 *
 *   burst, shared queues, even deal, constant service ──► burst closed form (exact)
 *   Poisson, shared queues, random split, exponential ──► Erlang C for mean, p50/p95/p99 wait and
 *                                                        utilisation (exact, steady state); the
 *                                                        rest simulated
 *   anything else                                     ──► seeded simulation, mean over runs
 *   Cosmetatos, Allen-Cunneen, Erlang C where they apply but are not exact ──► checks
 *   Little's law on the simulation's own bookkeeping                        ──► check
 */

export const WHAT_IF_FIGURES = [
  'count',
  ...WAIT_FIGURES,
  'throughput',
  'utilisation',
  'failed',
] as const;
export type WhatIfFigure = (typeof WHAT_IF_FIGURES)[number];

/** Which method produced a figure. */
export type MethodId = 'burst-closed-form' | 'erlang-c' | 'simulation';

export const METHOD_NAMES: Record<MethodId, string> = {
  'burst-closed-form': 'closed form: burst on shared FCFS queues, k-th waits floor(k/c) x S',
  'erlang-c': 'Erlang C, M/M/c in steady state (exact)',
  simulation: 'discrete-event simulation',
};

export interface WhatIfInput {
  topology: ModelTopology;
  arrivals: ArrivalPlan;
  service: ServiceDistribution;
  behaviour: WorkerBehaviour;
  seed: number;
  /** Simulation runs when the result depends on random draws. */
  replications: number;
  /** When each worker first accepts, for a load that starts while workers boot (boot.ts). */
  firstUp?: Float64Array;
}

/** An approximation or identity set beside the figure the result reports. */
export interface WhatIfCheck {
  name: string;
  figure: string;
  /** The approximation's or identity's value. */
  value: number;
  /** The reported (usually simulated) value it is compared with. */
  reported: number;
  /** (value − reported) / reported. */
  relativeDifference: number;
  note: string;
}

export interface WhatIfResult {
  figures: Record<WhatIfFigure, number>;
  methods: Record<WhatIfFigure, MethodId>;
  /** 5th and 95th percentile over simulation runs, for simulated figures with random effects. */
  spread?: Partial<Record<WhatIfFigure, Spread>>;
  /** Simulation runs the simulated figures average (0 when nothing was simulated). */
  replications: number;
  /** Requests simulated in all runs together. */
  simulatedRequests: number;
  /** False when some run's quantiles came from the bounded-memory histogram (within 0.39%). */
  exactQuantiles: boolean;
  /** Users / concurrency x mean service time, for bursts; null otherwise. */
  backOfEnvelope: number | null;
  checks: WhatIfCheck[];
  notes: string[];
}

/** Every problem with a question, before anything runs. */
export function whatIfProblems(input: WhatIfInput): ModelIssue[] {
  const problems = behaviourProblems(input.topology, input.behaviour);
  const t = input.topology;
  if (t.kind === 'flask-dev' && t.workers > 1)
    problems.push({
      field: 'workers',
      message: 'flask-dev is one process serving one request at a time',
      fix: 'drop workers, or use kind sync for several worker processes',
    });
  if (t.kind === 'flask-dev' && t.threads > 1)
    problems.push({
      field: 'threads',
      message: 'flask-dev here is the server run with threaded=False',
      fix: 'drop threads, or use kind gthread for a threaded server',
    });
  if (t.replicas === 1 && t.balancer !== 'round-robin')
    problems.push({
      field: 'balancer',
      message: 'a balancer needs more than one replica',
      fix: 'set replicas to 2 or more, or drop the balancer',
    });
  if (!(serviceMean(input.service) > 0))
    problems.push({
      field: 'service',
      message: 'the mean service time must be above 0',
      fix: 'e.g. 2s',
    });
  return problems;
}

function hasRandomEffects(input: WhatIfInput): boolean {
  const { topology: t, behaviour: b } = input;
  return (
    !isConstant(input.service) ||
    input.arrivals.kind === 'poisson' ||
    (t.replicas > 1 && t.balancer === 'random') ||
    (t.kind === 'gthread' && t.workers > 1 && t.workerConnections > t.threads) ||
    (b.maxRequests > 0 && b.maxRequestsJitter > 0) ||
    b.wholeBurst !== undefined
  );
}

/** Whether CPU-bound handlers can each have a core (one thread per process, processes <= cores). */
function cpuUncontended(t: ModelTopology, cores: number): boolean {
  return (t.kind !== 'gthread' || t.threads === 1) && t.replicas * t.workers <= cores;
}

/** The settings beyond the topology that the closed forms do not know. */
function plainWorkers(input: WhatIfInput): boolean {
  const b = input.behaviour;
  return (
    input.firstUp === undefined &&
    b.maxRequests === 0 &&
    b.timeout === 0 &&
    b.wholeBurst === undefined &&
    (b.work === 'sleep' || cpuUncontended(input.topology, b.cores))
  );
}

export function whatIf(input: WhatIfInput): WhatIfResult {
  const problems = whatIfProblems(input);
  if (problems.length > 0) throw new RangeError(problems.map((p) => p.message).join('; '));
  const { topology: t, arrivals } = input;
  const mean = serviceMean(input.service);
  // Behind an HTTP-mode balancer a request of a steady stream goes to the worker whose kept-alive
  // connection it is sent on, busy or not, so gthread's workers no longer share one queue (a
  // single burst opens every connection anew and still does).
  const reused = input.behaviour.reuse !== undefined && t.kind === 'gthread' && t.workers > 1;
  const servers = reused && arrivals.kind !== 'burst' ? undefined : sharedServers(t);
  const notes: string[] = [];
  const checks: WhatIfCheck[] = [];
  const burstOfEnvelope =
    arrivals.kind === 'burst'
      ? backOfEnvelope(arrivals.users, t.workers * t.threads * t.replicas, mean)
      : null;

  if (
    arrivals.kind === 'burst' &&
    servers !== undefined &&
    (t.replicas === 1 || t.balancer !== 'random') &&
    isConstant(input.service) &&
    plainWorkers(input)
  ) {
    notes.push(
      `each replica is one first-come-first-served queue for ${servers} server${servers === 1 ? '' : 's'}; a burst is dealt to replicas in turn`,
    );
    return {
      ...burstClosedForm(arrivals.users, t, servers, mean),
      replications: 0,
      simulatedRequests: 0,
      exactQuantiles: true,
      backOfEnvelope: burstOfEnvelope,
      checks,
      notes,
    };
  }

  const runs = hasRandomEffects(input) ? input.replications : 1;
  const perRun: RunFigures[] = [];
  let exactQuantiles = true;
  let simulatedRequests = 0;
  let area = 0;
  let sojourn = 0;
  let span = 0;
  let requests = 0;
  for (let k = 0; k < runs; k++) {
    const run = simulateStream({
      topology: t,
      behaviour: input.behaviour,
      arrivals,
      service: input.service,
      seed: input.seed + k,
      ...(input.firstUp === undefined ? {} : { firstUp: input.firstUp }),
    });
    perRun.push(run.figures);
    exactQuantiles &&= run.exactQuantiles;
    simulatedRequests += run.totals.requests;
    area += run.totals.inSystemArea;
    sojourn += run.totals.sojournTime;
    span += spanOf(run.totals);
    requests += run.totals.requests;
  }
  const figures = averageFigures(perRun);
  const methods = Object.fromEntries(WHAT_IF_FIGURES.map((f) => [f, 'simulation'])) as Record<
    WhatIfFigure,
    MethodId
  >;
  const result: WhatIfResult = {
    figures,
    methods,
    replications: runs,
    simulatedRequests,
    exactQuantiles,
    backOfEnvelope: burstOfEnvelope,
    checks,
    notes,
  };
  if (runs > 1) result.spread = spreadOf(perRun);

  notes.push(...behaviourNotes(input, servers));
  if (arrivals.kind !== 'burst') openClosedForms(input, servers, result);

  // Little's law on the simulation's bookkeeping: the time-average number in the system (summed
  // event by event) against arrival rate x mean time in system (summed request by request).
  if (span > 0 && requests > 0) {
    const little = checkLittlesLaw({
      arrivalRate: requests / span,
      meanTimeInSystem: sojourn / requests,
      meanInSystem: area / span,
    });
    checks.push({
      name: "Little's law L = λW",
      figure: 'meanInSystem',
      value: little.predicted,
      reported: little.meanInSystem,
      relativeDifference: (little.predicted - little.meanInSystem) / little.meanInSystem,
      note: little.holds
        ? 'the simulation accounts for every request'
        : 'the simulation lost track of requests: please report this',
    });
  }
  return result;
}

function burstClosedForm(
  users: number,
  t: ModelTopology,
  servers: number,
  service: number,
): Pick<WhatIfResult, 'figures' | 'methods'> {
  const waits = roundRobinBurstWaits(users, t.replicas, servers, service);
  const busiest = sharedQueueBurst(Math.ceil(users / t.replicas), servers, service);
  const stats = summarizeWaits(waits, busiest.makespan);
  const figures: Record<WhatIfFigure, number> = {
    ...stats,
    throughput: users / busiest.makespan,
    utilisation: (users * service) / (serversOf(t) * busiest.makespan),
    failed: 0,
  };
  const methods = Object.fromEntries(
    WHAT_IF_FIGURES.map((f) => [f, 'burst-closed-form']),
  ) as Record<WhatIfFigure, MethodId>;
  return { figures, methods };
}

function behaviourNotes(input: WhatIfInput, servers: number | undefined): string[] {
  const { topology: t, behaviour: b } = input;
  const notes: string[] = [];
  if (servers === undefined)
    notes.push(gthreadRaceNote(b.race !== undefined, b.stickiness, t.workerConnections));
  if (b.loop !== undefined) notes.push(eventLoopNote(b.loop));
  if (t.replicas > 1 && t.balancer === 'random')
    notes.push('the balancer picks a replica at random for each connection');
  if (!isConstant(input.service)) notes.push('service times are drawn per request');
  if (b.work === 'cpu' && !cpuUncontended(t, b.cores))
    notes.push(
      `CPU-bound handlers share ${b.cores} core${b.cores === 1 ? '' : 's'}, at most one per worker process (the GIL)`,
    );
  if (b.maxRequests > 0)
    notes.push(
      `workers recycle after ${b.maxRequests}${b.maxRequestsJitter > 0 ? ` + up to ${b.maxRequestsJitter}` : ''} requests and are back ${b.restartTime} s later`,
    );
  if (b.timeout > 0)
    notes.push(
      `a request running past ${b.timeout} s fails and its worker is replaced ${b.restartTime} s later`,
    );
  return notes;
}

/** Open arrivals: Erlang C where exact, the approximations as checks, stability. */
function openClosedForms(
  input: WhatIfInput,
  servers: number | undefined,
  result: WhatIfResult,
): void {
  const { topology: t, arrivals, service } = input;
  if (arrivals.kind === 'burst') return;
  if (arrivals.kind === 'stages') {
    result.notes.push(
      'a ramp has no steady state: every figure comes from the simulation of the ramp itself',
    );
    return;
  }
  const mean = serviceMean(service);
  const perReplicaRate = arrivals.rate / t.replicas;
  // Requests per second the topology can finish: every thread busy, or for CPU-bound handlers
  // every usable core (at most one per worker process).
  const capacity =
    input.behaviour.work === 'cpu'
      ? Math.min(input.behaviour.cores, t.replicas * t.workers) / mean
      : serversOf(t) / mean;
  if (arrivals.rate >= capacity) {
    result.notes.push(
      `arrivals (${arrivals.rate}/s) reach the topology's capacity (${capacity.toPrecision(3)}/s): the queue grows for the whole ${arrivals.duration} s, so every wait figure depends on the duration; no steady state exists`,
    );
    return;
  }
  if (servers === undefined || !plainWorkers(input)) return;
  const q: MmcInput = { arrivalRate: perReplicaRate, serviceTime: mean, servers };
  if (!isStable(q)) return;
  const splitKeepsPoisson = t.replicas === 1 || t.balancer === 'random';
  const reported = result.figures.meanWait;
  const check = (name: string, value: number, note: string) =>
    result.checks.push({
      name,
      figure: 'meanWait',
      value,
      reported,
      relativeDifference: reported === 0 ? 0 : (value - reported) / reported,
      note,
    });
  const poisson = arrivals.kind === 'poisson';
  if (poisson && splitKeepsPoisson && service.kind === 'exponential') {
    const simulated = { ...result.figures };
    const m = mmc(q);
    result.figures.meanWait = m.meanWait;
    result.figures.p50Wait = mmcWaitQuantile(q, 0.5);
    result.figures.p95Wait = mmcWaitQuantile(q, 0.95);
    result.figures.p99Wait = mmcWaitQuantile(q, 0.99);
    result.figures.utilisation = m.utilisation;
    for (const f of ['meanWait', 'p50Wait', 'p95Wait', 'p99Wait', 'utilisation'] as const) {
      result.methods[f] = 'erlang-c';
      if (result.spread !== undefined) delete result.spread[f];
    }
    result.checks.push({
      name: 'simulated mean wait',
      figure: 'meanWait',
      value: simulated.meanWait,
      reported: m.meanWait,
      relativeDifference: (simulated.meanWait - m.meanWait) / m.meanWait,
      note: `the simulation over ${arrivals.duration} s from an empty system, against the steady state`,
    });
    result.notes.push(
      `each replica is M/M/${servers} at ${perReplicaRate.toPrecision(4)} req/s (utilisation ${(m.utilisation * 100).toFixed(1)}%, ${(m.probabilityOfWaiting * 100).toFixed(1)}% of requests wait at all)`,
    );
    return;
  }
  if (poisson && splitKeepsPoisson && isConstant(service))
    check(
      'Cosmetatos (M/D/c approximation)',
      cosmetatosMeanWait(q),
      'accurate in heavy traffic; overestimates in light traffic and for many servers',
    );
  if (t.balancer === 'least-connections' && t.replicas > 1) {
    result.notes.push(
      'least-connections keeps replicas evener than any closed form here assumes; only the simulation covers it',
    );
    return;
  }
  const ca2 = poisson ? (splitKeepsPoisson ? 1 : 1 / t.replicas) : arrivalScv(arrivals);
  check(
    'Allen-Cunneen (G/G/c approximation)',
    allenCunneenMeanWait({ ...q, arrivalScv: ca2, serviceScv: serviceScv(service) }),
    `ca² = ${ca2.toPrecision(3)}${poisson && !splitKeepsPoisson ? ' (every R-th Poisson arrival: Erlang-R gaps)' : ''}, cs² = ${serviceScv(service).toPrecision(3)}`,
  );
}

function averageFigures(runs: readonly RunFigures[]): Record<WhatIfFigure, number> {
  const out = {} as Record<WhatIfFigure, number>;
  for (const f of WHAT_IF_FIGURES) {
    let sum = 0;
    for (const run of runs) sum += run[f];
    out[f] = sum / runs.length;
  }
  return out;
}

function spreadOf(runs: readonly RunFigures[]): Partial<Record<WhatIfFigure, Spread>> {
  const out: Partial<Record<WhatIfFigure, Spread>> = {};
  for (const f of WHAT_IF_FIGURES) {
    const values = runs.map((run) => run[f]).sort((a, b) => a - b);
    out[f] = { p5: quantileSorted(values, 0.05), p95: quantileSorted(values, 0.95) };
  }
  return out;
}

/** Requests a question would simulate in all, for budgets (before running anything). */
export function plannedRequests(input: WhatIfInput): number {
  return expectedRequests(input.arrivals) * (hasRandomEffects(input) ? input.replications : 1);
}
