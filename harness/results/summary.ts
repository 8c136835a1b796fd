import { isRealKind } from '../../targets/real/protocol.js';
import type { AcceptRaceChoice } from '../calibrate/calibration.js';
import { ERROR_KINDS, type ErrorKind } from '../load/error-kind.js';
import type { Prediction, PredictionMethod, Spread } from '../model/predict.js';
import type { WorkerShares } from '../model/worker-shares.js';
import type { MeasurementQuality } from '../observe/measurement-quality.js';
import type { Clock } from '../scenario/clock.js';
import { concurrencyOf, type Scenario, type TopologySpec } from '../scenario/types.js';
import {
  relativeError,
  summarizeWaits,
  WAIT_FIGURES,
  type WaitFigure,
  type WaitStats,
} from '../stats/waits.js';
import type { TopologyShape } from '../vocabulary.js';
import type { Attribution } from './attribution.js';
import { burstFigures } from './bursts.js';
import type { FanoutFigures } from './fanout-figures.js';
import { type FidelityRow, fidelityTable } from './fidelity.js';
import type { FigureFidelityRow } from './figure-fidelity.js';
import type { JobsFigures } from './jobs-figures.js';
import type { LifecycleParts } from './lifecycle-summary.js';
import type { LoadFigures, Percentiles } from './load-figures.js';
import type { RequestRecord } from './request-record.js';
import type { MergeBlock, ShardBlock } from './shard-state.js';

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
  /** The accept race the model used (harness/model/accept-race.ts) and where it came from. */
  acceptRace?: AcceptRaceChoice;
  /**
   * Each worker's share of the requests, mean and 5-95% band over the model's runs
   * (harness/model/worker-shares.ts); absent in runs from before it was kept.
   */
  workerShare?: WorkerShares;
}

export interface MeasuredFigures extends WaitStats {
  /** Mean and max of the time before the serving process accepted the connection. */
  acceptWait: { mean: number; max: number } | null;
  /** Mean and max of the time queued inside the server after it accepted. */
  serverQueue: { mean: number; max: number } | null;
  /**
   * With repeated bursts (scenario `repeat`): the figures above are the mean over the bursts,
   * `count` their requests together; these are each burst's own and each figure's range.
   */
  bursts?: WaitStats[];
  range?: Record<WaitFigure, { min: number; max: number }>;
  /**
   * "server": waits from the server's own clock (X-Server-Clock); "estimate": the target sent
   * no usable instrumentation and waits are the latency minus the handler time.
   */
  waitSource?: 'server' | 'estimate';
}

export type TopologyStatus = 'complete' | 'failed' | 'aborted';

/** One topology's figures; LifecycleParts adds the over-time and worker-life figures. */
export interface TopologySummary extends LifecycleParts, TopologyShape {
  name: string;
  kind: string;
  declaredKind: string;
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
  /** Scenarios with `jobs`: who ran the scheduled job, and the takeover after a kill. */
  jobs?: JobsFigures;
  /** Scenarios with `fanout`: which clients each event reached, and how fast. */
  fanout?: FanoutFigures;
  /** Bursts sent (scenario `repeat`); absent in runs from before repeats existed: 1. */
  bursts?: number;
  /**
   * Real seconds per scenario second this topology ran at when it had a time scale of its own
   * (the scenario's `topologies[].timeScale`); absent: the run's `timeScale`. Read it with
   * timeScaleOf.
   */
  timeScale?: number;
  /** The emulated counterpart of this real topology, added by `compareEmulated`: its name. */
  twinOf?: string | null;
  /** A target given by URL: where the load went; the harness started nothing. */
  url?: string | null;
  /** How busy the machine was while this topology ran (harness/observe/measurement-quality.ts). */
  measurementQuality?: MeasurementQuality;
  /** Measured minus predicted split into named parts (harness/results/attribution.ts). */
  attribution?: Attribution | null;
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
  /**
   * Real servers beside their emulation and the model, one row per real-server topology
   * (results/fidelity.ts); absent when the run had none.
   */
  fidelity?: FidelityRow[];
  /**
   * The scenario's own figures (recycles, time with fewer workers, boots and timeouts, time to
   * serving, job runs per slot, takeover gap) real beside emulated beside predicted, one row per
   * real-server topology that has any (results/figure-fidelity.ts); absent when none has.
   */
  figureFidelity?: FigureFidelityRow[];
  /** The accept-race calibration the model used (reports/calibration.json), if any. */
  calibration?: { file: string; state: string; note: string };
  /** A shard's run (--shard): its share of the plan, its start and clock (reports/README.md). */
  shard?: ShardBlock;
  /** A merged run (`merge`): the shards present and missing, their starts and clocks. */
  merge?: MergeBlock;
}

function meanMax(values: Array<number | null>): { mean: number; max: number } | null {
  const present = values.filter((v): v is number => v !== null);
  if (present.length === 0) return null;
  return { mean: present.reduce((a, b) => a + b, 0) / present.length, max: Math.max(...present) };
}

