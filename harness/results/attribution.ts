import { createRandom } from '../model/random.js';
import {
  type ModelTopology,
  type SimulationResult,
  simulate,
  type WorkerBehaviour,
} from '../model/simulate.js';
import { summarizeWaits, type WaitStats } from '../stats/waits.js';
import { serverOverheads } from './hand-off.js';
import type { RequestRecord } from './request-record.js';

/**
 * Why measured and predicted differ, split into named parts that add up (issue 13). The model is
 * run again on the run's own measured inputs, one more at a time; each step's change in a figure
 * is that input's share of the difference, and what is left at the end is the model's own error:
 *
 *   predicted (a priori: every request at its intended instant, handlers as asked, the model's
 *              own draws of balancer and accept races, averaged over its runs)
 *   + arrivals      the same model given each request's measured written instant: the load
 *                   generator's lateness (intended start to written)
 *   + handlers      ... and each request's measured handler time: handlers running longer than
 *                   asked (timer lateness, a busy core)
 *   + assignment    ... and the measured worker of each request: this burst's draw of the
 *                   balancer and the accept race against the model's average. The model's
 *                   queueing logic is replayed with the assignment fixed (each worker a
 *                   first-come-first-served queue for its threads); simulate.ts draws the
 *                   assignment itself, so the replay lives here
 *   + server costs  ... and, on every thread, the measured mean delivery (written to handler
 *                   start of a request finding its thread free: relay, accept, parsing) and
 *                   the measured mean hand-off (previous end to start of a waiting request):
 *                   the apparatus inside the servers, which the model takes as zero; for the
 *                   makespan also the last response's measured way back to the load generator
 *   + residual      measured minus the last step: the model's own error
 *   = measured
 *
 * Steps that do not apply (a load that is not a burst, an async worker, no records) leave the
 * attribution out rather than guess. Figures are scenario seconds; the apparatus parts measured
 * directly are also given in real milliseconds, the unit the apparatus spends.
 */

export const ATTRIBUTION_FIGURES = ['meanWait', 'p95Wait', 'maxWait', 'makespan'] as const;
export type AttributionFigure = (typeof ATTRIBUTION_FIGURES)[number];
export type Figures = Record<AttributionFigure, number>;

/**
 * The model's own error as the tables print every error, (model - measured) / measured: the
 * model re-run on every measured input against the measurement, so the sign reads as the
 * a-priori row's does (negative: the model is low). It is -residualRelative.
 */
export function modelOwnError(a: Pick<Attribution, 'residualRelative'>): Figures {
  const r = a.residualRelative;
  return {
    meanWait: -r.meanWait,
    p95Wait: -r.p95Wait,
    maxWait: -r.maxWait,
    makespan: -r.makespan,
  };
}

export const ATTRIBUTION_CAUSES = ['arrivals', 'handlers', 'assignment', 'server costs'] as const;
export type AttributionCause = (typeof ATTRIBUTION_CAUSES)[number];

/** What each cause stands for, in the words the terminal and the report use. */
export const CAUSE_LABEL: Record<AttributionCause, string> = {
  arrivals: 'load generator lateness',
  handlers: 'handlers longer than asked',
  assignment: "this burst's balancer and accept draw",
  'server costs': 'relay and hand-off in the servers',
};

export interface AttributionStep {
  cause: AttributionCause;
  /** The model's figures once this input, and every one before it, is the measured one. */
  model: Figures;
  /** This step's change: the cause's share of measured minus predicted. */
  share: Figures;
}

/** The apparatus's parts measured directly from the records, in real milliseconds. */
export interface ApparatusParts {
  /** Written minus intended start: mean and max over requests. */
  lateness: { meanMs: number; maxMs: number };
  /** Handler time minus the time asked: mean over requests. */
  handlerOverrunMs: number;
  /** Written to handler start of requests that found their thread free (HandOff.delivery). */
  delivery: { meanMs: number; count: number };
  /** Previous end to handler start of requests that waited for their thread. */
  handOff: { meanMs: number; medianMs: number; count: number };
  /** The last handler's end to the last response complete at the load generator. */
  responseReturnMs: number;
  /** The server costs' share of the measured mean wait: the apparatus inside the servers. */
  serverCostShare: number;
  /**
   * Every apparatus part's share of the measured mean wait (load generator lateness, handlers
   * longer than asked, server costs), each by its size whichever way it moved the mean: what the
   * harness itself does to the figure users read, which issue 13 wants under 1%.
   */
  apparatusShare: number;
}

export interface Attribution {
  backOfEnvelope: number;
  predicted: Figures;
  steps: AttributionStep[];
  /** Measured minus the last step's model. */
  residual: Figures;
  /** Residual over measured: the model's own relative error once the parts above are out. */
  residualRelative: Figures;
  measured: Figures;
  apparatus: ApparatusParts;
  /** Requests the attribution rests on (served, with every instant measured). */
  requests: number;
}

