import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { isRealKind } from '../../targets/real/protocol.js';
import {
  type AcceptRaceChoice,
  acceptRaceChoice,
  type CalibrationState,
  type Machine,
} from '../calibrate/calibration.js';
import {
  HarnessError,
  ResultsWriteError,
  RunAbortedError,
  RunTimeoutError,
  TargetCrashedError,
} from '../errors.js';
import type { GateOutcome } from '../gate/gate.js';
import { type GateConfig, hasGate, runGate } from '../gate/run-gate.js';
import type { RawRequest } from '../load/raw-request.js';
import { backOfEnvelope } from '../model/burst.js';
import type { LongRunInput } from '../model/long-run.js';
import { predictLoad } from '../model/predict-load.js';
import { createRandom, deriveSeed, STREAM } from '../model/random.js';
import { acceptRaceServerOf, deploymentOf } from '../model/server-kinds.js';
import { distributionOf, sampleServiceTimes, serviceMean } from '../model/service-time.js';
import type { SimulationResult } from '../model/simulate.js';
import { MachineLoadMeter } from '../observe/machine-load.js';
import type { MachineLoadSample } from '../observe/measurement-quality.js';
import { ObservationFiles, type Observed, observationFor } from '../observe/observation.js';
import type { Progress } from '../report/progress.js';
import { writeGateFiles } from '../report/write-gate-files.js';
import { writeReport } from '../report/write-report.js';
import { apparatusFigures } from '../results/apparatus.js';
import { StagedFile, writeFileAtomic } from '../results/atomic-write.js';
import { lifecycleParts } from '../results/lifecycle-summary.js';
import { loadFigures } from '../results/load-figures.js';
import { toPredictedRecords } from '../results/predicted-record.js';
import type { RequestRecord } from '../results/request-record.js';
import { resultsWrite } from '../results/results-write.js';
import { createRunDir, markLatest, runId } from '../results/run-dir.js';
import {
  type Environment,
  type RunSummary,
  startSummary,
  summarizeFidelity,
  summarizeTopology,
  type TopologyStatus,
  type TopologySummary,
} from '../results/summary.js';
import { estimateWait, numberWorkersByPid } from '../results/wait-estimate.js';
import type { LifeEvent } from '../results/worker-life.js';
import { describeLoad } from '../scenario/describe-load.js';
import { plannedRequests } from '../scenario/load-schema.js';
import { DEFAULT_START_TIMEOUT } from '../scenario/schema.js';
import { isLoopbackHost } from '../scenario/target-url.js';
import { concurrencyOf, type Scenario, type TopologySpec } from '../scenario/types.js';
import { startTargets, type Targets } from '../supervise/start-targets.js';
import type { Supervisor } from '../supervise/supervisor.js';
import { LifecycleWatch } from './lifecycle-watch.js';
import { type LoadStep, NOTHING_MEASURED, predictedArrivals, runLoadStep } from './load-step.js';
import { serviceTableSize } from './load-task.js';
import { withEmulatedTwins } from './twins.js';

export interface RunOptions {
  scenario: Scenario;
  reportsRoot: string;
  supervisor: Supervisor;
  progress: Progress;
  /** Aborted on Ctrl-C, SIGTERM or SIGHUP; the reason names the signal. */
  signal: AbortSignal;
  environment: Environment;
  now?: () => Date;
  /** Thresholds and baseline to judge a complete run by; none when absent. */
  gate?: GateConfig;
  /**
   * The accept-race calibration (reports/calibration.json) as found, and the machine running,
   * to tell whether it applies; without them the model draws accept races uniformly.
   */
  calibration?: CalibrationState;
  machine?: Machine;
  /** Hosts beyond loopback the user allowed with --allow-remote; the load refuses any other. */
  allowRemote?: readonly string[];
}

/**
 * Real milliseconds between a target's crash and the harness stopping the load: long enough for
 * the failures the crash causes to reach the client, short enough not to prolong a broken run.
 */
const CRASH_SETTLE_MS = 500;

export interface RunResult {
  summary: RunSummary;
  dir: string;
  /** Why the run ended early, if it did; the results up to then are written regardless. */
  error: HarnessError | undefined;
  /** The gate's verdict; null when there was no gate or the run did not complete. */
  gate: GateOutcome | null;
}

/** Real milliseconds between repeated bursts, for the last one's connections to close. */
const BURST_PAUSE_MS = 300;

/**
 * Runs a scenario topology by topology, one at a time so that they do not compete for cores:
 * start the targets, send the burst, stop the targets, then set the measurement beside the
 * model. After each topology, summary.json is rewritten (atomically) and its requests appended
 * to requests.ndjson.partial, so an interrupt or a failure keeps every finished measurement.
 *
 *   for each topology:  start ─► ready ─► burst ─► stop ─► predict ─► write
 */
