import { ERROR_KINDS, type ErrorKind } from '../load/error-kind.js';
import type { Prediction, PredictionMethod, Spread } from '../model/predict.js';
import { concurrencyOf, type Scenario, type TopologySpec } from '../scenario/types.js';
import {
  relativeError,
  summarizeWaits,
  WAIT_FIGURES,
  type WaitFigure,
  type WaitStats,
} from '../stats/waits.js';
import type { LifecycleParts } from './lifecycle-summary.js';
import type { LoadFigures, Percentiles } from './load-figures.js';
import type { RequestRecord } from './request-record.js';

/**
 * summary.json: one object per run. Times are scenario seconds unless a field's name says
 * otherwise (`dispatchSpreadMs` is real milliseconds). scenarios/README.md documents each field.
 */
export const SUMMARY_SCHEMA_VERSION = 1;

/** The model's figures for a typical run (fresh random inputs each simulated run). */
export interface ExpectedFigures extends WaitStats {
  replications: number;
  spread?: Record<WaitFigure, Spread>;
}

export interface PredictedFigures extends WaitStats {
  /** `bound` when the load is a closed loop and only its throughput is bounded (waits are null). */
  method: PredictionMethod | 'bound';
  replications: number;
  spread?: Record<WaitFigure, Spread>;
  note: string;
  /**
   * Present when the run's inputs are random (Poisson arrivals, varying service times): the
   * figures of a typical run, over fresh inputs. The main figures above are the model given the
   * measured run's own inputs.
   */
  expected?: ExpectedFigures;
}

export interface MeasuredFigures extends WaitStats {
  /** Mean and max of the time before the serving process accepted the connection. */
  acceptWait: { mean: number; max: number } | null;
  /** Mean and max of the time queued inside the server after it accepted. */
  serverQueue: { mean: number; max: number } | null;
}

export type TopologyStatus = 'complete' | 'failed' | 'aborted';

/** One topology's figures; LifecycleParts adds the over-time and worker-life figures. */
export interface TopologySummary extends LifecycleParts {
  name: string;
  kind: string;
  declaredKind: string;
  workers: number;
  threads: number;
  replicas: number;
  balancer: string;
  workerConnections: number;
  backlog: number;
  concurrency: number;
  status: TopologyStatus;
  /** Why the topology did not complete, when it did not. */
  failure: string | null;
  requests: number;
  errors: number;
  errorsByKind: Record<ErrorKind, number>;
  dispatchSpreadMs: number | null;
  backOfEnvelope: number;
  predicted: PredictedFigures;
  measured: MeasuredFigures;
  /** (predicted - measured) / measured for each figure. */
  predictionError: Record<WaitFigure, number>;
  /** What the load measured beyond waits (throughput, latency, laws); null if it never ran. */
  load: LoadFigures | null;
}

export interface Environment {
  node: string;
  platform: string;
  cpus: number;
  cpuModel: string;
  commit: string | null;
  /** The 1, 5 and 15 minute load averages when the run started (absent in older runs). */
  loadAverage?: number[];
}

export interface RunSummary {
  schemaVersion: number;
  scenario: string;
  description: string;
  source: string;
  runId: string;
  startedAt: string;
  finishedAt: string | null;
  /** False until every topology ran; an interrupted or failed run keeps false. */
  complete: boolean;
  timeScale: number;
  units: { time: string; dispatchSpreadMs: string };
  load: Scenario['load'];
  service: Scenario['service'];
  environment: Environment;
  topologies: TopologySummary[];
}

function meanMax(values: Array<number | null>): { mean: number; max: number } | null {
  const present = values.filter((v): v is number => v !== null);
  if (present.length === 0) return null;
  return { mean: present.reduce((a, b) => a + b, 0) / present.length, max: Math.max(...present) };
}

/** Measured figures of a topology's requests; failed requests are counted, not averaged. */
export function measure(records: readonly RequestRecord[]): MeasuredFigures {
  const ok = records.filter((r) => r.error === null && r.wait !== null);
  const makespan = ok.reduce((last, r) => Math.max(last, r.complete ?? 0), 0);
  return {
    ...summarizeWaits(
      ok.map((r) => r.wait as number),
      makespan,
    ),
    acceptWait: meanMax(ok.map((r) => r.acceptWait)),
    serverQueue: meanMax(ok.map((r) => r.serverQueue)),
  };
}