export interface AttributionInput {
  /** The topology's measured records of one burst (the first, when bursts repeat). */
  records: readonly RequestRecord[];
  /** The topology and behaviour the prediction simulated (LoadPrediction.deployment). */
  topology: ModelTopology;
  behaviour: Partial<WorkerBehaviour>;
  /** Scenario seconds asked of request i's handler: entry i modulo the length. */
  serviceTimes: Float64Array;
  /** The a-priori prediction, scenario seconds. */
  predicted: WaitStats;
  backOfEnvelope: number;
  seed: number;
  /** Runs averaged where the model draws for itself (as the prediction did). */
  replications: number;
  /** Real seconds per scenario second, for the apparatus parts in real milliseconds. */
  timeScale: number;
}

interface Served {
  intended: number;
  arrival: number;
  /** The measured handler start. */
  start: number;
  asked: number;
  handler: number;
  replica: number;
  worker: number;
}

/**
 * The attribution of one topology's difference; null when it cannot be computed honestly: no
 * served request with all its instants, or a server kind whose assignment cannot be replayed
 * (async workers run every request at once; recycling and timeouts change who serves mid-run).
 */
export function attribute(input: AttributionInput): Attribution | null {
  const { topology } = input;
  if (topology.kind === 'async') return null;
  if ((input.behaviour.maxRequests ?? 0) > 0 || (input.behaviour.timeout ?? 0) > 0) return null;
  const served = servedRequests(input);
  if (served.length === 0) return null;
  const predicted = pick(input.predicted);
  const measured = measuredFigures(input.records);

  // Arrival order: the simulator takes non-decreasing instants.
  served.sort((a, b) => a.arrival - b.arrival);
  const arrivals = Float64Array.from(served, (s) => s.arrival);
  const intended = Float64Array.from(served, (s) => s.intended);
  const asked = Float64Array.from(served, (s) => s.asked);
  const handler = Float64Array.from(served, (s) => s.handler);

  const withArrivals = simulated(input, arrivals, asked, intended);
  const withHandlers = simulated(input, arrivals, handler, intended);
  const threads = topology.kind === 'gthread' ? topology.threads : 1;
  const withAssignment = replay(served, threads, 0, 0);
  const overheads = serverOverheads(input.records);
  const delivery = mean(overheads.delivery);
  const handOff = mean(overheads.handOff);
  // The makespan ends when the last response reached the load generator: its way back (the
  // relay, the generator's loop reading it) is measured directly, after the last handler ended.
  // (Both on the run's timeline: the makespan is the last response complete after the start.)
  const lastEnd = Math.max(...served.map((r) => r.start + r.handler));
  const responseReturn = Math.max(0, measured.makespan - lastEnd);
  const replayed = replay(served, threads, delivery, handOff);
  const withServerCosts = { ...replayed, makespan: replayed.makespan + responseReturn };
  const models: Array<[AttributionCause, Figures]> = [
    ['arrivals', withArrivals],
    ['handlers', withHandlers],
    ['assignment', withAssignment],
    ['server costs', withServerCosts],
  ];
  let previous = predicted;
  const steps: AttributionStep[] = models.map(([cause, model]) => {
    const step = { cause, model, share: minus(model, previous) };
    previous = model;
    return step;
  });
  const residual = minus(measured, previous);
  const toMs = input.timeScale * 1000;
  const lateness = served.map((s) => s.arrival - s.intended);
  return {
    backOfEnvelope: input.backOfEnvelope,
    predicted,
    steps,
    residual,
    residualRelative: map(residual, (value, figure) =>
      measured[figure] === 0 ? 0 : value / measured[figure],
    ),
    measured,
    apparatus: {
      lateness: { meanMs: mean(lateness) * toMs, maxMs: Math.max(...lateness) * toMs },
      handlerOverrunMs: mean(served.map((s) => s.handler - s.asked)) * toMs,
      delivery: { meanMs: delivery * toMs, count: overheads.delivery.length },
      handOff: {
        meanMs: handOff * toMs,
        medianMs: median(overheads.handOff) * toMs,
        count: overheads.handOff.length,
      },
      responseReturnMs: responseReturn * toMs,
      serverCostShare:
        measured.meanWait === 0
          ? 0
          : (withServerCosts.meanWait - withAssignment.meanWait) / measured.meanWait,
      // Each part counts by its size, whichever way it moved the mean: a load generator whose
      // lateness shortened the waits must not hide handlers that lengthened them.
      apparatusShare:
        measured.meanWait === 0
          ? 0
          : (Math.abs(withArrivals.meanWait - predicted.meanWait) +
              Math.abs(withHandlers.meanWait - withArrivals.meanWait) +
              Math.abs(withServerCosts.meanWait - withAssignment.meanWait)) /
            measured.meanWait,
    },
    requests: served.length,
  };
}

/** The first burst's figures as summary.ts measures them: waits of served requests, last response. */
function measuredFigures(records: readonly RequestRecord[]): Figures {
  const ok = records.filter((r) => (r.burst ?? 0) === 0 && r.error === null && r.wait !== null);
  const makespan = ok.reduce((last, r) => Math.max(last, r.complete ?? 0), 0);
  return pick(
    summarizeWaits(
      ok.map((r) => r.wait as number),
      makespan,
    ),
  );
}

