import { relative, resolve } from 'node:path';
import { ExitCode } from '../exit-codes.js';
import { writeReport } from '../report/write-report.js';
import type { CliIo } from './io.js';

/** Runs `report`: loaded only when it runs, so its help answers at once. */
export async function reportCommand(runDir: string, io: CliIo): Promise<ExitCode> {
  const written = await writeReport(resolve(io.cwd, runDir));
  const shown = (path: string) => relative(io.cwd, path) || '.';
  io.stdout.write(`report: ${shown(written.report)}\n`);
  if (written.index !== undefined) io.stdout.write(`index:  ${shown(written.index)}\n`);
  return ExitCode.Ok;
}
