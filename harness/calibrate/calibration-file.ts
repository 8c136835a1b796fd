import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../../targets/package-root.js';
import { writeFileAtomic } from '../results/atomic-write.js';
import { makeDirectories } from '../results/run-dir.js';
import {
  CALIBRATION_FILE,
  type Calibration,
  type CalibrationState,
  type Machine,
  parseCalibration,
  sameMachine,
} from './calibration.js';

/** Reads `<reports>/calibration.json`: loaded, absent, or unusable with the reason. */
export async function readCalibration(reportsRoot: string): Promise<CalibrationState> {
  return readCalibrationFile(join(reportsRoot, CALIBRATION_FILE));
}

/** One calibration file as found: loaded, absent, or present but unusable (and why). */
export async function readCalibrationFile(file: string): Promise<CalibrationState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent', file };
    return { state: 'unusable', file, reason: (error as Error).message };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { state: 'unusable', file, reason: 'not valid JSON' };
  }
  const parsed = parseCalibration(value);
  return parsed.ok
    ? { state: 'loaded', file, calibration: parsed.calibration }
    : { state: 'unusable', file, reason: parsed.message };
}

/**
 * The calibrations shipped with the harness: `npm run calibrate` on the kinds of machine the
 * harness is developed and tested on, so that a first run on a machine like one of them has a
 * measured accept race before the user calibrates: `shipped-calibration.json` (2 x AMD EPYC,
 * linux x64) and one `shipped-calibration-<machine>.json` per other kind. One applies only where
 * the machine matches (sameMachine); the run's notes say whose calibration was used.
 */
export const SHIPPED_CALIBRATION = (): string =>
  join(packageRoot(), 'harness', 'calibrate', 'shipped-calibration.json');

/** Every shipped calibration file, the first one (SHIPPED_CALIBRATION) first. */
export function shippedCalibrationFiles(): string[] {
  return shippedFiles('shipped-calibration');
}

/**
 * The files shipped in harness/calibrate under `stem`: `<stem>.json` (made on the first kind of
 * machine) first, then each `<stem>-<machine>.json` in name order.
 */
export function shippedFiles(stem: string): string[] {
  const dir = join(packageRoot(), 'harness', 'calibrate');
  const others = readdirSync(dir)
    .filter((name) => name.startsWith(`${stem}-`) && /^[a-z0-9-]+\.json$/.test(name))
    .sort()
    .map((name) => join(dir, name));
  return [join(dir, `${stem}.json`), ...others];
}

/**
 * The calibration a scenario run uses: `<reports>/calibration.json` when there is one (even an
 * unusable one, whose reason is reported), otherwise the shipped one made on a machine like
 * `here` as state `shipped`, or, where none was, the first shipped one (whose machine the run's
 * notes then name as another).
 */
export async function readRunCalibration(
  reportsRoot: string,
  here?: Machine,
): Promise<CalibrationState> {
  const own = await readCalibration(reportsRoot);
  if (own.state !== 'absent') return own;
  return (await readShippedCalibration(here)) ?? own;
}

/**
 * The shipped calibration made on a machine like `here` (any, when `here` is not given), or,
 * where none was, the first shipped one that can be read; undefined when none can.
 */
async function readShippedCalibration(
  here?: Machine,
): Promise<(CalibrationState & { state: 'shipped' }) | undefined> {
  let first: (CalibrationState & { state: 'shipped' }) | undefined;
  for (const file of shippedCalibrationFiles()) {
    const found = await readCalibrationFile(file);
    if (found.state !== 'loaded') continue;
    const shipped = { ...found, state: 'shipped' as const };
    if (here === undefined || sameMachine(found.calibration.machine, here)) return shipped;
    first ??= shipped;
  }
  return first;
}

/**
 * The calibration the stickiness of a run on `here` comes from, to judge the race mechanism
 * against: `<reports>/calibration.json` when it was made on a machine like `here`, otherwise the
 * shipped one made on a machine like it, otherwise the first shipped one (state `shipped`, its
 * machine another); undefined when none can be read.
 */
export async function calibrationFor(
  reportsRoot: string,
  here: Machine,
): Promise<(CalibrationState & { state: 'loaded' | 'shipped' }) | undefined> {
  const own = await readCalibration(reportsRoot);
  if (own.state === 'loaded' && sameMachine(own.calibration.machine, here)) return own;
  return readShippedCalibration(here);
}

/** Writes the calibration atomically; returns the file's path. */
export async function writeCalibration(
  reportsRoot: string,
  calibration: Calibration,
): Promise<string> {
  const file = join(reportsRoot, CALIBRATION_FILE);
  await makeDirectories(reportsRoot);
  await writeFileAtomic(file, `${JSON.stringify(calibration, null, 2)}\n`);
  return file;
}

/** The race mechanism's fit, loaded with the calibration where a run needs both (race-fit-file.ts). */
export { readRaceFit } from './race-fit-file.js';