export async function runScenario(options: RunOptions): Promise<RunResult> {
  const { scenario, progress } = options;
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const id = runId(startedAt, randomBytes(2).toString('hex'));
  const dir = await createRunDir(options.reportsRoot, scenario.name, id).catch((error: unknown) => {
    throw new ResultsWriteError(
      `cannot create the run directory under ${options.reportsRoot}: ${(error as Error).message}`,
      {
        fix: 'check that the reports directory is writable and the disk has room',
        cause: error,
      },
    );
  });
  const summary = startSummary(scenario, id, startedAt, options.environment);
  const topologies = withEmulatedTwins(scenario.topologies, scenario.compareEmulated === true);
  const calibration: CalibrationState = options.calibration ?? {
    state: 'absent',
    file: 'calibration.json',
  };
  const machine: Machine = options.machine ?? {
    hostname: '',
    platform: options.environment.platform,
    cpus: options.environment.cpus,
    cpuModel: options.environment.cpuModel,
    node: options.environment.node,
  };
  const requestsFile = new StagedFile(join(dir, 'requests.ndjson'));
  const predictedFile = new StagedFile(join(dir, 'predicted.ndjson'));
  const observationFiles = new ObservationFiles(dir, scenario);
  const waits = new Map<string, number[]>();
  const save = async (): Promise<void> => {
    const fidelity = summarizeFidelity(summary.topologies, scenario.timeScale);
    if (fidelity !== undefined) summary.fidelity = fidelity;
    try {
      await writeFileAtomic(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    } catch (error) {
      throw new ResultsWriteError(
        `cannot write ${join(dir, 'summary.json')}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  };
  await resultsWrite(join(dir, 'scenario.json'), () =>
    writeFileAtomic(join(dir, 'scenario.json'), `${JSON.stringify(scenario, null, 2)}\n`),
  );
  await save();
  await resultsWrite(join(options.reportsRoot, scenario.name, 'latest'), () =>
    markLatest(options.reportsRoot, scenario.name, id),
  );

  const runLimit = new AbortController();
  const runTimer = setTimeout(
    () => runLimit.abort('run timeout'),
    scenario.limits.runTimeout * 1000,
  );
  const runSignal = AbortSignal.any([options.signal, runLimit.signal]);
  let error: HarnessError | undefined;

  // Each request's service time, drawn once with the model's seed: every topology gets the same
  // times, the targets are sent them, and the model's first run uses them too.
  const distribution = distributionOf(scenario.service);
  const serviceTimes = sampleServiceTimes(
    distribution,
    serviceTableSize(scenario.load),
    createRandom(deriveSeed(scenario.model.seed, STREAM.service)),
  );

  try {
    for (const [i, topology] of topologies.entries()) {
      if (runSignal.aborted) break;
      const label = `[${i + 1}/${topologies.length}] ${topology.name}`;
      const outcome = await runTopology(topology, label, options, runSignal, serviceTimes);
      const acceptRace = acceptRaceChoice(
        acceptRaceServerOf(topology.kind),
        topology.replicas,
        calibration,
        machine,
        topology.balancerServer === 'haproxy',
      );
      noteCalibration(summary, acceptRace, calibration);
      const modelRuns: Array<{ result: SimulationResult; arrivals: Float64Array }> = [];
      const prediction = predictLoad({
        topology: deploymentOf(topology, {
          // uvicorn's async handlers run as many at once as requests arrive.
          users: plannedRequests(scenario.load) ?? 10_000,
          work: scenario.service.work,
        }),
        stickiness: acceptRace.stickiness,
        load: scenario.load,
        distribution,
        serviceTimes,
        work: scenario.service.work,
        cores: options.environment.cpus,
        seed: scenario.model.seed,
        replications: scenario.model.replications,
        requestTimeout: scenario.limits.requestTimeout,
        ...(topology.lifecycle === undefined
          ? {}
          : { eachRun: (result, arrivals) => modelRuns.push({ result, arrivals }) }),
      });
      const load =
        outcome.load === null
          ? null
          : loadFigures({
              ...outcome.load,
              load: scenario.load,
              timeScale: scenario.timeScale,
              prediction: {
                throughput: prediction.throughput,
                method: prediction.throughputMethod,
                minResponse: prediction.minResponse,
              },
            });
      summary.topologies.push(
        summarizeTopology({
          topology,
          records: outcome.records,
          ...(outcome.measured === undefined ? {} : { measured: outcome.measured }),
          ...(outcome.counts === undefined ? {} : { counts: outcome.counts }),
          dispatchSpreadMs: outcome.dispatchSpreadMs,
          prediction: prediction.waits,
          expected: prediction.expected,
          load,
          backOfEnvelope:
            scenario.load.executor === 'burst'
              ? backOfEnvelope(
                  scenario.load.users,
                  topology.claimedConcurrency ?? concurrencyOf(topology),
                  serviceMean(distribution),
                )
              : Number.NaN,
          status: outcome.status,
          failure: outcome.failure,
          bursts: outcome.bursts,
          acceptRace,
        }),
      );
      addObserved(summary.topologies[summary.topologies.length - 1], outcome.observed);
      // How busy the machine was, and why measured and predicted differ (issue 13).
      Object.assign(
        summary.topologies[summary.topologies.length - 1] as object,
        apparatusFigures({
          scenario,
          records: outcome.records,
          sample: outcome.sample ?? null,
          prediction: prediction.waits,
          deployment: prediction.deployment,
          serviceTimes,
          backOfEnvelope: summary.topologies[summary.topologies.length - 1]?.backOfEnvelope ?? 0,
        }),
      );
      await resultsWrite(dir, () => observationFiles.append(outcome.observed));
      // Windows over time, the workers' lives and handlers at once (issue 6).
      Object.assign(
        summary.topologies[summary.topologies.length - 1] as object,
        lifecycleParts({
          topology,
          records: outcome.records,
          prediction,
          arrivals: predictedArrivals(scenario),
          events: outcome.events,
          requestTimeout: scenario.limits.requestTimeout,
          runs: modelRuns,
          ...longRunOf(scenario, options.environment.cpus, distribution),
        }),
      );
      if (outcome.records.length > 0) {
        await resultsWrite(requestsFile.partialPath, () =>
          requestsFile.append(`${outcome.records.map((r) => JSON.stringify(r)).join('\n')}\n`),
        );
      }
      waits.set(
        topology.name,
        outcome.records
          .filter((r) => r.error === null && r.wait !== null)
          .map((r) => r.wait as number),
      );
      // What the model predicted per request, for the report.
      if (prediction.waits !== null) {
        const predicted = toPredictedRecords(
          topology.name,
          prediction.waits.sample,
          predictedArrivals(scenario),
        );
        await resultsWrite(predictedFile.partialPath, () =>
          predictedFile.append(`${predicted.map((r) => JSON.stringify(r)).join('\n')}\n`),
        );
      }
      await save();
      if (outcome.error !== undefined) {
        error = outcome.error;
        break;
      }
    }
  } catch (writeError) {
    // A full disk mid-run: stop here; the files as last written stay intact and parseable.
    if (!(writeError instanceof ResultsWriteError)) throw writeError;
    error = writeError;
  } finally {
    clearTimeout(runTimer);
    progress.done();
  }

  if (error === undefined && runSignal.aborted) {
    error = options.signal.aborted
      ? new RunAbortedError(String(options.signal.reason ?? 'signal'))
      : new RunTimeoutError(
          `the run reached limits.runTimeout (${scenario.limits.runTimeout} s) and stopped`,
          {
            fix: 'raise limits.runTimeout in the scenario, or lower timeScale so that it runs faster',
          },
        );
  }
  summary.complete = error === undefined && summary.topologies.length === topologies.length;
  summary.finishedAt = now().toISOString();
  // Each closing write is tried even when one before failed; the first failure is the run's.
  const finish = async (file: string, write: () => Promise<void>): Promise<void> => {
    try {
      await resultsWrite(file, write);
    } catch (writeError) {
      if (!(writeError instanceof ResultsWriteError)) throw writeError;
      error ??= writeError;
      summary.complete = false;
    }
  };
  await finish(join(dir, 'summary.json'), save);
  await finish(requestsFile.path, () => requestsFile.commit());
  await finish(predictedFile.path, () => predictedFile.commit());
  await finish(dir, () => observationFiles.commit());

  let gate: GateOutcome | null = null;
  if (options.gate !== undefined && hasGate(options.gate) && error === undefined) {
    gate = runGate(summary, waits, options.gate);
    await finish(dir, () => writeGateFiles(dir, gate as GateOutcome));
  }
  try {
    await writeReport(dir);
  } catch (reportError) {
    if (!(reportError instanceof HarnessError)) throw reportError;
    error ??= reportError;
  }
  return { summary, dir, error, gate };
}

/** The run's calibration in the summary, once, when a topology's model first depends on it. */
function noteCalibration(
  summary: RunSummary,
  choice: AcceptRaceChoice,
  calibration: CalibrationState,
): void {
  if (choice.server === null || summary.calibration !== undefined) return;
  summary.calibration = { file: calibration.file, state: calibration.state, note: choice.note };
}

/** Adds to a topology's summary what was observed beside the load (jobs, event fan-out). */
function addObserved(summary: TopologySummary | undefined, observed: Observed): void {
  if (summary === undefined) return;
  if (observed.jobs !== undefined) summary.jobs = observed.jobs.figures;
  if (observed.fanout !== undefined) summary.fanout = observed.fanout.figures;
}

/** Hours of the model at the run's steady rate, for recycling's long-run cost (issue 6). */
const LONG_RUN_HOURS = 4;

function longRunOf(
  scenario: Scenario,
  cores: number,
  distribution: ReturnType<typeof distributionOf>,
): { longRun?: Omit<LongRunInput, 'deployment'> } {
  const { load } = scenario;
  if (load.executor !== 'constant-arrival-rate') return {};
  return {
    longRun: {
      rate: load.rate,
      process: load.arrivals === 'poisson' ? 'poisson' : 'constant',
      distribution,
      cores,
      seed: scenario.model.seed,
      horizon: LONG_RUN_HOURS * 3600,
      runs: 3,
    },
  };
}

interface TopologyRun extends LoadStep {
  /** What the topology's observation saw (empty when the scenario watches nothing more). */
  observed: Observed;
  /** Bursts that completed (a burst load's `repeat`); 1 for other loads. */
  bursts: number;
  status: TopologyStatus;
  failure: string | null;
  error: HarnessError | undefined;
  /** Worker life events during the load, scenario seconds after its start. */
  events: LifeEvent[];
  /** How busy the machine was during the load (machine-load.ts). */
  sample?: MachineLoadSample;
}

async function runTopology(
  topology: TopologySpec,
  label: string,
  options: RunOptions,
  runSignal: AbortSignal,
  serviceTimes: Float64Array,
): Promise<TopologyRun> {
  const { scenario, supervisor, progress } = options;
  const realMs = (scenarioSeconds: number): number => scenarioSeconds * scenario.timeScale * 1000;
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
  try {
    progress.stage(
      `${label}: starting ${topology.replicas} replica${topology.replicas === 1 ? '' : 's'}`,
    );
    await observation?.setUp();
    const started = await startTargets(topology, {
      supervisor,
      timeScale: scenario.timeScale,
      service: { work: scenario.service.work, ms: realMs(scenario.service.time) },
      readyTimeoutMs: (scenario.limits.startTimeout ?? DEFAULT_START_TIMEOUT) * 1000,
      signal,
      requestTimeoutMs: realMs(scenario.limits.requestTimeout),
      connections: plannedConnections(scenario),
      ...(observation === null ? {} : { app: (replica: number) => observation.app(replica) }),
    });
    if (signal.aborted || crash !== undefined) return aborted(NOTHING_MEASURED, 0);
    const repeat =
      scenario.load.executor === 'burst' ? (topology.repeat ?? scenario.repeat ?? 1) : 1;
    const steps: LoadStep[] = [];
    const meter = new MachineLoadMeter();
    for (let b = 0; b < repeat; b++) {
      if (b > 0) await delay(BURST_PAUSE_MS, undefined, { signal }).catch(() => {});
      if (signal.aborted) break;
      progress.stage(
        `${label}: ${describeLoad(scenario.load)}${repeat > 1 ? ` (${b + 1}/${repeat})` : ''}`,
      );
      const [step] = await Promise.all([
        runLoadStep(scenario, topology.name, started.origin, serviceTimes, signal, progress, {
          burst: b,
          ...(options.allowRemote === undefined ? {} : { allowRemote: options.allowRemote }),
          ...(started.external ? { fixedPath: started.path } : {}),
          adjust: (records, raw) =>
            adjustRecords(records, raw, topology, started, scenario, serviceTimes),
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
    if (step.startNs !== undefined) events = watch.events(step.startNs, scenario.timeScale);
    if (signal.aborted || crash !== undefined) return aborted(step, steps.length);
    return {
      ...step,
      observed,
      bursts: steps.length,
      status: 'complete',
      failure: null,
      error: undefined,
      events,
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
    };
  } finally {
    clearTimeout(settle);
    progress.stage(`${label}: stopping targets`);
    supervisor.onCrash = undefined;
    watch.stop();
    await supervisor.stopAll();
    await observation?.tearDown();
  }

  function aborted(step: LoadStep, bursts: number): TopologyRun {
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
    };
  }
}

/** Most connections a load opens at once, for haproxy's limits. */
function plannedConnections(scenario: Scenario): number {
  const { load } = scenario;
  switch (load.executor) {
    case 'burst':
    case 'closed-users':
      return load.users;
    case 'throughput':
      return load.connections;
    default:
      return load.maxConnections;
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
  scenario: Scenario,
  serviceTimes: Float64Array,
): RequestRecord[] {
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
        serviceSeconds: serviceTimes[record.index % serviceTimes.length] ?? scenario.service.time,
        timeScale: scenario.timeScale,
        sharedClock,
      }),
    );
  }
  return records;
}
