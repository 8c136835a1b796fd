#!/usr/bin/env node
/**
 * `node dist/harness/calibrate/race-transfer-main.js [--in reports/race-sweep.json] [--json]
 * [--fit-waits] [--write [file]]`: fits the race mechanism on the measured sweep
 * (race-sweep-main.js) leaving each configuration out in turn, and prints the out-of-sample
 * table (race-transfer.ts), beside the stickiness a scenario run on this machine would use
 * without it (its own calibration, or the one shipped for a machine like it); `--write` stores the fit for the planner and scenario runs. Pure
 * arithmetic on the file: runs no server. `npm run calibrate -- --race-sweep` does the same
 * after measuring.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../../targets/package-root.js';
import { describeEnvironment, describeMachine } from '../cli/environment.js';
import { ExitCode } from '../exit-codes.js';
import { calibrationFor } from './calibration-file.js';
import { raceCalibration, type SweepFile } from './race-calibration.js';
import { RACE_FIT_FILE, writeRaceFit } from './race-fit-file.js';
import { renderTransfer } from './race-transfer.js';

const args = process.argv.slice(2);
const i = args.indexOf('--in');
const file = i < 0 ? join(packageRoot(), 'reports', 'race-sweep.json') : (args[i + 1] ?? '');
const sweep = await readSweep(file);

const objective = args.includes('--fit-waits') ? 'shares+waits' : 'shares';
const machine = describeMachine(await describeEnvironment());
// Judged against the stickiness a run on this machine uses (its own calibration, or the one
// shipped for a machine like it); the sweep file does not say which machine measured it.
const against = await calibrationFor(join(packageRoot(), 'reports'), machine);
if (against === undefined) throw new Error('no calibration to judge the mechanism against');
process.stderr.write(`judged against the stickiness of ${against.file}\n`);
const result = raceCalibration(sweep, against.calibration, machine, objective);
process.stdout.write(
  args.includes('--json')
    ? `${JSON.stringify(result.rows, null, 2)}\n`
    : `${renderTransfer(result.rows)}\n`,
);
const w = args.indexOf('--write');
if (w >= 0) {
  for (const v of result.verdicts) process.stderr.write(`${v.server}: ${v.text}\n`);
  const next = args[w + 1];
  const out =
    next === undefined || next.startsWith('--')
      ? join(packageRoot(), 'reports', RACE_FIT_FILE)
      : next;
  await writeRaceFit(out, result.fit);
  process.stderr.write(`written: ${out}\n`);
}

/**
 * The sweep to judge, or exit 104 (invalid input) naming the file and the fix: a script run
 * before any sweep was measured is told how to make one, not shown a stack.
 */
async function readSweep(path: string): Promise<SweepFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return fail(
      `${path}: ${missing ? 'no such file' : (error as Error).message}`,
      'measure one with node dist/harness/calibrate/race-sweep-main.js, or pass --in harness/calibrate/shipped-race-sweep.json',
    );
  }
  try {
    const parsed = JSON.parse(text) as Partial<SweepFile>;
    if (Array.isArray(parsed.configurations)) return parsed as SweepFile;
  } catch {
    return fail(`${path}: not valid JSON`, 'pass a sweep written by race-sweep-main.js');
  }
  return fail(`${path}: no "configurations" array`, 'pass a sweep written by race-sweep-main.js');
}

function fail(message: string, fix: string): never {
  process.stderr.write(`error: ${message}\n  fix: ${fix}\n`);
  process.exit(ExitCode.InvalidInput);
}
