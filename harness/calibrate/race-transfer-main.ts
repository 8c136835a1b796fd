#!/usr/bin/env node
/**
 * `node dist/harness/calibrate/race-transfer-main.js [--in reports/race-sweep.json] [--json]`:
 * fits the race mechanism on the measured sweep (race-sweep-main.js) leaving each configuration
 * out in turn, and prints the out-of-sample table (race-transfer.ts), beside the stickiness a
 * scenario run would use today (the shipped calibration). Pure arithmetic on the file: runs no
 * server.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../../targets/package-root.js';
import { describeEnvironment, describeMachine } from '../cli/environment.js';
import { fitRace } from '../model/race-mechanism.js';
import { ACCEPT_RACE_SERVERS } from '../model/server-kinds.js';
import { balancedStickiness, parseCalibration } from './calibration.js';
import { SHIPPED_CALIBRATION } from './calibration-file.js';
import { RACE_FIT_FILE, type RaceFit, writeRaceFit } from './race-fit-file.js';
import type { SweepMeasurement } from './race-sweep.js';
import { mechanismBetter, observationOf, renderTransfer, transferTable } from './race-transfer.js';

const args = process.argv.slice(2);
const i = args.indexOf('--in');
const file = i < 0 ? join(packageRoot(), 'reports', 'race-sweep.json') : (args[i + 1] ?? '');
const sweep = JSON.parse(await readFile(file, 'utf8')) as {
  measuredAt: string;
  configurations: SweepMeasurement[];
};
const shipped = parseCalibration(JSON.parse(await readFile(SHIPPED_CALIBRATION(), 'utf8')));
if (!shipped.ok) throw new Error(`shipped calibration: ${shipped.message}`);
const stickinessOf = (m: SweepMeasurement): number => {
  const entry = shipped.calibration.servers[m.server];
  if (m.replicas <= 1) return entry?.direct?.stickiness ?? 0;
  const balanced = entry?.balanced;
  return balanced === undefined
    ? 0
    : balancedStickiness(balanced.stickiness, balanced.configuration.replicas, m.replicas);
};
const objective = args.includes('--fit-waits') ? 'shares+waits' : 'shares';
const rows = transferTable(sweep.configurations, stickinessOf, 200, 60, objective);
process.stdout.write(
  args.includes('--json') ? `${JSON.stringify(rows, null, 2)}\n` : `${renderTransfer(rows)}\n`,
);
// --write: fit each server on all its configurations and store the fit for the planner, for the
// servers whose mechanism predicted the held-out configurations better than today's stickiness.
const w = args.indexOf('--write');
if (w >= 0) {
  const out = args[w + 1] ?? join(packageRoot(), 'reports', RACE_FIT_FILE);
  const servers: RaceFit['servers'] = {};
  for (const server of ACCEPT_RACE_SERVERS) {
    const mine = sweep.configurations.filter((m) => m.server === server);
    if (mine.length === 0) continue;
    const verdict = mechanismBetter(rows.filter((r) => r.server === server));
    process.stderr.write(`${server}: ${verdict.text}\n`);
    if (!verdict.better) continue;
    const observations = mine.map(observationOf);
    const fit = fitRace(observations, 60, objective);
    const spacings = observations.map((o) => o.spacing).sort((a, b) => a - b);
    servers[server] = {
      returnTime: fit.returnTime,
      wakeTime: fit.wakeTime,
      spacing: spacings[Math.floor(spacings.length / 2)] ?? 0,
      fittedOn: mine.map((m) => m.name),
    };
  }
  await writeRaceFit(out, {
    schemaVersion: 1,
    machine: describeMachine(await describeEnvironment()),
    measuredAt: sweep.measuredAt,
    objective,
    servers,
  });
  process.stderr.write(`written: ${out}\n`);
}
