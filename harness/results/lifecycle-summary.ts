import type { ServerVersion } from '../../targets/protocol.js';
import type { EngineDeployment } from '../model/deployment.js';
import { asyncHandlerSlots } from '../model/deployment.js';
import { type LongRunFigures, type LongRunInput, longRun } from '../model/long-run.js';
import type { LoadPrediction } from '../model/predict-load.js';
import type { SimulationResult } from '../model/simulate.js';
import type { AsyncWorkerSpec, TopologyLifecycle, TopologySpec } from '../scenario/types.js';
import { type OverTime, type TimedRequest, windowsOf, windowWidth } from './over-time.js';
import type { RequestRecord } from './request-record.js';
import {
  countsFromEvents,
  countsFromModel,
  type LifeEvent,
  liveStepsFromEvents,
  liveStepsFromModel,
  type WorkerLifeFigures,
  workerLifeFigures,
} from './worker-life.js';

/**
 * The parts of a topology's summary that follow its requests and workers over time
 * (reports/README.md, "Over time, worker life and handlers at once"): windows of throughput and
 * latency, the workers' lives, and how many handlers ran at once, measured beside the model's
 * first simulated run. Pure.
 */

export interface HandlersAtOnce {
  /** Most handlers running at one instant, from each request's handler start and end. */
  measured: number | null;
  /** The same in the model's first simulated run. */
  predicted: number | null;
  /** Most the model lets run at once: workers x handlers per worker x replicas. */
  modelLimit: number;
  /** What the sizing notes claim (the topology's claimedConcurrency), if given. */
  claimed: number | null;
  /**
   * The app's own count (X-Handlers-At-Once): each worker process's highest, summed over the
   * processes; absent when no response carried it (only the bundled FastAPI app sends it).
   */
  appCounted?: AppCounted;
}

export interface AppCounted {
  /** The sum over worker processes of each one's highest count. */
  total: number;
  /** Each process's highest count, by replica and pid, highest first. */
  perProcess: Array<{ replica: number | null; pid: number | null; most: number }>;
}

/** Per worker process, the most requests in handlers at once that its app counted. Pure. */
export function appCounted(
  records: ReadonlyArray<Pick<RequestRecord, 'replica' | 'pid' | 'handlersAtOnce'>>,
): AppCounted | null {
  const most = new Map<string, { replica: number | null; pid: number | null; most: number }>();
  for (const r of records) {
    if (r.handlersAtOnce === undefined) continue;
    const key = `${r.replica}/${r.pid}`;
    const seen = most.get(key);
    if (seen === undefined)
      most.set(key, { replica: r.replica, pid: r.pid, most: r.handlersAtOnce });
    else seen.most = Math.max(seen.most, r.handlersAtOnce);
  }
  if (most.size === 0) return null;
  const perProcess = [...most.values()].sort((a, b) => b.most - a.most);
  return { total: perProcess.reduce((sum, p) => sum + p.most, 0), perProcess };
}

/** The model's worker-life figures: the mean over its simulated runs of each figure. */
export type PredictedWorkerLife = WorkerLifeFigures & {
  runs: number;
  /** Recycling over hours at the run's rate (harness/model/long-run.ts), when workers recycle. */
  longRun?: LongRunFigures;
};

export interface LifecycleParts {
  /** Real servers: the name and version of each server that ran ("gunicorn" "20.1.0"). */
  servers?: ServerVersion[];
  /** The topology's lifecycle settings, as run (scenario seconds). */
  lifecycle?: TopologyLifecycle;
  /** Kind async: its handler style and thread pool. */
  asyncWorker?: AsyncWorkerSpec;
  overTime?: OverTime;
  /** The worker life events the arbiters reported during the load (measured). */
  workerEvents?: LifeEvent[];
  workerLife?: { measured: WorkerLifeFigures; predicted: PredictedWorkerLife | null };
  handlersAtOnce?: HandlersAtOnce;
}

