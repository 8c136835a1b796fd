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
import type { RequestRecord } from './request-record.js';

/**
 * summary.json: one object per run. Times are scenario seconds unless a field's name says
 * otherwise (`dispatchSpreadMs` is real milliseconds). scenarios/README.md documents each field.
 */
export const SUMMARY_SCHEMA_VERSION = 1;

export interface PredictedFigures extends WaitStats {
  method: PredictionMethod;
  replications: number;
  spread?: Record<WaitFigure, Spread>;
  note: string;
}

export interface MeasuredFigures extends WaitStats {
  /** Mean and max of the time before the serving process accepted the connection. */
  acceptWait: { mean: number; max: number } | null;
  /** Mean and max of the time queued inside the server after it accepted. */
  serverQueue: { mean: number; max: number } | null;
}

export type TopologyStatus = 'complete' | 'failed' | 'aborted';

export interface TopologySummary {
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
}

export interface Environment {
  node: string;
  platform: string;
  cpus: number;
  cpuModel: string;
  commit: string | null;
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
  dispatchSpreadMs: number | null;
  prediction: Prediction;
  backOfEnvelope: number;
  status: TopologyStatus;
  failure: string | null;
}

export function summarizeTopology(outcome: TopologyOutcome): TopologySummary {
  const { topology: t, records, prediction } = outcome;
  const measured = measure(records);
  const errorsByKind = Object.fromEntries(ERROR_KINDS.map((k) => [k, 0])) as Record<
    ErrorKind,
    number
  >;
  for (const r of records) if (r.error !== null) errorsByKind[r.error] += 1;
  const predicted: PredictedFigures = {
    ...prediction.stats,
    method: prediction.method,
    replications: prediction.replications,
    note: prediction.note,
  };
  if (prediction.spread !== undefined) predicted.spread = prediction.spread;
  const predictionError = Object.fromEntries(
    WAIT_FIGURES.map((f) => [f, relativeError(prediction.stats[f], measured[f])]),
  ) as Record<WaitFigure, number>;
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
    requests: records.length,
    errors: records.filter((r) => r.error !== null).length,
    errorsByKind,
    dispatchSpreadMs: outcome.dispatchSpreadMs,
    backOfEnvelope: outcome.backOfEnvelope,
    predicted,
    measured,
    predictionError,
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
