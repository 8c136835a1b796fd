import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { packageRoot } from '../../targets/package-root.js';
import { isRealKind } from '../../targets/real/protocol.js';
import { type Calibration, pathsOf, sameMachine } from '../calibrate/calibration.js';
import { readCalibration, writeCalibration } from '../calibrate/calibration-file.js';
import { runCalibration } from '../calibrate/run-calibration.js';
import { ResultsWriteError, RunAbortedError, ServersMissingError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { ACCEPT_RACE_SERVERS, type AcceptRaceServer } from '../model/server-kinds.js';
import { ensureReportsDir } from '../results/run-dir.js';
import { missingRealServerParts, realServerTools } from '../supervise/real-servers.js';
import { Supervisor } from '../supervise/supervisor.js';
import type { CalibrateOptions } from './calibrate-command.js';
import { describeEnvironment, describeMachine } from './environment.js';
import type { CliIo } from './io.js';

/** Runs `calibrate` with options already parsed and checked by calibrate-command.ts. */
export async function calibrateCommand(options: CalibrateOptions, io: CliIo): Promise<ExitCode> {
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
