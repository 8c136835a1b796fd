import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { packageRoot } from '../../targets/package-root.js';
import { isRealKind } from '../../targets/real/protocol.js';
import {
  type Calibration,
  pathsOf,
  RACE_PATHS,
  type RacePath,
  sameMachine,
} from '../calibrate/calibration.js';
import { readCalibration, writeCalibration } from '../calibrate/calibration-file.js';
import { runCalibration } from '../calibrate/run-calibration.js';
import { ResultsWriteError, RunAbortedError, ServersMissingError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { ACCEPT_RACE_SERVERS, type AcceptRaceServer } from '../model/server-kinds.js';
import { missingRealServerParts, realServerTools } from '../supervise/real-servers.js';
import { Supervisor } from '../supervise/supervisor.js';
import { describeEnvironment, describeMachine } from './environment.js';
import type { CliIo } from './io.js';
import { collect, wholeNumber } from './options.js';

interface CalibrateOptions {
  server?: string[];
  path?: RacePath[];
  bursts?: number;
  reportsDir?: string;
  json?: boolean;
}

/**
 * `calibrate`: measures the accept race of each server with per-worker queues on this machine
 * and stores the fitted stickiness in <reports-dir>/calibration.json, which scenario runs read.
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
      new Option('--server <name>', 'calibrate only this server (repeatable)')
        .choices(ACCEPT_RACE_SERVERS)
        .argParser(collect),
    )
    .addOption(
      new Option(
        '--path <path>',
        'calibrate only direct, balanced or haproxy (the emulated gthread behind haproxy) connections (repeatable)',
      )
        .choices(RACE_PATHS)
        .argParser(collect as (value: string, previous: RacePath[]) => RacePath[]),
    )
    .option('--bursts <n>', 'bursts per configuration (default 12)', wholeNumber(2, 200))
    .option('--reports-dir <dir>', 'where calibration.json is written (default reports/)')
    .option('--json', 'print the calibration as JSON')
    .addHelpText(
      'after',
      `
Servers: gthread (the emulation), gunicorn-gthread, uvicorn, gunicorn-uvicorn; the real ones
need Debian's packages (npm run setup). Each is measured on its neutral configurations, 3 workers
with 100 ms handlers: one replica of 48 users (direct) and four of 32 behind the balancer
(balanced: haproxy for the real servers, the emulated balancer for gthread, which is also
measured behind haproxy when installed: path haproxy), 20 bursts each; a few minutes in all.
The method is in harness/model/README.md.

Exit codes: 0 calibrated, 103 a target failed or real servers are missing, 104 invalid option,
105 interrupted (nothing is written).`,
    )
    .action(async (options: CalibrateOptions) => {
      setExit(await calibrateCommand(options, io));
    });
}

async function calibrateCommand(options: CalibrateOptions, io: CliIo): Promise<ExitCode> {
  const supervisor = new Supervisor();
  io.onExit(() => supervisor.killAllNow());
  try {
    const servers = (options.server ?? [...ACCEPT_RACE_SERVERS]) as AcceptRaceServer[];
    const real = servers.filter((s) => isRealKind(s));
    const missing = real.length === 0 ? [] : missingRealServerParts();
    if (missing.length > 0)
      throw new ServersMissingError(
        `${real.join(', ')} need real servers, but this machine lacks ${missing.join(', ')}`,
        { fix: 'install them with `sudo npm run setup`, or calibrate only --server gthread' },
      );
    const reportsRoot =
      options.reportsDir === undefined
        ? join(packageRoot(), 'reports')
        : resolve(io.cwd, options.reportsDir);
    const machine = describeMachine(await describeEnvironment());
    const before = await readCalibration(reportsRoot);
    const previous =
      before.state === 'loaded' && sameMachine(before.calibration.machine, machine)
        ? before.calibration
        : null;
    const haproxyInstalled = existsSync(realServerTools().haproxy);
    const calibrationOptions = {
      supervisor,
      servers,
      paths: (server: AcceptRaceServer) =>
        pathsOf(server, haproxyInstalled).filter(
          (p) => options.path === undefined || options.path.includes(p),
        ),
      machine,
      previous,
      signal: io.interrupt,
      now: () => new Date(),
      onProgress: (text: string) => io.stderr.write(`calibrating ${text}\n`),
    };
    const calibration = await runCalibration(
      options.bursts === undefined
        ? calibrationOptions
        : { ...calibrationOptions, bursts: options.bursts },
    );
    if (io.interrupt.aborted) throw new RunAbortedError(String(io.interrupt.reason ?? 'signal'));
    let file: string;
    try {
      file = await writeCalibration(reportsRoot, calibration);
    } catch (error) {
      throw new ResultsWriteError(`cannot write calibration.json: ${(error as Error).message}`, {
        fix: 'check that the reports directory is writable',
        cause: error,
      });
    }
    if (options.json) io.stdout.write(`${JSON.stringify(calibration, null, 2)}\n`);
    else io.stdout.write(`${renderCalibration(calibration)}\n`);
    io.stderr.write(`written: ${relative(io.cwd, file) || file}\n`);
    return ExitCode.Ok;
  } finally {
    await supervisor.stopAll();
  }
}

/** The calibration as a table: one line per server and path. Pure. */
export function renderCalibration(calibration: Calibration): string {
  const lines = [
    `accept-race calibration, ${calibration.machine.cpus} x ${calibration.machine.cpuModel} (${calibration.machine.platform}, ${calibration.machine.hostname})`,
    'Herfindahl index of per-worker shares (1/W even, 1 one worker takes all); stickiness s fitted so the model matches it.',
    '',
    'server             path      workers  users  bursts  measured  uniform  model(s)  s',
  ];
  for (const [server, paths] of Object.entries(calibration.servers)) {
    for (const [path, e] of Object.entries(paths ?? {})) {
      if (e === undefined) continue;
      lines.push(
        [
          server.padEnd(18),
          path.padEnd(9),
          `${e.configuration.replicas}x${e.configuration.workers}`.padEnd(8),
          String(e.configuration.users).padEnd(6),
          String(e.shares.length).padEnd(7),
          e.measuredHerfindahl.toFixed(3).padEnd(9),
          e.uniformHerfindahl.toFixed(3).padEnd(8),
          e.modelHerfindahl.toFixed(3).padEnd(9),
          `${e.stickiness.toFixed(3)}${e.bound === 'inside' ? '' : ` (${e.bound})`}`,
        ].join(' '),
      );
    }
  }
  return lines.join('\n');
}
