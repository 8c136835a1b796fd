import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../../targets/package-root.js';
import { writeFileAtomic } from '../results/atomic-write.js';
import { makeDirectories } from '../results/run-dir.js';
import {
  CALIBRATION_FILE,
  type Calibration,
  type CalibrationState,
  parseCalibration,
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
 * The calibration shipped with the harness: `npm run calibrate` on the machine the harness is
 * developed and tested on (2 x AMD EPYC, linux x64), so that a first run on a machine like it
 * has a measured accept race before the user calibrates. It applies only where the machine
 * matches (sameMachine); the run's notes say whose calibration was used.
 */
export const SHIPPED_CALIBRATION = (): string =>
  join(packageRoot(), 'harness', 'calibrate', 'shipped-calibration.json');

/**
 * The calibration a scenario run uses: `<reports>/calibration.json` when there is one (even an
 * unusable one, whose reason is reported), otherwise the shipped one as state `shipped`.
 */
export async function readRunCalibration(reportsRoot: string): Promise<CalibrationState> {
  const own = await readCalibration(reportsRoot);
  if (own.state !== 'absent') return own;
  const shipped = await readCalibrationFile(SHIPPED_CALIBRATION());
  return shipped.state === 'loaded' ? { ...shipped, state: 'shipped' } : own;
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
