import type { Command } from 'commander';
import type { ExitCode } from '../exit-codes.js';
import type { CliIo } from './io.js';

/** The options of `merge`, as commander parses them. */
export interface MergeCommandOptions {
  out?: string;
  reportsDir?: string;
  json?: boolean;
}

/**
 * `merge <dir...>`: shards of one plan (runs made with --shard) into one run, exactly, judged by
 * the scenario's thresholds. What it runs is in merge-run.ts, loaded only when it runs.
 */
export function registerMergeCommand(
  program: Command,
  io: CliIo,
  setExit: (code: ExitCode) => void,
): void {
  program
    .command('merge')
    .description("merge the run directories of one plan's shards into one run, exactly")
    .argument('<dir...>', "the shards' run directories (runs made with --shard i/N), each once")
    .option(
      '--out <dir>',
      'write the merged run to this directory instead of <reports-dir>/<scenario>/<run-id> (linked as latest)',
    )
    .option(
      '--reports-dir <dir>',
      'where the merged run goes without --out, and where the calibration is read (default: reports/)',
    )
    .option('--json', 'print the merged summary.json to stdout instead of the table')
    .addHelpText(
      'after',
      `
Checks that the directories are shards of one plan (the same plan hash and shard count, no shard
twice), adds them exactly (HDR histograms bucket by bucket, counts and sums, requests tagged with
their shard), runs the model on the plan, and writes summary.json (with a "merge" block: shards
present and missing, the share missing, the start spread, the dispatch spread the target saw),
requests.ndjson, predicted.ndjson and report.html as a single run does; the scenario's thresholds
are judged on the merged data. npm run report and npm run compare read the merged run.

Exit codes: 0 merged (every threshold passed), 1 internal error (a bug), 99 a threshold failed,
103 the merged run could not be written, 104 directories that are not shards of one plan (another
plan, a shard given twice, not a shard's run), 106 a check failed while the machine was too busy
to judge, 107 shards missing: the merged run holds those present and names the missing share.`,
    )
    .action(async (dirs: string[], options: MergeCommandOptions) => {
      const { mergeCommand } = await import('./merge-run.js');
      setExit(await mergeCommand(dirs, options, io));
    });
}
