import { setTimeout as delay } from 'node:timers/promises';
import type { ServerVersion } from '../../targets/protocol.js';
import { isRealKind } from '../../targets/real/protocol.js';
import { HarnessError, TargetCrashedError } from '../errors.js';
import type { RawRequest } from '../load/raw-request.js';
import { requestPlan } from '../load/request-paths.js';
import { MachineLoadMeter } from '../observe/machine-load.js';
import type { MachineLoadSample } from '../observe/measurement-quality.js';
import { type Observed, observationFor } from '../observe/observation.js';
import type { Progress } from '../report/progress.js';
import { serversOf } from '../results/lifecycle-summary.js';
import type { RequestRecord } from '../results/request-record.js';
import type { TopologyStatus } from '../results/summary.js';
import { estimateWait, numberWorkersByPid } from '../results/wait-estimate.js';
import type { LifeEvent } from '../results/worker-life.js';
import { describeLoad } from '../scenario/describe-load.js';
import { isLoopbackHost } from '../scenario/target-url.js';
import type { TopologySpec } from '../scenario/types.js';
import { startTargets, type Targets } from '../supervise/start-targets.js';
import type { Supervisor } from '../supervise/supervisor.js';
import { LifecycleWatch } from './lifecycle-watch.js';
import { type LoadStep, NOTHING_MEASURED, runLoadStep } from './load-step.js';
import type { ScenarioPlan, TopologyPlan } from './plan.js';

/**
 * Real milliseconds between a target's crash and the harness stopping the load: long enough for
 * the failures the crash causes to reach the client, short enough not to prolong a broken run.
 */
const CRASH_SETTLE_MS = 500;

/** Real milliseconds between repeated bursts, for the last one's connections to close. */
const BURST_PAUSE_MS = 300;

/** What measuring one topology gave: its load step, what was observed beside it, how it ended. */
export interface Measurement extends LoadStep {
  /** What the topology's observation saw (empty when the scenario watches nothing more). */
  observed: Observed;
  /** Bursts that completed (a burst load's `repeat`); 1 for other loads. */
  bursts: number;
  status: TopologyStatus;
  failure: string | null;
  error: HarnessError | undefined;
  /** Worker life events during the load, scenario seconds after its start. */
  events: LifeEvent[];
  /** Real servers: the name and version of each server that ran. */
  servers: ServerVersion[];
  /** How busy the machine was while the load ran (observe/machine-load.ts). */
  sample?: MachineLoadSample;
}

/** What measuring needs from the run beyond its plan. */
export interface MeasureOptions {
  supervisor: Supervisor;
  progress: Progress;
  /** Hosts beyond loopback the user allowed with --allow-remote. */
  allowRemote?: readonly string[];
  /** This run is one shard of the plan (harness/run/shard.ts), started at `startAt`. */
  shard?: { index: number; count: number };
  startAt?: () => Promise<bigint>;
}

/**
 * Starts a topology's targets, sends the plan's load (each of its bursts), stops them, and
 * returns what was measured; a crash or an interrupt ends it early with what was measured so far.
 *
 *   start ─► ready ─► load (× bursts) ─► stop
 */