/** The records that were served with every instant the steps need, first burst only. */
function servedRequests(input: AttributionInput): Served[] {
  const out: Served[] = [];
  for (const r of input.records) {
    if ((r.burst ?? 0) !== 0 || r.error !== null) continue;
    if (r.handlerStart === null || r.handlerEnd === null) continue;
    if (r.replica === null || r.worker === null) continue;
    const asked = input.serviceTimes[r.index % input.serviceTimes.length];
    if (asked === undefined) continue;
    out.push({
      intended: r.intendedStart,
      arrival: Math.max(r.intendedStart, r.written ?? r.intendedStart),
      start: r.handlerStart,
      asked,
      handler: r.handlerEnd - r.handlerStart,
      replica: r.replica,
      worker: r.worker,
    });
  }
  return out;
}

/**
 * The simulator on the given arrivals and handler times, averaged over the prediction's runs
 * where the model draws for itself (a deterministic topology gives the same figures each run).
 */
function simulated(
  input: AttributionInput,
  arrivals: Float64Array,
  service: Float64Array,
  intended: Float64Array,
): Figures {
  const runs = Math.max(1, input.replications);
  const sum: Figures = { meanWait: 0, p95Wait: 0, maxWait: 0, makespan: 0 };
  // Every request is the burst's: at their measured instants they still race as the calibrated
  // stickiness says a burst does (WorkerBehaviour.burstUntil), or the step for the load
  // generator's lateness would take in the race turned uniform.
  let last = Number.NEGATIVE_INFINITY;
  for (const a of arrivals) last = Math.max(last, a);
  const behaviour = { ...input.behaviour, burstUntil: last };
  for (let k = 0; k < runs; k++) {
    const result = simulate({
      topology: input.topology,
      behaviour,
      arrivals,
      service,
      random: createRandom(input.seed + k),
    });
    const figures = figuresOf(result.start, result.end, intended);
    for (const figure of ATTRIBUTION_FIGURES) sum[figure] += figures[figure] / runs;
  }
  return sum;
}

/**
 * The model's queueing logic with the measured assignment: each worker a first-come-first-
 * served queue (arrival order) for its `threads`, each request taking its measured handler time,
 * plus `delivery` before a request that finds a thread free and `handOff` before one that waited.
 * `served` is in arrival order.
 */
function replay(
  served: readonly Served[],
  threads: number,
  delivery: number,
  handOff: number,
): Figures {
  const free = new Map<string, Float64Array>();
  const start = new Float64Array(served.length);
  const end = new Float64Array(served.length);
  for (const [i, s] of served.entries()) {
    const key = `${s.replica}/${s.worker}`;
    let slots = free.get(key);
    if (slots === undefined) {
      slots = new Float64Array(threads).fill(Number.NEGATIVE_INFINITY);
      free.set(key, slots);
    }
    let earliest = 0;
    for (let t = 1; t < threads; t++)
      if ((slots[t] as number) < (slots[earliest] as number)) earliest = t;
    const freeAt = slots[earliest] as number;
    // As measured (hand-off.ts): a thread free when the request was written delivers it; one
    // still busy hands over to it.
    const begin = freeAt <= s.arrival ? s.arrival + delivery : freeAt + handOff;
    start[i] = begin;
    end[i] = begin + s.handler;
    slots[earliest] = end[i] as number;
  }
  return figuresOf(
    start,
    end,
    Float64Array.from(served, (s) => s.intended),
  );
}

/** Wait figures (start minus intended) and the makespan (last end after the first intent). */
function figuresOf(
  start: Float64Array | SimulationResult['start'],
  end: Float64Array,
  intended: Float64Array,
): Figures {
  const waits = new Float64Array(start.length);
  let last = Number.NEGATIVE_INFINITY;
  let first = Number.POSITIVE_INFINITY;
  for (let i = 0; i < start.length; i++) {
    waits[i] = (start[i] as number) - (intended[i] as number);
    last = Math.max(last, end[i] as number);
    first = Math.min(first, intended[i] as number);
  }
  return pick(summarizeWaits(waits, start.length === 0 ? 0 : last - first));
}

function pick(stats: WaitStats): Figures {
  return {
    meanWait: stats.meanWait,
    p95Wait: stats.p95Wait,
    maxWait: stats.maxWait,
    makespan: stats.makespan,
  };
}

function map(figures: Figures, f: (value: number, figure: AttributionFigure) => number): Figures {
  return {
    meanWait: f(figures.meanWait, 'meanWait'),
    p95Wait: f(figures.p95Wait, 'p95Wait'),
    maxWait: f(figures.maxWait, 'maxWait'),
    makespan: f(figures.makespan, 'makespan'),
  };
}

function minus(a: Figures, b: Figures): Figures {
  return map(a, (value, figure) => value - b[figure]);
}

function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
