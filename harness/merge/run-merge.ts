import type { CalibrationState, Machine } from '../calibrate/calibration.js';
import type { RaceFitState } from '../calibrate/race-fit-file.js';
import { type HarnessError, ResultsWriteError, ShardsMissingError } from '../errors.js';
import type { GateConfig } from '../gate/run-gate.js';
import type { Environment } from '../results/summary.js';
import { planRun } from '../run/plan.js';
import { RunFiles } from '../run/run-files.js';
import { planContext, predictAndSummarise, type RunResult } from '../run/run-scenario.js';
import { mergeShards } from './merge-shards.js';
import { readShards } from './read-shards.js';

/**
 * `merge`: shards of one plan into one run directory, written as a single run writes it. The
 * plan is made again from the scenario the shards ran (the same scenario and seed give the same
 * plan), the measurement is the shards' added exactly (merge-shards.ts), and from there the
 * steps are a single run's own: the model on the plan, the summary, requests.ndjson (tagged by
 * shard), predicted.ndjson, the gate on the merged data and report.html.
 *
 *   read + check shards ─► plan ─► merge ─► predict ─► summarise ─► RunFiles (gate, report)
 */
export interface MergeOptions {
  dirs: readonly string[];
  reportsRoot: string;
  /** Write the merged run here instead of <reportsRoot>/<scenario>/<run-id>. */
  outDir?: string;
  environment: Environment;
  calibration?: CalibrationState;
  machine?: Machine;
  raceFit?: RaceFitState;
  now?: () => Date;
}

export interface MergeResult extends RunResult {
  /** The shards missing from the plan (none: the merge is whole). */
  missing: number;
}

export async function runMerge(options: MergeOptions): Promise<MergeResult> {
  const now = options.now ?? (() => new Date());
  const { shards, scenario } = await readShards(options.dirs);
  const context = planContext(options);
  const plan = planRun(scenario, context);
  const merged = mergeShards(
    shards,
    plan.topologies.map((t) => ({ name: t.topology.name, clock: t.run.clock })),
  );
  const files = await RunFiles.create(
    options.reportsRoot,
    scenario,
    now(),
    options.environment,
    options.outDir,
  );
  files.noteMerge(merged.block);
  let error: HarnessError | undefined;
  try {
    for (const topology of plan.topologies) {
      const measured = merged.measurements.get(topology.topology.name);
      if (measured === undefined) continue;
      files.noteCalibration(topology.acceptRace, context.calibration);
      await files.append(predictAndSummarise(topology, measured));
    }
  } catch (writeError) {
    if (!(writeError instanceof ResultsWriteError)) throw writeError;
    error = writeError;
  }
  const { missing, missingShare, count, of } = merged.block;
  if (error === undefined && missing.length > 0)
    error = new ShardsMissingError(
      `${missing.length} of ${count} shards missing, ${(missingShare * 100).toFixed(1)}% of the plan's ${of}: ${missing.map((m) => `shard ${m.index} (${m.taken} ${of}: ${m.why})`).join('; ')}`,
      {
        fix: 'the merged run holds the shards present, marked incomplete; run the missing shards again (same scenario, seed and --shard) and merge every shard',
      },
    );
  const gate: GateConfig = { thresholds: scenario.thresholds ?? [], baseline: null };
  const closed = await files.close(
    { error, planned: plan.topologies.length, finishedAt: now() },
    gate,
  );
  return { ...closed, dir: files.dir, missing: missing.length };
}