export async function measureTopology(
  plan: ScenarioPlan,
  { topology, bursts: repeat }: TopologyPlan,
  label: string,
  options: MeasureOptions,
  runSignal: AbortSignal,
): Promise<Measurement> {
  const { scenario, clock } = plan;
  const { supervisor, progress } = options;
  const crashed = new AbortController();
  let crash: string | undefined;
  const onCrash = (
    target: string,
    info: { code: number | null; signal: string | null },
    output: string[],
  ): void => {
    crash ??= `${target} exited during the run (code ${info.code}, signal ${info.signal})${output.length ? `: ${output.slice(-3).join(' | ')}` : ''}`;
    // The load is stopped a moment later, not at once: the requests the crash broke fail by
    // themselves first (reset, refused, a balancer's 503), so that they are counted as what
    // users would have seen rather than as stopped by the harness.
    settle ??= setTimeout(() => crashed.abort(crash), CRASH_SETTLE_MS);
  };
  let settle: NodeJS.Timeout | undefined;
  supervisor.onCrash = onCrash;
  const signal = AbortSignal.any([runSignal, crashed.signal]);
  const observation = observationFor(scenario, topology, supervisor);
  let observed: Observed = {};
  const watch = new LifecycleWatch(supervisor);
  let events: LifeEvent[] = [];
  let servers: ServerVersion[] = [];
  try {
    progress.stage(
      `${label}: starting ${topology.replicas} replica${topology.replicas === 1 ? '' : 's'}`,
    );
    await observation?.setUp();
    const started = await startTargets(topology, {
      supervisor,
      timeScale: clock.timeScale,
      service: plan.targets.service,
      readyTimeoutMs: plan.targets.readyTimeoutMs,
      signal,
      requestTimeoutMs: plan.targets.requestTimeoutMs,
      connections: plan.connections,
      ...(observation === null ? {} : { app: (replica: number) => observation.app(replica) }),
    });
    if (!started.external) servers = serversOf(started.replicas);
    if (signal.aborted || crash !== undefined) return aborted(NOTHING_MEASURED, 0);
    const steps: LoadStep[] = [];
    const meter = new MachineLoadMeter();
    for (let b = 0; b < repeat; b++) {
      if (b > 0) await delay(BURST_PAUSE_MS, undefined, { signal }).catch(() => {});
      if (signal.aborted) break;
      progress.stage(
        `${label}: ${describeLoad(scenario.load)}${repeat > 1 ? ` (${b + 1}/${repeat})` : ''}`,
      );
      const [step] = await Promise.all([
        runLoadStep(plan, topology.name, started.origin, signal, progress, {
          burst: b,
          ...(options.allowRemote === undefined ? {} : { allowRemote: options.allowRemote }),
          ...(options.shard === undefined ? {} : { shard: options.shard }),
          ...(options.startAt === undefined ? {} : { startAt: options.startAt }),
          ...(started.external ? { fixedPath: started.path } : {}),
          ...(started.external || topology.app !== undefined
            ? {
                userRequest: requestPlan(
                  scenario.request,
                  started.external ? started.path : '/',
                  scenario.model.seed,
                ),
              }
            : {}),
          adjust: (records, raw) => adjustRecords(records, raw, topology, started, plan),
        }),
        b === 0 && !started.external ? observation?.observe(started, signal) : undefined,
      ]);
      steps.push(step);
    }
    const sample = meter.stop();
    observed = (await observation?.result()) ?? {};
    const step = mergeSteps(steps);
    // A target killed mid-burst fails its requests before its exit is reported: look for it.
    for (const casualty of supervisor.casualties())
      onCrash(casualty.label, casualty.info, casualty.output);
    if (step.startNs !== undefined) events = watch.events(step.startNs, clock);
    if (signal.aborted || crash !== undefined) return aborted(step, steps.length);
    return {
      ...step,
      observed,
      bursts: steps.length,
      status: 'complete',
      failure: null,
      error: undefined,
      events,
      servers,
      sample,
    };
  } catch (error) {
    if (!(error instanceof HarnessError)) throw error;
    if (crash !== undefined || signal.aborted) return aborted(NOTHING_MEASURED, 0);
    return {
      ...NOTHING_MEASURED,
      observed,
      bursts: 0,
      status: 'failed',
      failure: error.message,
      error,
      events: [],
      servers,
    };
  } finally {
    clearTimeout(settle);
    progress.stage(`${label}: stopping targets`);
    supervisor.onCrash = undefined;
    watch.stop();
    await supervisor.stopAll();
    await observation?.tearDown();
  }

  function aborted(step: LoadStep, bursts: number): Measurement {
    if (crash !== undefined) {
      return {
        ...step,
        observed,
        bursts,
        status: 'failed',
        failure: crash,
        error: new TargetCrashedError(crash, {
          fix: 'look at the target output above; the requests it served are kept in requests.ndjson',
        }),
        events,
        servers,
      };
    }
    return {
      ...step,
      observed,
      bursts,
      status: 'aborted',
      failure: String(runSignal.reason ?? 'aborted'),
      error: undefined,
      events,
      servers,
    };
  }
}

/**
 * The steps of a topology's repeated bursts as one: records together (each names its burst),
 * the widest dispatch spread, and the first burst's load figures (a burst's throughput and laws
 * are its own; the summary's wait figures are the mean over bursts, from the records).
 */
function mergeSteps(steps: readonly LoadStep[]): LoadStep {
  const [first] = steps;
  if (first === undefined) return NOTHING_MEASURED;
  if (steps.length === 1) return first;
  const spreads = steps.map((s) => s.dispatchSpreadMs).filter((x): x is number => x !== null);
  return {
    ...first,
    records: steps.flatMap((s) => s.records),
    dispatchSpreadMs: spreads.length === 0 ? null : Math.max(...spreads),
  };
}

/**
 * Records of servers the harness does not number (real ones, a URL) get their workers numbered
 * by pid; a URL target whose clock the harness cannot share has its waits estimated from
 * latency minus handler time.
 */
function adjustRecords(
  made: RequestRecord[],
  raw: readonly RawRequest[],
  topology: TopologySpec,
  started: Targets,
  plan: ScenarioPlan,
): RequestRecord[] {
  const { serviceTimes } = plan;
  let records = made;
  if (started.external || isRealKind(topology.kind))
    records = numberWorkersByPid(
      records,
      started.external ? [] : started.replicas.map((r) => r.workerPids),
    );
  if (started.external) {
    const sharedClock = isLoopbackHost(new URL(started.origin).hostname);
    records = records.map((record, i) =>
      estimateWait(record, raw[i] as RawRequest, {
        serviceSeconds:
          serviceTimes[record.index % serviceTimes.length] ?? plan.scenario.service.time,
        clock: plan.clock,
        sharedClock,
      }),
    );
  }
  return records;
}
