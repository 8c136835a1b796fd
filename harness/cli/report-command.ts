import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { ExitCode } from '../exit-codes.js';
import { writeReport } from '../report/write-report.js';
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
network) and rebuilds <reports-dir>/index.html, the list of runs. Exit codes: 0 written,
103 it could not be written, 104 the directory is missing or is not a run.`,
    )
    .action(async (runDir: string) => {
      setExit(await reportCommand(runDir, io));
    });
}

async function reportCommand(runDir: string, io: CliIo): Promise<ExitCode> {
  const written = await writeReport(resolve(io.cwd, runDir));
  const shown = (path: string) => relative(io.cwd, path) || '.';
  io.stdout.write(`report: ${shown(written.report)}\n`);
  if (written.index !== undefined) io.stdout.write(`index:  ${shown(written.index)}\n`);
  return ExitCode.Ok;
}
