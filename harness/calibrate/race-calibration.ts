import { fitRace, type RaceObjective } from '../model/race-mechanism.js';
import { ACCEPT_RACE_SERVERS, type AcceptRaceServer } from '../model/server-kinds.js';
import {
  acceptRaceChoice,
  CALIBRATION_FILE,
  type Calibration,
  type Machine,
} from './calibration.js';
import type { RaceFit } from './race-fit-file.js';
import type { SweepMeasurement } from './race-sweep.js';
import {
  mechanismBetter,
  observationOf,
  plannedSpacing,
  type TransferRow,
  transferTable,
} from './race-transfer.js';

/** A measured transfer sweep as race-sweep-main.js and `npm run calibrate -- --race-sweep` write it. */
export interface SweepFile {
  measuredAt: string;
  bursts?: number;
  configurations: SweepMeasurement[];
}

export interface RaceCalibration {
  /** The out-of-sample table: each configuration predicted from the server's others. */
  rows: TransferRow[];
  /** Per server measured, whether the mechanism beat the stickiness out of sample, in words. */
  verdicts: Array<{ server: AcceptRaceServer; better: boolean; text: string }>;
  /** The mechanism fitted on all of a server's configurations, for the servers where it won. */
  fit: RaceFit;
}

/** Simulated bursts per evaluation: of each held-out prediction, and inside the fit. */
export interface RaceCalibrationRuns {
  predict: number;
  fit: number;
}

export const DEFAULT_RACE_RUNS: RaceCalibrationRuns = { predict: 200, fit: 60 };

/**
 * From a measured sweep to the race mechanism's calibration (pure): the leave-one-out table,
 * judged against the one-number stickiness of `calibration` (s_balanced^(R/R_cal) behind the
 * balancer, gunicorn gthread's scaled by its threads: acceptRaceChoice, as scenario runs use
 * it), and the fit stored only for the servers whose mechanism
 * predicted their held-out configurations better (mean absolute relative error over the rows and
 * the four wait figures): elsewhere the planner keeps the stickiness.
 */
export function raceCalibration(
  sweep: SweepFile,
  calibration: Calibration,
  machine: Machine,
  objective: RaceObjective = 'shares',
  runs: RaceCalibrationRuns = DEFAULT_RACE_RUNS,
): RaceCalibration {
  // The stickiness a scenario run would use for the configuration: the same rules, one place.
  const loaded = { state: 'loaded', file: CALIBRATION_FILE, calibration } as const;
  const stickinessOf = (m: SweepMeasurement): number =>
    acceptRaceChoice(m.server, m.replicas, loaded, calibration.machine, { threads: m.threads })
      .stickiness;
  const rows = transferTable(sweep.configurations, stickinessOf, runs.predict, runs.fit, objective);
  const servers: RaceFit['servers'] = {};
  const verdicts: RaceCalibration['verdicts'] = [];
  for (const server of ACCEPT_RACE_SERVERS) {
    const mine = sweep.configurations.filter((m) => m.server === server);
    const held = rows.filter((r) => r.server === server);
    if (mine.length === 0 || held.length === 0) continue;
    const verdict = mechanismBetter(held);
    verdicts.push({ server, ...verdict });
    if (!verdict.better) continue;
    const observations = mine.map(observationOf);
    const fit = fitRace(observations, runs.fit, objective);
    servers[server] = {
      returnTime: fit.returnTime,
      wakeTime: fit.wakeTime,
      spacing: plannedSpacing(observations),
      fittedOn: mine.map((m) => m.name),
    };
  }
  return {
    rows,
    verdicts,
    fit: { schemaVersion: 1, machine, measuredAt: sweep.measuredAt, objective, servers },
  };
}