export interface TopologyOutcome {
  topology: TopologySpec;
  records: readonly RequestRecord[];
  /**
   * Measured figures when the run kept histograms instead of every record; `records` is then
   * empty and these come from the histograms (quantiles within HdrHistogram's 0.1%).
   */
  measured?: MeasuredFigures;
  /** Requests and failures by class, when records were not kept. */
  counts?: { requests: number; errorsByKind: Partial<Record<ErrorKind, number>> };
  dispatchSpreadMs: number | null;
  /** The wait prediction; null for closed loops, whose arrivals depend on the responses. */
  prediction: Prediction | null;
  /** The prediction of a typical run, when the inputs are random. */
  expected?: Prediction | null;
  load: LoadFigures | null;
  backOfEnvelope: number;
  status: TopologyStatus;
  failure: string | null;
}

/** Measured figures from a load's wait histogram (microseconds) when records were not kept. */
export function measureFromHistogram(wait: Percentiles, span: number): MeasuredFigures {
  return {
    count: wait.count,
    meanWait: wait.mean,
    p50Wait: wait.p50,
    p95Wait: wait.p95,
    p99Wait: wait.p99,
    maxWait: wait.max,
    makespan: span,
    acceptWait: null,
    serverQueue: null,
  };
}

const NO_PREDICTION: WaitStats = {
  count: 0,
  meanWait: Number.NaN,
  p50Wait: Number.NaN,
  p95Wait: Number.NaN,
  p99Wait: Number.NaN,
  maxWait: Number.NaN,
  makespan: Number.NaN,
};

export function summarizeTopology(outcome: TopologyOutcome): TopologySummary {
  const { topology: t, records, prediction } = outcome;
  const measured = outcome.measured ?? measure(records);
  const errorsByKind = Object.fromEntries(ERROR_KINDS.map((k) => [k, 0])) as Record<
    ErrorKind,
    number
  >;
  for (const r of records) if (r.error !== null) errorsByKind[r.error] += 1;
  for (const [kind, n] of Object.entries(outcome.counts?.errorsByKind ?? {})) {
    errorsByKind[kind as ErrorKind] += n ?? 0;
  }
  const predicted: PredictedFigures =
    prediction === null
      ? {
          ...NO_PREDICTION,
          method: 'bound',
          replications: 0,
          note: 'closed loops send as responses allow: the model bounds their throughput and response time (see load) instead of predicting waits',
        }
      : {
          ...prediction.stats,
          method: prediction.method,
          replications: prediction.replications,
          note: prediction.note,
        };
  if (prediction?.spread !== undefined) predicted.spread = prediction.spread;
  const expected = outcome.expected;
  if (expected !== undefined && expected !== null) {
    predicted.expected = { ...expected.stats, replications: expected.replications };
    if (expected.spread !== undefined) predicted.expected.spread = expected.spread;
  }
  const predictionError = Object.fromEntries(
    WAIT_FIGURES.map((f) => [f, relativeError(predicted[f], measured[f])]),
  ) as Record<WaitFigure, number>;
  const requests = outcome.counts?.requests ?? records.length;
  return {
    name: t.name,
    kind: t.kind,
    declaredKind: t.declaredKind,
    workers: t.workers,
    threads: t.threads,
    replicas: t.replicas,
    balancer: t.balancer,
    workerConnections: t.workerConnections,
    backlog: t.backlog,
    concurrency: concurrencyOf(t),
    status: outcome.status,
    failure: outcome.failure,
    requests,
    errors: Object.values(errorsByKind).reduce((a, b) => a + b, 0),
    errorsByKind,
    dispatchSpreadMs: outcome.dispatchSpreadMs,
    backOfEnvelope: outcome.backOfEnvelope,
    predicted,
    measured,
    predictionError,
    load: outcome.load,
  };
}

export function startSummary(
  scenario: Scenario,
  runId: string,
  startedAt: Date,
  environment: Environment,
): RunSummary {
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    scenario: scenario.name,
    description: scenario.description,
    source: scenario.source,
    runId,
    startedAt: startedAt.toISOString(),
    finishedAt: null,
    complete: false,
    timeScale: scenario.timeScale,
    units: {
      time: `scenario seconds (1 scenario second = ${scenario.timeScale} real seconds)`,
      dispatchSpreadMs: 'real milliseconds',
    },
    load: scenario.load,
    service: scenario.service,
    environment,
    topologies: [],
  };
}
