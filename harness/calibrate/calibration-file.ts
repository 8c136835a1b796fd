import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../results/atomic-write.js';
import {
  CALIBRATION_FILE,
  type Calibration,
  type CalibrationState,
  parseCalibration,
} from './calibration.js';

/** Reads `<reports>/calibration.json`: loaded, absent, or unusable with the reason. */
export async function readCalibration(reportsRoot: string): Promise<CalibrationState> {
  const file = join(reportsRoot, CALIBRATION_FILE);
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

/** Writes the calibration atomically; returns the file's path. */
export async function writeCalibration(
  reportsRoot: string,
  calibration: Calibration,
): Promise<string> {
  const file = join(reportsRoot, CALIBRATION_FILE);
  await mkdir(reportsRoot, { recursive: true });
  await writeFileAtomic(file, `${JSON.stringify(calibration, null, 2)}\n`);
  return file;
}
