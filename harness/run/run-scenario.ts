import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  HarnessError,
  ResultsWriteError,
  RunAbortedError,
  RunTimeoutError,
  TargetCrashedError,
} from '../errors.js';
import type { GateOutcome } from '../gate/gate.js';
import { type GateConfig, hasGate, runGate } from '../gate/run-gate.js';
import { backOfEnvelope } from '../model/burst.js';
import type { LongRunInput } from '../model/long-run.js';
import { predictLoad } from '../model/predict-load.js';
import { createRandom, deriveSeed, STREAM } from '../model/random.js';
import { distributionOf, sampleServiceTimes, serviceMean } from '../model/service-time.js';
import type { SimulationResult } from '../model/simulate.js';
import type { Progress } from '../report/progress.js';
import { writeGateFiles } from '../report/write-gate-files.js';
import { writeReport } from '../report/write-report.js';
import { StagedFile, writeFileAtomic } from '../results/atomic-write.js';
import { lifecycleParts } from '../results/lifecycle-summary.js';
import { loadFigures } from '../results/load-figures.js';
import { toPredictedRecords } from '../results/predicted-record.js';
import { createRunDir, markLatest, runId } from '../results/run-dir.js';
import {
  type Environment,
  type RunSummary,
  startSummary,
  summarizeTopology,
  type TopologyStatus,
} from '../results/summary.js';
import type { LifeEvent } from '../results/worker-life.js';
import { describeLoad } from '../scenario/describe-load.js';
import { concurrencyOf, type Scenario, type TopologySpec } from '../scenario/types.js';
import { startTopology } from '../supervise/start-topology.js';
import type { Supervisor } from '../supervise/supervisor.js';
import { LifecycleWatch } from './lifecycle-watch.js';
import { type LoadStep, NOTHING_MEASURED, predictedArrivals, runLoadStep } from './load-step.js';
import { serviceTableSize } from './load-task.js';

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
}

export interface RunResult {
  summary: RunSummary;
  dir: string;
  /** Why the run ended early, if it did; the results up to then are written regardless. */
  error: HarnessError | undefined;
  /** The gate's verdict; null when there was no gate or the run did not complete. */
  gate: GateOutcome | null;
}

const READY_TIMEOUT_MS = 60_000;

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
  const requestsFile = new StagedFile(join(dir, 'requests.ndjson'));
  const predictedFile = new StagedFile(join(dir, 'predicted.ndjson'));
  const waits = new Map<string, number[]>();
  const save = async (): Promise<void> => {
    try {
      await writeFileAtomic(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    } catch (error) {
      throw new ResultsWriteError(
        `cannot write ${join(dir, 'summary.json')}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  };
  await writeFileAtomic(join(dir, 'scenario.json'), `${JSON.stringify(scenario, null, 2)}\n`);
  await save();
  await markLatest(options.reportsRoot, scenario.name, id);

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
    for (const [i, topology] of scenario.topologies.entries()) {
      if (runSignal.aborted) break;
      const label = `[${i + 1}/${scenario.topologies.length}] ${topology.name}`;
      const outcome = await runTopology(topology, label, options, runSignal, serviceTimes);
      const modelRuns: Array<{ result: SimulationResult; arrivals: Float64Array }> = [];
      const prediction = predictLoad({
        topology,
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
        }),
      );
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
        await requestsFile.append(`${outcome.records.map((r) => JSON.stringify(r)).join('\n')}\n`);
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
        await predictedFile.append(`${predicted.map((r) => JSON.stringify(r)).join('\n')}\n`);
      }
      await save();
      if (outcome.error !== undefined) {
        error = outcome.error;
        break;
      }
    }
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
  summary.complete =
    error === undefined && summary.topologies.length === scenario.topologies.length;
  summary.finishedAt = now().toISOString();
  await save();
  await requestsFile.commit();
  await predictedFile.commit();

  let gate: GateOutcome | null = null;
  if (options.gate !== undefined && hasGate(options.gate) && error === undefined) {
    gate = runGate(summary, waits, options.gate);
    await writeGateFiles(dir, gate);
  }
  try {
    await writeReport(dir);
  } catch (reportError) {
    if (!(reportError instanceof HarnessError)) throw reportError;
    error ??= reportError;
  }
  return { summary, dir, error, gate };
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
  status: TopologyStatus;
  failure: string | null;
  error: HarnessError | undefined;
  /** Worker life events during the load, scenario seconds after its start. */
  events: LifeEvent[];
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
    crashed.abort(crash);
  };
  supervisor.onCrash = onCrash;
  const signal = AbortSignal.any([runSignal, crashed.signal]);
  const watch = new LifecycleWatch(supervisor);
  let events: LifeEvent[] = [];
  try {
    progress.stage(
      `${label}: starting ${topology.replicas} replica${topology.replicas === 1 ? '' : 's'}`,
    );
    const started = await startTopology(topology, {
      supervisor,
      timeScale: scenario.timeScale,
      service: { work: scenario.service.work, ms: realMs(scenario.service.time) },
      readyTimeoutMs: READY_TIMEOUT_MS,
    });
    if (signal.aborted) return aborted(NOTHING_MEASURED);
    progress.stage(`${label}: ${describeLoad(scenario.load)}`);
    const step = await runLoadStep(
      scenario,
      topology.name,
      started.origin,
      serviceTimes,
      signal,
      progress,
    );
    // A target killed mid-burst fails its requests before its exit is reported: look for it.
    for (const casualty of supervisor.casualties())
      onCrash(casualty.label, casualty.info, casualty.output);
    if (step.startNs !== undefined) events = watch.events(step.startNs, scenario.timeScale);
    if (signal.aborted) return aborted(step);
    return { ...step, status: 'complete', failure: null, error: undefined, events };
  } catch (error) {
    if (!(error instanceof HarnessError)) throw error;
    if (signal.aborted && crash === undefined) return aborted(NOTHING_MEASURED);
    return { ...NOTHING_MEASURED, status: 'failed', failure: error.message, error, events: [] };
  } finally {
    progress.stage(`${label}: stopping targets`);
    supervisor.onCrash = undefined;
    watch.stop();
    await supervisor.stopAll();
  }

  function aborted(step: LoadStep): TopologyRun {
    if (crash !== undefined) {
      return {
        ...step,
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
      status: 'aborted',
      failure: String(runSignal.reason ?? 'aborted'),
      error: undefined,
      events,
    };
  }
}
