import { executorOf } from '../load/executors/registry.js';
import { checkInteractiveLaw } from '../model/interactive-law.js';
import { checkLittlesLaw } from '../model/littles-law.js';
import type { Clock } from '../scenario/clock.js';
import type { LoadSpec } from '../scenario/types.js';
import type { Distribution } from '../stats/distribution.js';

/**
 * What a load measured beyond the wait figures every topology has, in scenario seconds unless a
 * field says otherwise: how much it completed, its latency timed from the intended start
 * (corrected for coordinated omission) and from the moment it was written (uncorrected), how late
 * the client was, and the operational laws checked on the measurement. Pure: the edge gives it
 * plain figures.
 */

/** Count, mean, percentiles and maximum of a set of durations, scenario seconds. */
export type Percentiles = Distribution;

export interface LawFigures {
  /** The law's left side as measured (L, or N̄). */
  measured: number;
  /** Its right side from the other measurements (λW, or X(R + Z)). */
  fromRates: number;
  relativeError: number;
  holds: boolean;
  tolerance: number;
}

export interface LoadFigures {
  executor: LoadSpec['executor'];
  sent: number;
  completed: number;
  failed: number;
  /** Requests written more than 1 ms (real) after their intended start. */
  late: number;
  /** Scenario seconds from the load's start until its last response. */
  span: number;
  /** Completed requests per scenario second over `span`. */
  throughput: number;
  /** Open loops: requests per scenario second the plan offered; null for the other executors. */
  offeredRate: number | null;
  /** From the intended start to the last byte of the response. */
  latency: Percentiles;
  /** From the moment the request was written, as a closed-loop tool would time it. */
  latencyUncorrected: Percentiles;
  /** Queue time (handler start) from the intended start and from the write. */
  wait: Percentiles;
  waitUncorrected: Percentiles;
  /** How late the client wrote requests, real milliseconds. */
  latenessMs: { p50: number; p99: number; max: number };
  /**
   * L = λW: the executor's time-average requests in flight against throughput x mean time in
   * flight from each request's own timestamps (handed to the client to last byte). A broken law
   * means requests were lost or counted twice, or clocks disagree.
   */
  littlesLaw: LawFigures | null;
  /** Closed users: N̄ = X(R + Z), with the figures it rests on. */
  interactiveLaw:
    | (LawFigures & { users: number; meanUsers: number; meanResponse: number; meanThink: number })
    | null;
  /**
   * Throughput loads: each connection's time between a response and its next request, real ms,
   * from K = X(R + turnaround). A closed loop's own cost, which Little's law would otherwise
   * count as a violation.
   */
  clientTurnaroundMs: number | null;
  /** The model's throughput for this load, and how it was obtained. */
  predictedThroughput: number;
  predictedThroughputMethod: 'arrival rate' | 'bound';
  /** Closed loops: the least mean response time the bounds allow. */
  predictedMinResponse: number | null;
}

/** A histogram's figures as the recorder gives them: microseconds of real time. */
export type MicrosFigures = Distribution;

export interface LoadFiguresInput {
  load: LoadSpec;
  /** Real seconds per scenario second. */
  clock: Clock;
  sent: number;
  completed: number;
  failed: number;
  late: number;
  /** Real nanoseconds from the start until the last response. */
  spanNs: number;
  /** Sum over completed requests of (complete − written), real ns: response times. */
  sojournNs: number;
  /** Sum over completed requests of (complete − dispatched), real ns: time in flight. */
  residenceNs: number;
  histograms: Record<
    'latency' | 'latencyUncorrected' | 'wait' | 'waitUncorrected' | 'lateness',
    MicrosFigures
  >;
  /** Time-average requests in flight by the executor's own count; absent when not counted. */
  meanInFlight?: number;
  /** With meanInFlight: the same sum as residenceNs over failed requests, real ns. */
  failedResidenceNs?: number;
  /** With meanInFlight: the real ns the count was averaged over (the executor's whole run). */
  inFlightSpanNs?: number;
  closed?: { users: number; thinkTotalNs: number; activeUserNs: number };
  /** Throughput loads: connections x pipelining, the requests always in flight. */
  alwaysInFlight?: number;
  prediction: { throughput: number; method: 'arrival rate' | 'bound'; minResponse: number | null };
}

