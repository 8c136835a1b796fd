import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../../targets/package-root.js';
import { ACCEPT_RACE_SERVERS, type AcceptRaceServer } from '../model/server-kinds.js';
import { type Machine, sameMachine } from './calibration.js';
import { shippedFiles } from './calibration-file.js';

/**
 * reports/race-mechanism.json: the accept race's mechanism (harness/model/race-mechanism.ts)
 * fitted per server on this machine's transfer sweep (race-sweep.ts), written by
 * race-transfer-main.js --write. The planner uses it for kinds whose workers race, before the
 * one-number stickiness of calibration.json. Copies made on the kinds of machine the harness is
 * developed on ship with it (shipped-race-mechanism.json, 2 x AMD EPYC; one
 * shipped-race-mechanism-<machine>.json per other kind), each used on a machine like its own.
 */

export const RACE_FIT_FILE = 'race-mechanism.json';

export interface ServerRaceFit {
  /** Real seconds (race-mechanism.ts). */
  returnTime: number;
  wakeTime: number;
  /** Real seconds between two connections of a burst as this machine's client opens them. */
  spacing: number;
  /** The sweep configurations it was fitted on. */
  fittedOn: string[];
}

export interface RaceFit {
  schemaVersion: 1;
  machine: Machine;
  measuredAt: string;
  objective: string;
  servers: Partial<Record<AcceptRaceServer, ServerRaceFit>>;
}

const fitSchema = z.object({
  returnTime: z.number().gt(0),
  wakeTime: z.number().gt(0),
  spacing: z.number().min(0),
  fittedOn: z.array(z.string()),
});
const fileSchema = z.object({
  schemaVersion: z.literal(1),
  machine: z.object({
    hostname: z.string(),
    platform: z.string(),
    cpus: z.number(),
    cpuModel: z.string(),
    node: z.string(),
  }),
  measuredAt: z.string(),
  objective: z.string(),
  servers: z.partialRecord(z.enum(ACCEPT_RACE_SERVERS as [AcceptRaceServer]), fitSchema),
});

export const SHIPPED_RACE_FIT = (): string =>
  join(packageRoot(), 'harness', 'calibrate', 'shipped-race-mechanism.json');

/** Every shipped race fit, the first one (SHIPPED_RACE_FIT) first. */
export function shippedRaceFitFiles(): string[] {
  return shippedFiles('shipped-race-mechanism');
}

/** The fit a question on `here` uses: this machine's, or the shipped one on a like machine. */
export type RaceFitState =
  | { state: 'own' | 'shipped'; file: string; fit: RaceFit }
  | { state: 'none'; reason: string };

async function readFit(file: string): Promise<RaceFit | string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT'
      ? `no ${file}`
      : (error as Error).message;
  }
  try {
    const parsed = fileSchema.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as RaceFit) : `${file} is not a race fit`;
  } catch {
    return `${file} is not valid JSON`;
  }
}

export async function readRaceFit(reportsRoot: string, here: Machine): Promise<RaceFitState> {
  const own = join(reportsRoot, RACE_FIT_FILE);
  const mine = await readFit(own);
  if (typeof mine !== 'string' && sameMachine(mine.machine, here))
    return { state: 'own', file: own, fit: mine };
  for (const file of shippedRaceFitFiles()) {
    const shipped = await readFit(file);
    if (typeof shipped !== 'string' && sameMachine(shipped.machine, here))
      return { state: 'shipped', file, fit: shipped };
  }
  return {
    state: 'none',
    reason:
      typeof mine === 'string'
        ? mine
        : `${own} was made on another machine (${mine.machine.cpuModel})`,
  };
}

export async function writeRaceFit(file: string, fit: RaceFit): Promise<void> {
  await writeFile(file, `${JSON.stringify(fit, null, 2)}\n`);
}
