import type { Command } from 'commander';
import type { ExitCode } from '../exit-codes.js';
import type { CliIo } from './io.js';

/** `report <run-dir>`: rebuild a run's report.html (and the index of runs) from its files. */
export function registerReportCommand(
  program: Command,
  io: CliIo,
  setExit: (code: ExitCode) => void,
): void {
  program
    .command('report')
    .description("rebuild a run's self-contained report.html from the files in its directory")
    .argument('<run-dir>', 'a run directory, e.g. reports/contest-200/latest')
    .addHelpText(
      'after',
      `
Writes <run-dir>/report.html (Vega, Vega-Lite and vega-embed inlined: it opens from disk with no
network) and rebuilds <reports-dir>/index.html, the list of runs.

Exit codes: 0 written, 1 internal error (a bug), 103 it could not be written, 104 the directory
is missing or is not a run.`,
    )
    .action(async (runDir: string) => {
      const { reportCommand } = await import('./report-run.js');
      setExit(await reportCommand(runDir, io));
    });
}