export interface LifecycleInput {
  topology: TopologySpec;
  records: readonly RequestRecord[];
  prediction: LoadPrediction;
  /** The model's arrival instants by request index (scenario seconds). */
  arrivals: Float64Array;
  events: readonly LifeEvent[];
  /** limits.requestTimeout: a request the model starts later than this failed. */
  requestTimeout: number;
  /** Every simulated run of the prediction, for worker-life figures averaged over runs. */
  runs: ReadonlyArray<{ result: SimulationResult; arrivals: Float64Array }>;
  /** The steady load to extend over hours when workers recycle; absent for other loads. */
  longRun?: Omit<LongRunInput, 'deployment'>;
  /** Real servers: what ran, as the replicas reported it. */
  servers?: readonly ServerVersion[];
}

/** The servers every replica reported, each name once (replicas run the same ones). */
export function serversOf(replicas: ReadonlyArray<{ servers?: ServerVersion[] }>): ServerVersion[] {
  const out: ServerVersion[] = [];
  for (const r of replicas)
    for (const s of r.servers ?? [])
      if (!out.some((o) => o.name === s.name && o.version === s.version)) out.push(s);
  return out;
}

/** Greatest number of intervals [start, end) open at one instant. */
export function mostAtOnce(intervals: ReadonlyArray<readonly [number, number]>): number {
  const edges: Array<[number, number]> = [];
  for (const [start, end] of intervals) edges.push([start, 1], [end, -1]);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, delta] of edges) {
    open += delta;
    most = Math.max(most, open);
  }
  return most;
}

function measuredRequests(records: readonly RequestRecord[]): TimedRequest[] {
  return records.map((r) => ({
    arrival: r.intendedStart,
    start: r.handlerStart,
    end: r.complete,
    ok: r.error === null,
  }));
}

function predictedRequests(
  sample: SimulationResult,
  arrivals: Float64Array,
  giveUp: number,
): TimedRequest[] {
  const out: TimedRequest[] = [];
  for (let i = 0; i < arrivals.length; i++) {
    const arrival = arrivals[i] as number;
    const start = sample.start[i] as number;
    const end = sample.end[i] as number;
    const started = !Number.isNaN(start);
    out.push({
      arrival,
      start: started ? start : null,
      end: Number.isNaN(end) ? null : end,
      ok: started && sample.status[i] === 0 && start - arrival <= giveUp,
    });
  }
  return out;
}

/** Handlers at once the model allows: the engine's servers over all workers. */
function modelLimit(topology: TopologySpec): number {
  const perWorker =
    topology.kind === 'async' || topology.asyncWorker !== undefined
      ? asyncHandlerSlots(topology.asyncWorker ?? { handler: 'await', threadPool: 40 })
      : topology.kind === 'gthread' || topology.kind === 'gunicorn-gthread'
        ? topology.threads
        : 1;
  return topology.replicas * topology.workers * perWorker;
}

/** Worker-life figures of one simulated run. */
export function modelLife(
  topology: TopologySpec,
  deployment: EngineDeployment,
  run: { result: SimulationResult; arrivals: Float64Array },
  until: number,
  requestTimeout: number,
): WorkerLifeFigures {
  const workers = topology.replicas * topology.workers;
  const lifecycle = topology.lifecycle;
  return workerLifeFigures(
    workers,
    liveStepsFromModel(workers, deployment.firstUp, run.result.transitions),
    until,
    predictedRequests(run.result, run.arrivals, requestTimeout),
    countsFromModel(
      run.result.transitions,
      deployment.boot,
      until,
      lifecycle?.init !== null && lifecycle?.init !== undefined,
      (lifecycle?.maxRequests ?? 0) > 0 ? 'max-requests' : 'timeout',
    ),
  );
}

