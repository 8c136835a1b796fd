import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AcceptRaceChoice, CalibrationState } from '../calibrate/calibration.js';
import { HarnessError, ResultsWriteError } from '../errors.js';
import type { GateOutcome } from '../gate/gate.js';
import { type GateConfig, hasGate, runGate } from '../gate/run-gate.js';
import { ObservationFiles } from '../observe/observation.js';
import { writeGateFiles } from '../report/write-gate-files.js';
import { writeReport } from '../report/write-report.js';
import { StagedFile, writeFileAtomic } from '../results/atomic-write.js';
import { noSuccessError } from '../results/no-success.js';
import { resultsWrite } from '../results/results-write.js';
import { createRunDir, makeDirectories, markLatest, runId } from '../results/run-dir.js';
import { summarizeFigureFidelity } from '../results/scenario-figures.js';
import type { MergeBlock, ShardBlock, ShardState, ShardStateFile } from '../results/shard-state.js';
import {
  type Environment,
  type RunSummary,
  startSummary,
  summarizeFidelity,
  type TopologySummary,
} from '../results/summary.js';
import { scenarioDocument } from '../scenario/document.js';
import type { Scenario } from '../scenario/types.js';
import type { TopologyResult } from './summarise.js';

/**
 * The run directory and every write to it, in one place:
 *
 *   create   ─► scenario.json, summary.json (no topology yet), <scenario>/latest
 *   append   ─► per topology: summary.json rewritten (atomically), requests and predictions
 *               appended to their .partial files, observations
 *   close    ─► summary.json final, .partial files committed, the gate's files, report.html
 *
 * so an interrupt or a failure keeps every finished measurement, and nothing else writes there.
 */
export class RunFiles {
  private readonly topologies: TopologySummary[] = [];
  /** Each topology's waits of the requests that succeeded, for the gate. */
  private readonly waits = new Map<string, number[]>();
  private calibration: RunSummary['calibration'];
  /** A shard's run: its place in the plan (summary.json) and what merge adds (shard-state.json). */
  private shard: ShardBlock | undefined;
  private shardStates: Record<string, ShardState> | undefined;
  /** A merged run: the shards it holds and misses. */
  private merge: MergeBlock | undefined;
  private readonly requests: StagedFile;
  private readonly predicted: StagedFile;
  private readonly observations: ObservationFiles;

  private constructor(
    readonly dir: string,
    private readonly head: RunSummary,
    private readonly scenario: Scenario,
  ) {
    this.requests = new StagedFile(join(dir, 'requests.ndjson'));
    this.predicted = new StagedFile(join(dir, 'predicted.ndjson'));
    this.observations = new ObservationFiles(dir, scenario);
  }

  /** Creates the run directory and its first files. */
  static async create(
    reportsRoot: string,
    scenario: Scenario,
    startedAt: Date,
    environment: Environment,
    /** Write here instead of <reportsRoot>/<scenario>/<run-id> (merge --out); no `latest` link. */
    outDir?: string,
  ): Promise<RunFiles> {
    const id = runId(startedAt, randomBytes(2).toString('hex'));
    const made =
      outDir === undefined
        ? createRunDir(reportsRoot, scenario.name, id)
        : makeDirectories(outDir).then(() => outDir);
    const dir = await made.catch((error: unknown) => {
      throw new ResultsWriteError(
        `cannot create the run directory ${outDir ?? `under ${reportsRoot}`}: ${(error as Error).message}`,
        {
          fix: 'check that the reports directory is writable and the disk has room',
          cause: error,
        },
      );
    });
    const files = new RunFiles(dir, startSummary(scenario, id, startedAt, environment), scenario);
    await resultsWrite(join(dir, 'scenario.json'), () =>
      writeFileAtomic(
        join(dir, 'scenario.json'),
        `${JSON.stringify(scenarioDocument(scenario), null, 2)}\n`,
      ),
    );
    await files.save();
    if (outDir === undefined)
      await resultsWrite(join(reportsRoot, scenario.name, 'latest'), () =>
        markLatest(reportsRoot, scenario.name, id),
      );
    return files;
  }

  /** The run's calibration in the summary, once, when a topology's model first depends on it. */
  noteCalibration(choice: AcceptRaceChoice, calibration: CalibrationState): void {
    if (choice.server === null || this.calibration !== undefined) return;
    this.calibration = { file: calibration.file, state: calibration.state, note: choice.note };
  }

