import { appendFile, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { checkChanges, parseChangeThreshold } from '../compare/change-threshold.js';
import { compareRuns } from '../compare/compare-runs.js';
import { renderComparisonMarkdown, renderComparisonText } from '../compare/render-comparison.js';
import {
  describeError,
  RunDirInvalidError,
  ThresholdInvalidError,
  ThresholdsFailedError,
} from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { parseBaselineSummary } from '../gate/baseline-file.js';
import type { RunSummary } from '../results/summary.js';
import type { CompareOptions } from './compare-command.js';
import type { CliIo } from './io.js';

/** A run's summary.json, given its directory or the file itself. */
async function readSummary(ref: string, cwd: string): Promise<RunSummary> {
  const path = resolve(cwd, ref);
  let file = path;
  try {
    if ((await stat(path)).isDirectory()) file = join(path, 'summary.json');
  } catch {
    // Reported below, with the file that was looked for.
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new RunDirInvalidError(
      `${ref}: no run there (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}: ${file})`,
      {
        fix: 'give a run directory such as reports/contest-200/latest, or its summary.json',
        cause: error,
      },
    );
  }
  const parsed = parseBaselineSummary(text);
  if (!parsed.ok) throw new RunDirInvalidError(`${ref}: ${parsed.message}`, { fix: parsed.fix });
  return parsed.value;
}

/** Runs `compare` with options parsed by compare-command.ts. */
export async function compareCommand(
  beforeRef: string,
  afterRef: string,
  options: CompareOptions,
  io: CliIo,
): Promise<ExitCode> {
  const parsed = (options.threshold ?? []).map(parseChangeThreshold);
  const bad = parsed.filter((p) => !p.ok);
  if (bad.length > 0)
    throw new ThresholdInvalidError(bad.map((p) => (p.ok ? '' : p.message)).join('; '), {
      fix: bad[0] !== undefined && !bad[0].ok ? bad[0].fix : '',
    });
  const thresholds = parsed.flatMap((p) => (p.ok ? [p.value] : []));
  const [before, after] = await Promise.all([
    readSummary(beforeRef, io.cwd),
    readSummary(afterRef, io.cwd),
  ]);
  const comparison = compareRuns(before, after);
  const checks = checkChanges(comparison.rows, thresholds);
  const markdown = renderComparisonMarkdown(comparison, checks);
  if (options.json) io.stdout.write(`${JSON.stringify({ ...comparison, checks }, null, 2)}\n`);
  else if (options.markdown) io.stdout.write(markdown);
  else io.stdout.write(`${renderComparisonText(comparison, checks)}\n`);
  const stepSummary = io.env.GITHUB_STEP_SUMMARY;
  if (stepSummary !== undefined && stepSummary !== '')
    await appendFile(stepSummary, markdown).catch((error: unknown) => {
      io.stderr.write(
        `warning: cannot append to GITHUB_STEP_SUMMARY: ${(error as Error).message}\n`,
      );
    });
  const failed = checks.filter((c) => c.status === 'fail');
  if (failed.length === 0) return ExitCode.Ok;
  const error = new ThresholdsFailedError(
    `${failed.length} threshold check${failed.length === 1 ? '' : 's'} on the change failed:\n  ${failed
      .map(
        (c) =>
          `${c.threshold} on ${c.topology}: ${c.change === null ? 'n/a' : c.relative ? `${(c.change * 100).toFixed(1)}%` : c.change.toPrecision(3)}`,
      )
      .join('\n  ')}`,
    { fix: 'see the table above; a change beyond the threshold is a regression to look at' },
  );
  io.stderr.write(`${describeError(error)}\n`);
  return error.exitCode;
}
