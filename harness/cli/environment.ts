import { execFile } from 'node:child_process';
import { cpus, hostname, loadavg } from 'node:os';
import { packageRoot } from '../../targets/package-root.js';
import type { Machine } from '../calibrate/calibration.js';
import type { Environment } from '../results/summary.js';
import { readCommit } from './git-commit.js';

/** The machine a run happened on, for the summary and the report. */
export async function describeEnvironment(): Promise<Environment> {
  // Read from .git's files first; git itself only for a layout those do not cover.
  const commit =
    readCommit(packageRoot()) ??
    (await new Promise<string | null>((resolve) => {
      execFile(
        'git',
        ['rev-parse', 'HEAD'],
        { cwd: packageRoot(), timeout: 2_000 },
        (error, stdout) => resolve(error === null ? stdout.trim() : null),
      );
    }));
  const cores = cpus();
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cores.length,
    cpuModel: cores[0]?.model ?? 'unknown',
    commit,
    // The machine may be shared: how busy it was says how far timings can be trusted.
    loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
  };
}

/** The machine as a calibration records it. */
export function describeMachine(environment: Environment): Machine {
  return {
    hostname: hostname(),
    platform: environment.platform,
    cpus: environment.cpus,
    cpuModel: environment.cpuModel,
    node: environment.node,
  };
}