  /** A shard's run: its block in summary.json, written at once (a killed shard still names its share). */
  async noteShard(block: ShardBlock): Promise<void> {
    this.shard = block;
    await this.save();
  }

  /** A shard's run: what merge needs of a topology (shard-state.json), written at once. */
  async keepShardState(topology: string, state: ShardState): Promise<void> {
    this.shardStates = { ...(this.shardStates ?? {}), [topology]: state };
    const file = join(this.dir, 'shard-state.json');
    const content: ShardStateFile = { schemaVersion: 1, topologies: this.shardStates };
    await resultsWrite(file, () => writeFileAtomic(file, `${JSON.stringify(content)}\n`));
  }

  /** A merged run: its block in summary.json, written with the next save. */
  noteMerge(block: MergeBlock): void {
    this.merge = block;
  }

  /** Adds a finished topology: its summary, requests, predictions and observations. */
  async append({ summary, measurement, predicted }: TopologyResult): Promise<void> {
    this.topologies.push(summary);
    const { records } = measurement;
    await resultsWrite(this.dir, () => this.observations.append(measurement.observed));
    if (records.length > 0) {
      await resultsWrite(this.requests.partialPath, () =>
        this.requests.append(`${records.map((r) => JSON.stringify(r)).join('\n')}\n`),
      );
    }
    this.waits.set(
      summary.name,
      records.filter((r) => r.error === null && r.wait !== null).map((r) => r.wait as number),
    );
    if (predicted.length > 0) {
      await resultsWrite(this.predicted.partialPath, () =>
        this.predicted.append(`${predicted.map((r) => JSON.stringify(r)).join('\n')}\n`),
      );
    }
    await this.save();
  }

  /**
   * The closing writes, each tried even when one before failed (the first failure is the run's),
   * then the gate of a complete run and the report.
   */
  async close(
    ended: { error: HarnessError | undefined; planned: number; finishedAt: Date },
    gateConfig: GateConfig | undefined,
  ): Promise<{ summary: RunSummary; error: HarnessError | undefined; gate: GateOutcome | null }> {
    let { error } = ended;
    let complete = error === undefined && this.topologies.length === ended.planned;
    // Every topology ran, but one answered nothing: the run fails, and is not judged (issue 17).
    error ??= noSuccessError(this.topologies, this.scenario.expectErrors === true);
    const finishedAt = ended.finishedAt.toISOString();
    const finish = async (file: string, write: () => Promise<void>): Promise<void> => {
      try {
        await resultsWrite(file, write);
      } catch (writeError) {
        if (!(writeError instanceof ResultsWriteError)) throw writeError;
        error ??= writeError;
        complete = false;
      }
    };
    await finish(join(this.dir, 'summary.json'), () => this.save({ complete, finishedAt }));
    await finish(this.requests.path, () => this.requests.commit());
    await finish(this.predicted.path, () => this.predicted.commit());
    await finish(this.dir, () => this.observations.commit());
    const summary = this.summary({ complete, finishedAt });
    let gate: GateOutcome | null = null;
    if (gateConfig !== undefined && hasGate(gateConfig) && error === undefined) {
      const outcome = runGate(summary, this.waits, gateConfig);
      gate = outcome;
      await finish(this.dir, () => writeGateFiles(this.dir, outcome));
    }
    try {
      await writeReport(this.dir);
    } catch (reportError) {
      if (!(reportError instanceof HarnessError)) throw reportError;
      error ??= reportError;
    }
    return { summary, error, gate };
  }

  /** summary.json as it stands: one whole object, built afresh for each write. */
  private summary(end?: { complete: boolean; finishedAt: string }): RunSummary {
    const fidelity = summarizeFidelity(this.topologies, this.scenario.timeScale);
    const figureFidelity = summarizeFigureFidelity(this.topologies);
    return {
      ...this.head,
      ...(end === undefined ? {} : end),
      topologies: [...this.topologies],
      ...(fidelity === undefined ? {} : { fidelity }),
      ...(figureFidelity === undefined ? {} : { figureFidelity }),
      ...(this.calibration === undefined ? {} : { calibration: this.calibration }),
      ...(this.shard === undefined ? {} : { shard: this.shard }),
      ...(this.merge === undefined ? {} : { merge: this.merge }),
    };
  }

  private async save(end?: { complete: boolean; finishedAt: string }): Promise<void> {
    const file = join(this.dir, 'summary.json');
    try {
      await writeFileAtomic(file, `${JSON.stringify(this.summary(end), null, 2)}\n`);
    } catch (error) {
      throw new ResultsWriteError(`cannot write ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}
