import type { ErrorKind } from '../load/error-kind.js';
import type { PathSpec } from '../load/executor.js';
import type { RawRequest, RequestShape } from '../load/raw-request.js';
import { HISTOGRAMS, type HistogramName, type MicrosSummary } from '../load/recorder.js';
import { runLoad } from '../load/threads.js';
import type { Progress } from '../report/progress.js';
import type { LoadFiguresInput } from '../results/load-figures.js';
import {
  dispatchSpreadMs,
  type RequestRecord,
  toRequestRecord,
} from '../results/request-record.js';
import { type TargetClock, targetClockOf } from '../results/shard-state.js';
import { type MeasuredFigures, measureFromRealHistogram } from '../results/summary.js';
import type { ScenarioPlan } from './plan.js';

/** What one topology's load step measured, ready for the summary. */
export interface LoadStep {
  /** Every request's record, when the load kept them (empty in histogram mode). */
  records: RequestRecord[];
  /** Histogram mode: the wait figures and the request counts the records would have given. */
  measured?: MeasuredFigures;
  counts?: { requests: number; errorsByKind: Partial<Record<ErrorKind, number>> };
  dispatchSpreadMs: number | null;
  /** The load's own figures, before the model's throughput is set beside them. */
  load: Omit<LoadFiguresInput, 'load' | 'clock' | 'prediction'> | null;
  /** When the load started (monotonic ns): time zero of the records. */
  startNs?: bigint;
  /**
   * A shard's run (harness/run/shard.ts): each HDR histogram in HdrHistogram's compressed base64
   * encoding, for `merge` to add bucket by bucket. Absent outside shard runs.
   */
  encodedHistograms?: Record<HistogramName, string>;
  /** A shard's run: the target's clock as its requests saw it (null: no request carried it). */
  targetClock?: TargetClock | null;
}

export const NOTHING_MEASURED: LoadStep = { records: [], dispatchSpreadMs: null, load: null };

/**
 * Sends the scenario's load to a started topology and gathers what it measured: records (or
 * histograms), the dispatch spread of a burst, and the figures the operational laws need.
 */
export interface LoadStepOptions {
  /** A target given by URL: the one path every request asks for (no per-request service time). */
  fixedPath?: string;
  /** A user's app or a URL: the paths and request shape of the scenario's `request`. */
  userRequest?: { paths: PathSpec; request?: RequestShape };
  /** The burst's number when a topology repeats its burst (0 for the first). */
  burst?: number;
  /**
   * Adjusts the records once made: real servers and URL targets number their workers by pid, a
   * target without instrumentation has its waits estimated from the raw timeline.
   */
  adjust?: (records: RequestRecord[], raw: readonly RawRequest[]) => RequestRecord[];
  /** Hosts beyond loopback the user allowed with --allow-remote; the load layer refuses others. */
  allowRemote?: readonly string[];
  /** This run is one shard of the plan: send its share only (harness/run/shard.ts). */
  shard?: { index: number; count: number };
  /** Resolves to the monotonic instant to start the load at (a shard's --start-at). */
  startAt?: () => Promise<bigint>;
}

export async function runLoadStep(
  plan: ScenarioPlan,
  topology: string,
  origin: string,
  signal: AbortSignal,
  progress: Progress,
  options: LoadStepOptions = {},
): Promise<LoadStep> {
  const { clock, scenario, executor } = plan;
  const { load } = scenario;
  const keepRequests = load.record === 'requests';
  const result = await runLoad(plan.task, {
    origin,
    paths:
      options.userRequest?.paths ??
      (options.fixedPath === undefined ? plan.paths : { kind: 'fixed', path: options.fixedPath }),
    ...(options.userRequest?.request === undefined ? {} : { request: options.userRequest.request }),
    connectTimeoutMs: plan.targets.requestTimeoutMs,
    requestTimeoutMs: plan.targets.requestTimeoutMs,
    keepRequests,
    signal,
    onSettled: (settled, total) => progress.requests(settled, total),
    threads: load.threads,
    allowRemote: options.allowRemote ?? [],
    ...(options.shard === undefined ? {} : { shard: options.shard }),
    ...(options.startAt === undefined ? {} : { startAt: options.startAt }),
  });
  const { recorder } = result;
  const raw: RawRequest[] = keepRequests
    ? [...recorder.requests].sort((a, b) => a.index - b.index)
    : [];
  const made = raw.map((r) => {
    const record = toRequestRecord(r, topology, result.startNs, clock);
    const burst = options.burst ?? 0;
    if (burst > 0) record.burst = burst;
    return record;
  });
  const records = options.adjust === undefined ? made : options.adjust(made, raw);
  const histograms = Object.fromEntries(
    HISTOGRAMS.map((name) => [name, recorder.summary(name)]),
  ) as Record<HistogramName, MicrosSummary>;
  const throughput = result.throughput;
  const completed = throughput?.completed ?? recorder.counts.completed;
  const failed =
    throughput === undefined ? recorder.counts.failed : throughput.errors + throughput.non2xx;
  const spanNs = throughput !== undefined ? result.elapsedNs : Math.max(0, recorder.lastCompleteNs);
  const step: LoadStep = {
    startNs: result.startNs,
    records,
    dispatchSpreadMs: executor.dispatchSpread ? dispatchSpreadMs(raw.length > 0 ? raw : []) : null,
    load: {
      sent: result.sent,
      completed,
      failed,
      late: recorder.counts.late,
      spanNs,
      residenceNs:
        throughput === undefined
          ? recorder.residenceNs
          : throughput.latencyMs.mean * 1e6 * throughput.completed,
      sojournNs:
        throughput === undefined
          ? recorder.sojournNs
          : throughput.latencyMs.mean * 1e6 * throughput.completed,
      histograms:
        throughput === undefined
          ? histograms
          : throughputHistograms(throughput.latencyMs, completed, histograms),
      ...(result.meanInFlight === undefined
        ? {}
        : {
            meanInFlight: result.meanInFlight,
            failedResidenceNs: recorder.failedResidenceNs,
            inFlightSpanNs: result.elapsedNs,
          }),
      ...(result.closed === undefined ? {} : { closed: result.closed }),
      ...alwaysInFlightOf(throughput === undefined ? null : executor.alwaysInFlight(load)),
    },
  };
  if (options.shard !== undefined) {
    step.encodedHistograms = recorder.snapshot().histograms;
    step.targetClock = targetClockOf(raw, result.startNs);
  }
  if (!keepRequests) {
    step.measured = measureFromRealHistogram(histograms.wait, spanNs, clock);
    step.counts = {
      requests: result.sent,
      errorsByKind: recorder.counts.errors as Partial<Record<ErrorKind, number>>,
    };
  }
  return step;
}

/**
 * autocannon keeps its own latency histogram (milliseconds) and does not expose the server's
 * headers: its figures stand in for both latency views, and waits are unknown.
 */
function throughputHistograms(
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number },
  count: number,
  recorded: Record<HistogramName, MicrosSummary>,
): Record<HistogramName, MicrosSummary> {
  const latency: MicrosSummary = {
    count,
    mean: latencyMs.mean * 1000,
    p50: latencyMs.p50 * 1000,
    // autocannon reports p90 and p97.5 but no p95; the p99 is the nearer conservative figure.
    p95: latencyMs.p99 * 1000,
    p99: latencyMs.p99 * 1000,
    max: latencyMs.max * 1000,
  };
  return { ...recorded, latency, latencyUncorrected: latency };
}

function alwaysInFlightOf(inFlight: number | null): { alwaysInFlight?: number } {
  return inFlight === null ? {} : { alwaysInFlight: inFlight };
}