/** The mean of every numeric figure over runs; a figure null in some runs averages the others. */
export function averageLife(lives: readonly WorkerLifeFigures[]): PredictedWorkerLife | null {
  const first = lives[0];
  if (first === undefined) return null;
  const mean = (values: Array<number | null>): number | null => {
    const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
    return present.length === 0 ? null : present.reduce((a, b) => a + b, 0) / present.length;
  };
  const average = <T extends object>(items: readonly T[]): T => {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(items[0] as object)) {
      const values = items.map((item) => (item as Record<string, unknown>)[key]);
      const sample = values.find((v) => v !== null);
      if (typeof sample === 'number' || sample === undefined || sample === null)
        out[key] = mean(values as Array<number | null>);
      else out[key] = average(values as object[]);
    }
    return out as T;
  };
  return { ...average(lives), runs: lives.length };
}

/** Scenario seconds the measurement covers: to the last arrival or completion. */
export function measuredSpan(records: readonly RequestRecord[]): number {
  let until = 0;
  for (const r of records) until = Math.max(until, r.intendedStart, r.complete ?? 0);
  return until;
}

export function lifecycleParts(input: LifecycleInput): LifecycleParts {
  const { topology, records, prediction } = input;
  const settings: LifecycleParts = {
    ...(input.servers === undefined || input.servers.length === 0
      ? {}
      : { servers: [...input.servers] }),
    ...(topology.lifecycle === undefined ? {} : { lifecycle: topology.lifecycle }),
    ...(topology.asyncWorker === undefined ? {} : { asyncWorker: topology.asyncWorker }),
  };
  if (records.length === 0) return settings;
  const sample = prediction.waits?.sample;
  const measured = measuredRequests(records);
  const predicted =
    sample === undefined ? null : predictedRequests(sample, input.arrivals, input.requestTimeout);
  const until = measuredSpan(records);
  const width = windowWidth(until);
  const workers = topology.replicas * topology.workers;
  const slots = Array.from({ length: workers }, (_, g) => {
    const replica = Math.floor(g / topology.workers);
    return `${replica}/${g % topology.workers}`;
  });
  const lifecycle = topology.lifecycle;
  const measuredSteps =
    lifecycle === undefined
      ? null
      : liveStepsFromEvents(slots, lifecycle.loadStarts === 'ready', input.events);
  const deployment = prediction.deployment;
  const predictedSteps =
    lifecycle === undefined || sample === undefined
      ? null
      : liveStepsFromModel(workers, deployment.firstUp, sample.transitions);
  const parts: LifecycleParts = {
    ...settings,
    overTime: {
      width,
      measured: windowsOf(measured, width, until, measuredSteps),
      predicted: predicted === null ? null : windowsOf(predicted, width, until, predictedSteps),
    },
  };
  if (lifecycle !== undefined && measuredSteps !== null) {
    parts.workerEvents = [...input.events];
    parts.workerLife = {
      measured: workerLifeFigures(
        workers,
        measuredSteps,
        until,
        measured,
        countsFromEvents(slots, input.events, until, lifecycle.loadStarts === 'ready'),
      ),
      predicted: averageLife(
        input.runs.map((run) => modelLife(topology, deployment, run, until, input.requestTimeout)),
      ),
    };
    const predictedLife = parts.workerLife.predicted;
    if (predictedLife !== null && input.longRun !== undefined && lifecycle.maxRequests > 0)
      predictedLife.longRun = longRun({ ...input.longRun, deployment });
  }
  const served = records.filter((r) => r.handlerStart !== null && r.handlerEnd !== null);
  const predictedServed: Array<[number, number]> = [];
  if (sample !== undefined)
    for (let i = 0; i < sample.start.length; i++) {
      const s = sample.start[i] as number;
      const e = sample.end[i] as number;
      if (!Number.isNaN(s) && !Number.isNaN(e)) predictedServed.push([s, e]);
    }
  parts.handlersAtOnce = {
    measured:
      served.length === 0
        ? null
        : mostAtOnce(
            served.map((r) => [r.handlerStart as number, r.handlerEnd as number] as const),
          ),
    predicted: sample === undefined ? null : mostAtOnce(predictedServed),
    modelLimit: modelLimit(topology),
    claimed: topology.claimedConcurrency ?? null,
  };
  const counted = appCounted(records);
  if (counted !== null) parts.handlersAtOnce.appCounted = counted;
  return parts;
}
