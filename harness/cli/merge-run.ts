import { join, relative, resolve } from 'node:path';
import { packageRoot } from '../../targets/package-root.js';
import { readRaceFit, readRunCalibration } from '../calibrate/calibration-file.js';
import { describeError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { runMerge } from '../merge/run-merge.js';
import { shardText } from '../report/shard-text.js';
import { renderTable } from '../report/table.js';
import { ensureReportsDir } from '../results/run-dir.js';
import type { MergeBlock } from '../results/shard-state.js';
import { describeEnvironment, describeMachine } from './environment.js';
import type { CliIo } from './io.js';
import type { MergeCommandOptions } from './merge-command.js';
import { reportGate } from './scenario-command.js';

/** Runs `merge`: prints the merged table (or summary.json), the merge's own lines, the gate. */
export async function mergeCommand(
  dirs: readonly string[],
  options: MergeCommandOptions,
  io: CliIo,
): Promise<ExitCode> {
  const reportsRoot =
    options.reportsDir === undefined
      ? join(packageRoot(), 'reports')
      : resolve(io.cwd, options.reportsDir);
  if (options.out === undefined) await ensureReportsDir(reportsRoot);
  const environment = await describeEnvironment();
  const result = await runMerge({
    dirs: dirs.map((d) => resolve(io.cwd, d)),
    reportsRoot,
    ...(options.out === undefined ? {} : { outDir: resolve(io.cwd, options.out) }),
    environment,
    calibration: await readRunCalibration(reportsRoot, describeMachine(environment)),
    machine: describeMachine(environment),
    raceFit: await readRaceFit(reportsRoot, describeMachine(environment)),
  });
  if (options.json) io.stdout.write(`${JSON.stringify(result.summary, null, 2)}\n`);
  else io.stdout.write(`${renderTable(result.summary)}\n`);
  const block = result.summary.merge;
  if (block !== undefined) io.stderr.write(`${mergeLines(block)}\n`);
  io.stderr.write(
    `merged: ${relative(io.cwd, result.dir) || '.'}/ (summary.json, requests.ndjson, report.html)\n`,
  );
  if (result.error !== undefined) {
    io.stderr.write(`${describeError(result.error)}\n`);
    return result.error.exitCode;
  }
  if (result.gate !== null) return await reportGate(result.gate, options.json === true, io);
  return ExitCode.Ok;
}

/** The merge block in a few lines: shards, missing share, starts, each shard's clock. */
export function mergeLines(block: MergeBlock): string {
  const ms = (x: number | null): string => (x === null ? 'not measured' : `${x.toFixed(2)} ms`);
  const lines = [`merge: ${shardText({ merge: block }).join('\n  ')}`];
  for (const s of block.present)
    lines.push(
      `  shard ${s.index}: ${s.taken} ${block.of}, start ${ms(s.startLatenessMs)} late by its clock, its wall clock ${ms(s.wallOffsetMs)} from the shards' median (through the target's clock), first on the target +${ms(s.firstOnTargetMs)}`,
    );
  return lines.join('\n');
}