/**
 * Tolerance of the law checks. Little's law compares two bookkeepings of the same requests (the
 * executor's in-flight count, the requests' own timestamps), which differ only by the run's edges;
 * the interactive law also carries the client's own time between a response and the next request.
 */
export const LAW_TOLERANCE = 0.05;

export function loadFigures(input: LoadFiguresInput): LoadFigures {
  const { clock } = input;
  const scenarioSeconds = (us: number): number => clock.fromRealUs(us);
  const percentiles = (h: MicrosFigures): Percentiles => ({
    count: h.count,
    mean: scenarioSeconds(h.mean),
    p50: scenarioSeconds(h.p50),
    p95: scenarioSeconds(h.p95),
    p99: scenarioSeconds(h.p99),
    max: scenarioSeconds(h.max),
  });
  const realSpan = input.spanNs / 1e9;
  const span = clock.fromRealSeconds(realSpan);
  const realRate = realSpan > 0 ? input.completed / realSpan : 0;
  const meanSojourn = input.completed > 0 ? input.sojournNs / input.completed / 1e9 : 0;
  const { load } = input;

  let littlesLaw: LawFigures | null = null;
  const inFlight = input.meanInFlight;
  const clientTurnaroundMs =
    input.alwaysInFlight !== undefined && realRate > 0
      ? (input.alwaysInFlight / realRate - meanSojourn) * 1000
      : null;
  // L = λW over every request that was in flight, completed or failed (a request that times out
  // is in flight until it does), and over the span the count was averaged over.
  const finished = input.completed + input.failed;
  const lawSpanNs = input.inFlightSpanNs ?? input.spanNs;
  if (
    input.alwaysInFlight === undefined &&
    inFlight !== undefined &&
    finished > 0 &&
    lawSpanNs > 0
  ) {
    const check = checkLittlesLaw({
      meanInSystem: inFlight,
      arrivalRate: finished / (lawSpanNs / 1e9),
      meanTimeInSystem: (input.residenceNs + (input.failedResidenceNs ?? 0)) / finished / 1e9,
      tolerance: LAW_TOLERANCE,
    });
    littlesLaw = {
      measured: check.meanInSystem,
      fromRates: check.predicted,
      relativeError: check.relativeError,
      holds: check.holds,
      tolerance: LAW_TOLERANCE,
    };
  }

  let interactiveLaw: LoadFigures['interactiveLaw'] = null;
  if (input.closed !== undefined && input.completed > 0 && input.spanNs > 0) {
    const meanUsers = input.closed.activeUserNs / input.spanNs;
    const meanThink = input.closed.thinkTotalNs / input.completed / 1e9;
    const check = checkInteractiveLaw({
      users: meanUsers,
      throughput: realRate,
      meanResponse: meanSojourn,
      meanThink,
      tolerance: LAW_TOLERANCE,
    });
    interactiveLaw = {
      users: input.closed.users,
      meanUsers,
      meanResponse: clock.fromRealSeconds(meanSojourn),
      meanThink: clock.fromRealSeconds(meanThink),
      measured: meanUsers,
      fromRates: check.predicted,
      relativeError: check.relativeError,
      holds: check.holds,
      tolerance: LAW_TOLERANCE,
    };
  }

  const lateness = input.histograms.lateness;
  return {
    executor: load.executor,
    sent: input.sent,
    completed: input.completed,
    failed: input.failed,
    late: input.late,
    span,
    throughput: span > 0 ? input.completed / span : 0,
    offeredRate: executorOf(load).offeredRate(load),
    latency: percentiles(input.histograms.latency),
    latencyUncorrected: percentiles(input.histograms.latencyUncorrected),
    wait: percentiles(input.histograms.wait),
    waitUncorrected: percentiles(input.histograms.waitUncorrected),
    latenessMs: { p50: lateness.p50 / 1000, p99: lateness.p99 / 1000, max: lateness.max / 1000 },
    littlesLaw,
    interactiveLaw,
    clientTurnaroundMs,
    predictedThroughput: input.prediction.throughput,
    predictedThroughputMethod: input.prediction.method,
    predictedMinResponse: input.prediction.minResponse,
  };
}
