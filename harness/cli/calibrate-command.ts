import { type Command, Option } from 'commander';
import { neutralConfiguration, RACE_PATHS, type RacePath } from '../calibrate/calibration.js';
import type { ExitCode } from '../exit-codes.js';
import { ACCEPT_RACE_SERVERS, type AcceptRaceServer } from '../model/server-kinds.js';
import { collectChoice } from './choices.js';
import type { CliIo } from './io.js';
import { wholeNumber } from './options.js';

export interface CalibrateOptions {
  server?: AcceptRaceServer[];
  path?: RacePath[];
  bursts?: number;
  reportsDir?: string;
  json?: boolean;
  /** Measure the race mechanism's transfer sweep instead, fit it and judge it out of sample. */
  raceSweep?: boolean;
  /** Bursts per sweep configuration. */
  sweepBursts?: number;
  /** Fit and judge an already measured sweep file instead of measuring one. */
  sweepFrom?: string;
}

/** Bursts per sweep configuration unless --sweep-bursts says otherwise (about 5 minutes in all). */
export const DEFAULT_SWEEP_BURSTS = 6;

/** Bursts per configuration unless --bursts says otherwise: the calibration's own default. */
const DEFAULT_BURSTS = neutralConfiguration('gthread', 'direct').bursts;

/**
 * `calibrate`: measures the accept race of each server with per-worker queues on this machine
 * and stores the fitted stickiness in <reports-dir>/calibration.json, which scenario runs read.
 * What it runs is in calibrate-run.ts, loaded only when it runs.
 */
export function registerCalibrateCommand(
  program: Command,
  io: CliIo,
  setExit: (code: ExitCode) => void,
): void {
  program
    .command('calibrate')
    .description(
      "measure how unevenly each server's workers share a burst's connections on this machine, and store the accept race's stickiness for the model",
    )
    .addOption(
      new Option(
        '--server <name>',
        `calibrate only this server (repeatable): ${ACCEPT_RACE_SERVERS.join(', ')}`,
      ).argParser(collectChoice(ACCEPT_RACE_SERVERS)),
    )
    .addOption(
      new Option(
        '--path <path>',
        'calibrate only direct, balanced or haproxy (the emulated gthread behind haproxy) connections (repeatable)',
      ).argParser(collectChoice(RACE_PATHS)),
    )
    .addOption(
      new Option('--bursts <n>', 'bursts per configuration')
        .argParser(wholeNumber(2, 200))
        .default(DEFAULT_BURSTS),
    )
    .option(
      '--race-sweep',
      "instead: measure the race mechanism's sweep (real gunicorn gthread, uvicorn, gunicorn's uvicorn workers and the emulated gthread in many shapes), fit it leaving each configuration out, print the out-of-sample table and store the fit where it beats the stickiness",
    )
    .addOption(
      new Option('--sweep-bursts <n>', 'with --race-sweep: bursts per sweep configuration')
        .argParser(wholeNumber(2, 50))
        .default(DEFAULT_SWEEP_BURSTS),
    )
    .option(
      '--sweep-from <file>',
      'fit and judge a sweep measured before (race-sweep.json) instead of measuring one',
    )
    .option(
      '--reports-dir <dir>',
      'where calibration.json (race-sweep.json, race-mechanism.json) is written (default: reports/)',
    )
    .option('--json', 'print the calibration as JSON')
    .addHelpText(
      'after',
      `
Servers: gthread and async (the emulations), gunicorn-gthread, uvicorn, gunicorn-uvicorn; the
real ones need Debian's packages (npm run setup). Each is measured on its neutral
configurations, 3 workers with 100 ms handlers (the ASGI ones a plain def endpoint in a pool of
40 threads): one replica of 48 users (direct) and four of 32 behind the balancer (balanced:
haproxy for the real servers, the emulated balancer for the emulations; gthread is also
measured behind haproxy when installed: path haproxy), ${DEFAULT_BURSTS} bursts each; a few minutes in all.
The method is in harness/model/README.md.

--race-sweep calibrates the race as a mechanism instead (harness/model/README.md, "The race as a
mechanism"): it measures each sweep configuration (--server keeps some servers) for
--sweep-bursts bursts, about 5 minutes at 6, writes race-sweep.json, prints each configuration
predicted by the mechanism fitted on the same server's other configurations beside the
stickiness (errors against the measured mean), and writes race-mechanism.json with the fit of
each server whose mechanism predicted better out of sample; npm run model and scenario runs use
it for those servers. --sweep-from <file> does the fitting on a sweep measured before.

Exit codes: 0 calibrated, 1 internal error (a bug), 103 a target failed or real servers are
missing, 104 invalid option, 105 interrupted (calibration.json is not written).`,
    )
    .action(async (options: CalibrateOptions) => {
      const { calibrateCommand } = await import('./calibrate-run.js');
      setExit(await calibrateCommand(options, io));
    });
}
