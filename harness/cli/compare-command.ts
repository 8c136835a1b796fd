import type { Command } from 'commander';
import { COMPARE_FIGURE_KEYS } from '../compare/compare-runs.js';
import type { ExitCode } from '../exit-codes.js';
import type { CliIo } from './io.js';
import { collect } from './options.js';

export interface CompareOptions {
  threshold?: string[];
  markdown?: boolean;
  json?: boolean;
}

/**
 * `compare <before> <after>`: two finished runs side by side, the change of every figure,
 * thresholds on the change, Markdown for a pull-request comment. What it runs is in
 * compare-run.ts, loaded only when it runs.
 */
export function registerCompareCommand(
  program: Command,
  io: CliIo,
  setExit: (code: ExitCode) => void,
): void {
  program
    .command('compare')
    .description('set two finished runs side by side with the change of every figure')
    .argument(
      '<before>',
      'the earlier run: its directory (e.g. reports/contest-200/<run-id>) or summary.json',
    )
    .argument('<after>', 'the later run, the same way (e.g. reports/contest-200/latest)')
    .option(
      '--threshold <figure op change>',
      'fail (exit 99) when a change passes this, e.g. "p95Wait<+10%", "throughput>=-5%", "makespan<+2s" (repeatable)',
      collect,
    )
    .option('--markdown', 'print Markdown for a pull-request comment instead of the table')
    .option('--json', 'print the comparison as JSON instead of the table')
    .addHelpText(
      'after',
      `
Figures: ${COMPARE_FIGURE_KEYS.join(', ')}. Topologies are matched by name; times are scenario
seconds. A change is after - before; a threshold's change is relative with %, otherwise absolute
in the figure's unit (a duration for times).
With $GITHUB_STEP_SUMMARY set, the Markdown is appended to it.

Exit codes: 0 compared (every threshold held), 1 internal error (a bug), 99 a threshold on the
change failed, 104 a run that cannot be read or a threshold that does not parse.`,
    )
    .action(async (before: string, after: string, options: CompareOptions) => {
      const { compareCommand } = await import('./compare-run.js');
      setExit(await compareCommand(before, after, options, io));
    });
}
