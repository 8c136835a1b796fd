import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { packageRoot } from '../../targets/package-root.js';
import { isRealKind } from '../../targets/real/protocol.js';
import { type Calibration, pathsOf, sameMachine } from '../calibrate/calibration.js';
import {
  calibrationFor,
  readCalibration,
  writeCalibration,
} from '../calibrate/calibration-file.js';
import { raceCalibration, type SweepFile } from '../calibrate/race-calibration.js';
import { RACE_FIT_FILE, readRaceFit } from '../calibrate/race-fit-file.js';
import { runSweep, SWEEP } from '../calibrate/race-sweep.js';
import { renderTransfer } from '../calibrate/race-transfer.js';
import { runCalibration } from '../calibrate/run-calibration.js';
import { OptionError, ResultsWriteError, RunAbortedError, ServersMissingError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { ACCEPT_RACE_SERVERS, type AcceptRaceServer } from '../model/server-kinds.js';
import { ensureReportsDir } from '../results/run-dir.js';
import { missingRealServerParts, realServerTools } from '../supervise/real-servers.js';
import { Supervisor } from '../supervise/supervisor.js';
import { type CalibrateOptions, DEFAULT_SWEEP_BURSTS } from './calibrate-command.js';
import { describeEnvironment, describeMachine } from './environment.js';
import type { CliIo } from './io.js';
import { serversMissingFix } from './servers-missing-fix.js';

/** Runs `calibrate` with options already parsed and checked by calibrate-command.ts. */
export async function calibrateCommand(options: CalibrateOptions, io: CliIo): Promise<ExitCode> {
  const supervisor = new Supervisor();
  io.onExit(() => supervisor.killAllNow());
  try {
    if (options.raceSweep === true || options.sweepFrom !== undefined)
      return await raceSweepCommand(options, io, supervisor);
    const servers = (options.server ?? [...ACCEPT_RACE_SERVERS]) as AcceptRaceServer[];
    const real = servers.filter((s) => isRealKind(s));
    const missing = real.length === 0 ? [] : missingRealServerParts();
    if (missing.length > 0)
      throw new ServersMissingError(
        `${real.join(', ')} need real servers, but this machine lacks ${missing.join(', ')}`,
        {
          fix: serversMissingFix(
            process.env,
            'install them with `sudo npm run setup`, or calibrate only --server gthread',
          ),
        },
      );
    const reportsRoot =
      options.reportsDir === undefined
        ? join(packageRoot(), 'reports')
        : resolve(io.cwd, options.reportsDir);
    await ensureReportsDir(reportsRoot);
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
    if (io.interrupt.aborted)
      throw new RunAbortedError(
        String(io.interrupt.reason ?? 'signal'),
        'nothing is written: calibration.json keeps what it held before',
      );
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

/**
 * `calibrate --race-sweep` (or `--sweep-from <file>`): the race mechanism's sweep measured on this
 * machine's servers (or read), fitted and judged out of sample (calibrate/race-calibration.ts),
 * against the stickiness this machine's calibration.json holds, or the shipped one.
 */
async function raceSweepCommand(
  options: CalibrateOptions,
  io: CliIo,
  supervisor: Supervisor,
): Promise<ExitCode> {
  const reportsRoot =
    options.reportsDir === undefined
      ? join(packageRoot(), 'reports')
      : resolve(io.cwd, options.reportsDir);
  await ensureReportsDir(reportsRoot);
  const machine = describeMachine(await describeEnvironment());
  let sweep: SweepFile;
  if (options.sweepFrom !== undefined) {
    const file = resolve(io.cwd, options.sweepFrom);
    try {
      sweep = JSON.parse(await readFile(file, 'utf8')) as SweepFile;
    } catch (error) {
      throw new OptionError(`--sweep-from ${options.sweepFrom}: ${(error as Error).message}`, {
        fix: 'give a race-sweep.json written by npm run calibrate -- --race-sweep',
        cause: error,
      });
    }
    if (!Array.isArray(sweep.configurations) || typeof sweep.measuredAt !== 'string')
      throw new OptionError(`--sweep-from ${options.sweepFrom}: not a race sweep`, {
        fix: 'give a race-sweep.json written by npm run calibrate -- --race-sweep',
      });
    if (options.server !== undefined)
      sweep = {
        ...sweep,
        configurations: sweep.configurations.filter((m) =>
          (options.server as AcceptRaceServer[]).includes(m.server),
        ),
      };
  } else {
    const configurations = SWEEP.filter(
      (c) => options.server === undefined || options.server.includes(c.server),
    );
    const real = configurations.filter((c) => isRealKind(c.server));
    const missing = real.length === 0 ? [] : missingRealServerParts();
    if (missing.length > 0)
      throw new ServersMissingError(
        `the sweep measures real servers, but this machine lacks ${missing.join(', ')}`,
        {
          fix: serversMissingFix(
            process.env,
            'install them with `sudo npm run setup`, or sweep only --server gthread',
          ),
        },
      );
    const bursts = options.sweepBursts ?? DEFAULT_SWEEP_BURSTS;
    const measured = await runSweep({
      supervisor,
      configurations,
      bursts,
      signal: io.interrupt,
      onProgress: (text) => io.stderr.write(`sweeping ${text}\n`),
    });
    if (io.interrupt.aborted)
      throw new RunAbortedError(
        String(io.interrupt.reason ?? 'signal'),
        'nothing is written: race-sweep.json and race-mechanism.json keep what they held before',
      );
    sweep = { measuredAt: new Date().toISOString(), bursts, configurations: measured };
    await writeOrFail(join(reportsRoot, 'race-sweep.json'), `${JSON.stringify(sweep)}\n`);
  }
  // Judged against the stickiness a run on this machine uses: its own calibration, or the one
  // shipped for a machine like it.
  const against = (await calibrationFor(reportsRoot, machine))?.calibration ?? null;
  if (against === null)
    throw new OptionError('no calibration to judge the mechanism against', {
      fix: 'run npm run calibrate first (the shipped calibration is missing or unreadable)',
    });
  const result = raceCalibration(sweep, against, machine);
  // Servers this sweep did not measure keep the fit this machine had for them.
  const swept = new Set(sweep.configurations.map((m) => m.server));
  const before = await readRaceFit(reportsRoot, machine);
  const kept = Object.fromEntries(
    before.state === 'own'
      ? Object.entries(before.fit.servers).filter(
          ([server]) => !swept.has(server as AcceptRaceServer),
        )
      : [],
  );
  const fit = { ...result.fit, servers: { ...kept, ...result.fit.servers } };
  const fitFile = join(reportsRoot, RACE_FIT_FILE);
  await writeOrFail(fitFile, `${JSON.stringify(fit, null, 2)}\n`);
  if (options.json) io.stdout.write(`${JSON.stringify({ ...result, fit }, null, 2)}\n`);
  else
    io.stdout.write(
      `${renderTransfer(result.rows)}\n\n${result.verdicts.map((v) => `${v.server}: ${v.text}`).join('\n')}\n`,
    );
  io.stderr.write(`written: ${relative(io.cwd, fitFile) || fitFile}\n`);
  return ExitCode.Ok;
}

async function writeOrFail(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text);
  } catch (error) {
    throw new ResultsWriteError(`cannot write ${file}: ${(error as Error).message}`, {
      fix: 'check that the reports directory is writable',
      cause: error,
    });
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