/**
 * Measured figures of a topology's requests; failed requests are counted, not averaged. Over
 * repeated bursts (records with `burst`), each figure is the mean of the bursts' figures.
 */
export function measure(records: readonly RequestRecord[]): MeasuredFigures {
  const ok = records.filter((r) => r.error === null && r.wait !== null);
  const repeated = records.some((r) => (r.burst ?? 0) > 0);
  const estimated = ok.some((r) => r.waitSource === 'estimate');
  let figures: WaitStats;
  const extra: Partial<MeasuredFigures> = {};
  if (repeated) {
    const bursts = burstFigures(records);
    figures = bursts.mean;
    extra.bursts = bursts.perBurst;
    extra.range = bursts.range;
  } else {
    const makespan = ok.reduce((last, r) => Math.max(last, r.complete ?? 0), 0);
    figures = summarizeWaits(
      ok.map((r) => r.wait as number),
      makespan,
    );
  }
  const measured: MeasuredFigures = {
    ...figures,
    acceptWait: meanMax(ok.map((r) => r.acceptWait)),
    serverQueue: meanMax(ok.map((r) => r.serverQueue)),
    ...extra,
  };
  if (estimated) measured.waitSource = 'estimate';
  return measured;
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
  /** Bursts sent; 1 when absent. */
  bursts?: number;
  acceptRace?: AcceptRaceChoice;
  /** Each worker's share over the model's runs (harness/model/worker-shares.ts). */
  workerShare?: WorkerShares;
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

/**
 * The same from a wait histogram in real microseconds and the load's span in real nanoseconds,
 * converted to scenario seconds by the run's clock.
 */
export function measureFromRealHistogram(
  wait: Percentiles,
  spanNs: number,
  clock: Clock,
): MeasuredFigures {
  const s = (us: number): number => clock.fromRealUs(us);
  return measureFromHistogram(
    {
      count: wait.count,
      mean: s(wait.mean),
      p50: s(wait.p50),
      p95: s(wait.p95),
      p99: s(wait.p99),
      max: s(wait.max),
    },
    clock.fromRealNs(spanNs),
  );
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
  if (outcome.acceptRace !== undefined) predicted.acceptRace = outcome.acceptRace;
  if (outcome.workerShare !== undefined) predicted.workerShare = outcome.workerShare;
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
    bursts: outcome.bursts ?? 1,
    twinOf: t.twinOf ?? null,
    url: t.url ?? null,
  };
}

/** The fidelity table of a run's topologies; undefined when none ran on real servers. */
export function summarizeFidelity(
  topologies: readonly TopologySummary[],
  scenario: Pick<Scenario, 'timeScale' | 'compareEmulated'> & { load: { executor: string } },
): FidelityRow[] | undefined {
  const { timeScale } = scenario;
  if (!topologies.some((t) => isRealKind(t.kind) && (t.url ?? null) === null)) return undefined;
  return fidelityTable(
    topologies
      .filter((t) => (t.url ?? null) === null)
      .map((t) => ({
        name: t.name,
        kind: t.kind,
        twinOf: t.twinOf ?? null,
        bursts: t.bursts ?? 1,
        executor: scenario.load.executor,
        measured: t.measured,
        measuredRange: t.measured.range ?? null,
        predicted: t.predicted,
        predictedSpread: t.predicted.spread ?? null,
        status: t.status,
        meanAcceptWait: t.measured.acceptWait?.mean ?? null,
        ...(timeScale === undefined ? {} : { timeScale: t.timeScale ?? timeScale }),
      })),
    isRealKind,
    scenario.compareEmulated,
  );
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
      time: `scenario seconds (1 scenario second = ${scenario.timeScale} real seconds${ownScales(scenario)})`,
      dispatchSpreadMs: 'real milliseconds',
    },
    load: scenario.load,
    service: scenario.service,
    environment,
    topologies: [],
  };
}

/** ", 1.5 on gthread-x10" for the topologies that run at a time scale of their own. */
function ownScales(scenario: Scenario): string {
  return scenario.topologies
    .filter((t) => t.timeScale !== undefined && t.timeScale !== scenario.timeScale)
    .map((t) => `, ${t.timeScale} on ${t.name}`)
    .join('');
}

/** The time scale a topology ran at: its own, or the run's. */
export function timeScaleOf(
  summary: Pick<RunSummary, 'timeScale'>,
  topology: Pick<TopologySummary, 'timeScale'>,
): number {
  return topology.timeScale ?? summary.timeScale;
}

/**
 * The time scale of a chart or table of several topologies: the run's when they all ran at it,
 * otherwise each topology's.
 */
export function sharedTimeScale(
  summary: Pick<RunSummary, 'timeScale'>,
  topologies: ReadonlyArray<Pick<TopologySummary, 'name' | 'timeScale'>>,
): number | Array<{ topology: string; timeScale: number }> {
  const scales = topologies.map((t) => ({ topology: t.name, timeScale: timeScaleOf(summary, t) }));
  return scales.every((s) => s.timeScale === summary.timeScale) ? summary.timeScale : scales;
}
