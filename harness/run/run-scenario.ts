import { join } from 'node:path';
import type { CalibrationState, Machine } from '../calibrate/calibration.js';
import type { RaceFitState } from '../calibrate/race-fit-file.js';
import {
  type HarnessError,
  ResultsWriteError,
  RunAbortedError,
  RunTimeoutError,
} from '../errors.js';
import type { GateOutcome } from '../gate/gate.js';
import type { GateConfig } from '../gate/run-gate.js';
import { predictLoad } from '../model/predict-load.js';
import { workerShareTally } from '../model/worker-shares.js';
import type { Progress } from '../report/progress.js';
import type { Environment, RunSummary } from '../results/summary.js';
import type { Scenario } from '../scenario/types.js';
import { SERVER_LOG_DIR } from '../supervise/start-real-topology.js';
import type { Supervisor } from '../supervise/supervisor.js';
import { measureTopology } from './measure.js';
import { type PlanContext, planRun, type TopologyPlan } from './plan.js';
import { RunFiles } from './run-files.js';
import type { ShardSpec } from './shard.js';
import { shardBlock, shardState } from './shard-record.js';
import { lateStartError, ShardStart } from './shard-start.js';
import { type ModelRuns, summariseTopology, type TopologyResult } from './summarise.js';

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
  /** The accept race's mechanism fit as found (reports/race-mechanism.json or the shipped one). */
  raceFit?: RaceFitState;
  /** Hosts beyond loopback the user allowed with --allow-remote; the load refuses any other. */
  allowRemote?: readonly string[];
  /**
   * This run is one shard of the plan (harness/run/shard.ts): it sends its share only, from
   * `startAtMs` (epoch ms, --start-at) when given, records its `shard` block and shard-state.json,
   * and leaves the gate to `merge`.
   */
  shardRun?: { spec: ShardSpec; source: string; startAtMs: number | null };
}

export interface RunResult {
  summary: RunSummary;
  dir: string;
  /** Why the run ended early, if it did; the results up to then are written regardless. */
  error: HarnessError | undefined;
  /** The gate's verdict; null when there was no gate or the run did not complete. */
  gate: GateOutcome | null;
}

/**
 * Runs a scenario topology by topology, one at a time so that they do not compete for cores. The
 * plan is made once, before anything starts; each topology then goes straight through the same
 * steps, and RunFiles writes everything, so an interrupt or a failure keeps every finished
 * measurement.
 *
 *   plan ─► for each topology: measure ─► predict ─► summarise ─► append ─► close (gate, report)
 */
export async function runScenario(options: RunOptions): Promise<RunResult> {
  const now = options.now ?? (() => new Date());
  const context = planContext(options);
  const plan = planRun(options.scenario, context);
  const files = await RunFiles.create(
    options.reportsRoot,
    options.scenario,
    now(),
    options.environment,
  );
  // Real servers keep their own logs here (targets/real/server.ts).
  options.supervisor.logDir = join(files.dir, SERVER_LOG_DIR);
  const limit = runLimit(options.signal, options.scenario.limits.runTimeout);
  let error: HarnessError | undefined;
  const { shardRun } = options;
  const shardStart = shardRun === undefined ? undefined : new ShardStart(shardRun.startAtMs);
  let lateness: number | null = null;
  if (shardRun !== undefined && shardStart !== undefined)
    await files.noteShard(shardBlock(plan, shardRun, shardStart, undefined));
  try {
    for (const [i, topology] of plan.topologies.entries()) {
      if (limit.signal.aborted) break;
      const label = `[${i + 1}/${plan.topologies.length}] ${topology.topology.name}`;
      const measureOptions =
        shardRun === undefined || shardStart === undefined
          ? options
          : {
              ...options,
              shard: shardRun.spec,
              ...(shardStart.waits ? { startAt: shardStart.startAt } : {}),
            };
      const measured = await measureTopology(
        topology.run,
        topology,
        label,
        measureOptions,
        limit.signal,
      );
      const result = predictAndSummarise(topology, measured);
      files.noteCalibration(topology.acceptRace, context.calibration);
      if (shardRun !== undefined && shardStart !== undefined) {
        const block = shardBlock(plan, shardRun, shardStart, measured);
        lateness = block.startLatenessMs;
        await files.noteShard(block);
        await files.keepShardState(topology.topology.name, shardState(measured));
      }
      await files.append(result);
      error = measured.error;
      if (error !== undefined) break;
    }
  } catch (writeError) {
    // A full disk mid-run: stop here; the files as last written stay intact and parseable.
    if (!(writeError instanceof ResultsWriteError)) throw writeError;
    error = writeError;
  } finally {
    limit.clear();
    options.progress.done();
  }
  error ??= stopped(options, limit.signal);
  // A shard's figures are its share's: the thresholds are judged on the merged run (merge).
  const closed = await files.close(
    { error, planned: plan.topologies.length, finishedAt: now() },
    shardRun === undefined ? options.gate : undefined,
  );
  closed.error ??= lateStartError(lateness);
  return { ...closed, dir: files.dir };
}

/** The model on the topology, with the run's own arrivals and service times, beside the measurement. */
export function predictAndSummarise(
  topology: TopologyPlan,
  measured: Awaited<ReturnType<typeof measureTopology>>,
): TopologyResult {
  const runs: Array<ModelRuns[number]> = [];
  const lifecycle = topology.topology.lifecycle !== undefined;
  // Each worker's share of the requests, over every run of the model (the report's chart).
  const shares = workerShareTally(topology.topology.replicas, topology.topology.workers);
  const prediction = predictLoad({
    ...topology.model,
    eachRun: (result, arrivals) => {
      shares.add(result);
      if (lifecycle) runs.push({ result, arrivals });
    },
  });
  // A closed form simulates no run but keeps one: the split is deterministic there.
  if (shares.shares().replications === 0 && prediction.waits !== null)
    shares.add(prediction.waits.sample);
  const workerShare = prediction.waits === null ? undefined : shares.shares();
  return summariseTopology(topology, measured, prediction, runs, workerShare);
}

/** What planning takes from the run's options: the machine, and the calibration as found. */
export function planContext(
  options: Pick<RunOptions, 'environment' | 'calibration' | 'machine' | 'raceFit'>,
): PlanContext {
  const { environment } = options;
  return {
    cores: environment.cpus,
    calibration: options.calibration ?? { state: 'absent', file: 'calibration.json' },
    ...(options.raceFit === undefined ? {} : { raceFit: options.raceFit }),
    machine: options.machine ?? {
      hostname: '',
      platform: environment.platform,
      cpus: environment.cpus,
      cpuModel: environment.cpuModel,
      node: environment.node,
    },
  };
}

/** The run's own bound: limits.runTimeout real seconds, or the user's interrupt. */
function runLimit(
  interrupt: AbortSignal,
  runTimeoutSeconds: number,
): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort('run timeout'), runTimeoutSeconds * 1000);
  return {
    signal: AbortSignal.any([interrupt, controller.signal]),
    clear: () => clearTimeout(timer),
  };
}

/** Why the run stopped before its end, when it was stopped rather than failed. */
function stopped(options: RunOptions, signal: AbortSignal): HarnessError | undefined {
  if (!signal.aborted) return undefined;
  if (options.signal.aborted) return new RunAbortedError(String(options.signal.reason ?? 'signal'));
  const { runTimeout } = options.scenario.limits;
  return new RunTimeoutError(`the run reached limits.runTimeout (${runTimeout} s) and stopped`, {
    fix: 'raise limits.runTimeout in the scenario, or lower timeScale so that it runs faster',
  });
}
