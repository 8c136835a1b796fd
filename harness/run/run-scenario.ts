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
import { runBurst } from '../load/burst.js';
import type { RawRequest } from '../load/raw-request.js';
import { Recorder } from '../load/recorder.js';
import { backOfEnvelope } from '../model/burst.js';
import { predictBurst } from '../model/predict.js';
import { createRandom, deriveSeed, STREAM } from '../model/random.js';
import { acceptRaceServerOf, modelTopologyOf } from '../model/server-kinds.js';
import { distributionOf, sampleServiceTimes } from '../model/service-time.js';
import type { Progress } from '../report/progress.js';
import { writeGateFiles } from '../report/write-gate-files.js';
import { writeReport } from '../report/write-report.js';
import { StagedFile, writeFileAtomic } from '../results/atomic-write.js';
import { toPredictedRecords } from '../results/predicted-record.js';
import {
  dispatchSpreadMs,
  type RequestRecord,
  toRequestRecord,
} from '../results/request-record.js';
import { createRunDir, markLatest, runId } from '../results/run-dir.js';
import {
  type Environment,
  type RunSummary,
  startSummary,
  summarizeFidelity,
  summarizeTopology,
  type TopologyStatus,
} from '../results/summary.js';
import { estimateWait, numberWorkersByPid } from '../results/wait-estimate.js';
import { isLoopbackHost } from '../scenario/target-url.js';
import { concurrencyOf, type Scenario, type TopologySpec } from '../scenario/types.js';
import { startTargets, type Targets } from '../supervise/start-targets.js';
import type { Supervisor } from '../supervise/supervisor.js';
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
    scenario.load.users,
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
      const prediction = predictBurst({
        topology: modelTopologyOf(topology, {
          users: scenario.load.users,
          work: scenario.service.work,
        }),
        stickiness: acceptRace.stickiness,
        users: scenario.load.users,
        service: scenario.service.time,
        seed: scenario.model.seed,
        replications: scenario.model.replications,
        distribution,
        serviceTimes,
        work: scenario.service.work,
        cores: options.environment.cpus,
      });
      summary.topologies.push(
        summarizeTopology({
          topology,
          records: outcome.records,
          dispatchSpreadMs: outcome.dispatchSpreadMs,
          prediction,
          backOfEnvelope: backOfEnvelope(
            scenario.load.users,
            concurrencyOf(topology),
            scenario.service.time,
          ),
          status: outcome.status,
          failure: outcome.failure,
          bursts: outcome.bursts,
          acceptRace,
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
      // What the model predicted per request, for the report (burst: every arrival at 0).
      const predicted = toPredictedRecords(
        topology.name,
        prediction.sample,
        new Float64Array(scenario.load.users),
      );
      await predictedFile.append(`${predicted.map((r) => JSON.stringify(r)).join('\n')}\n`);
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
  summary.complete = error === undefined && summary.topologies.length === topologies.length;
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

/** The run's calibration in the summary, once, when a topology's model first depends on it. */
function noteCalibration(
  summary: RunSummary,
  choice: AcceptRaceChoice,
  calibration: CalibrationState,
): void {
  if (choice.server === null || summary.calibration !== undefined) return;
  summary.calibration = { file: calibration.file, state: calibration.state, note: choice.note };
}

interface TopologyRun {
  records: RequestRecord[];
  /** Bursts that completed. */
  bursts: number;
  dispatchSpreadMs: number | null;
  status: TopologyStatus;
  failure: string | null;
  error: HarnessError | undefined;
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
  try {
    progress.stage(
      `${label}: starting ${topology.replicas} replica${topology.replicas === 1 ? '' : 's'}`,
    );
    const started = await startTargets(topology, {
      supervisor,
      timeScale: scenario.timeScale,
      service: { work: scenario.service.work, ms: realMs(scenario.service.time) },
      readyTimeoutMs: READY_TIMEOUT_MS,
      requestTimeoutMs: realMs(scenario.limits.requestTimeout),
      connections: scenario.load.users,
    });
    if (signal.aborted) return aborted([], null, 0);
    const repeat = topology.repeat ?? scenario.repeat ?? 1;
    const records: RequestRecord[] = [];
    let spread: number | null = null;
    let bursts = 0;
    for (let b = 0; b < repeat; b++) {
      if (b > 0) await delay(BURST_PAUSE_MS, undefined, { signal }).catch(() => {});
      if (signal.aborted) break;
      progress.stage(
        `${label}: burst of ${scenario.load.users}${repeat > 1 ? ` (${b + 1}/${repeat})` : ''}`,
      );
      const recorder = new Recorder({ keepRequests: true });
      const burst = await runBurst(scenario.load.users, 'new', {
        origin: started.origin,
        path: started.external
          ? () => started.path
          : (index) =>
              `/work?ms=${realMs(serviceTimes[index] as number)}&work=${scenario.service.work}`,
        recorder,
        connectTimeoutMs: realMs(scenario.limits.requestTimeout),
        requestTimeoutMs: realMs(scenario.limits.requestTimeout),
        signal,
        onSettled: (settled, total) => progress.requests(settled, total),
      });
      const raw = [...recorder.requests].sort((a, b) => a.index - b.index);
      records.push(
        ...burstRecords(raw, burst.startNs, b, topology, started, options, serviceTimes),
      );
      const burstSpread = dispatchSpreadMs(raw);
      if (burstSpread !== null) spread = Math.max(spread ?? 0, burstSpread);
      if (!signal.aborted) bursts += 1;
    }
    // A target killed mid-burst fails its requests before its exit is reported: look for it.
    for (const casualty of supervisor.casualties())
      onCrash(casualty.label, casualty.info, casualty.output);
    if (signal.aborted) return aborted(records, spread, bursts);
    return {
      records,
      bursts,
      dispatchSpreadMs: spread,
      status: 'complete',
      failure: null,
      error: undefined,
    };
  } catch (error) {
    if (!(error instanceof HarnessError)) throw error;
    if (signal.aborted && crash === undefined) return aborted([], null, 0);
    return {
      records: [],
      bursts: 0,
      dispatchSpreadMs: null,
      status: 'failed',
      failure: error.message,
      error,
    };
  } finally {
    progress.stage(`${label}: stopping targets`);
    supervisor.onCrash = undefined;
    await supervisor.stopAll();
  }

  function aborted(records: RequestRecord[], spread: number | null, bursts: number): TopologyRun {
    if (crash !== undefined) {
      return {
        records,
        bursts,
        dispatchSpreadMs: spread,
        status: 'failed',
        failure: crash,
        error: new TargetCrashedError(crash, {
          fix: 'look at the target output above; the requests it served are kept in requests.ndjson',
        }),
      };
    }
    return {
      records,
      bursts,
      dispatchSpreadMs: spread,
      status: 'aborted',
      failure: String(runSignal.reason ?? 'aborted'),
      error: undefined,
    };
  }
}

/**
 * One burst's requests as records: times relative to that burst's start, the burst's number,
 * workers numbered by pid for servers that do not number them as the harness does (real ones,
 * a URL), and waits estimated where the server's clock cannot give them (a URL target without
 * instrumentation, or on another machine).
 */
function burstRecords(
  raw: readonly RawRequest[],
  startNs: bigint,
  burst: number,
  topology: TopologySpec,
  started: Targets,
  options: RunOptions,
  serviceTimes: Float64Array,
): RequestRecord[] {
  const { scenario } = options;
  let records = raw.map((r) => {
    const record = toRequestRecord(r, topology.name, startNs, scenario.timeScale);
    if (burst > 0) record.burst = burst;
    return record;
  });
  if (started.external || isRealKind(topology.kind))
    records = numberWorkersByPid(
      records,
      started.external ? [] : started.replicas.map((r) => r.workerPids),
    );
  if (started.external) {
    const sharedClock = isLoopbackHost(new URL(started.origin).hostname);
    records = records.map((record, i) =>
      estimateWait(record, raw[i] as RawRequest, {
        serviceSeconds: serviceTimes[record.index] ?? scenario.service.time,
        timeScale: scenario.timeScale,
        sharedClock,
      }),
    );
  }
  return records;
}
