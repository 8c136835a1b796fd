import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median } from 'simple-statistics';
import { packageRoot } from '../../targets/package-root.js';
import type { BenchFigure, Benchmark } from './benchmark.js';

/**
 * How fast a command answers (issue 17's goals: `--help` under 0.5 s, `model` for a 200-user
 * burst under 1 s). Each case starts the command as the npm scripts do (node and
 * harness/cli/launch.mjs, which checks the build), ROUNDS times, and reports the median wall
 * time. npm's own start-up comes on top of it and is measured beside it, once as `npm run -s`
 * of a script that does nothing but start node, so the two can be told apart.
 */

const ROUNDS = 7;

/** The commands timed: every command's --help, --version, and the model questions of the goal. */
export const STARTUP_CASES: ReadonlyArray<{ case: string; args: string[]; goalSeconds?: number }> =
  [
    { case: '--help', args: ['--help'], goalSeconds: 0.5 },
    { case: 'scenario --help', args: ['scenario', '--help'], goalSeconds: 0.5 },
    { case: 'model --help', args: ['model', '--help'], goalSeconds: 0.5 },
    { case: 'calibrate --help', args: ['calibrate', '--help'], goalSeconds: 0.5 },
    { case: 'report --help', args: ['report', '--help'], goalSeconds: 0.5 },
    { case: 'compare --help', args: ['compare', '--help'], goalSeconds: 0.5 },
    { case: 'scenario --version', args: ['scenario', '--version'], goalSeconds: 0.5 },
    {
      case: 'model: sync 4 workers, burst of 200 (closed form)',
      args: ['model', '--kind', 'sync', '--workers', '4', '--users', '200', '--service', '2s'],
      goalSeconds: 1,
    },
    {
      case: 'model: flask-dev, burst of 200',
      args: ['model', '--kind', 'flask-dev', '--users', '200', '--service', '2s'],
      goalSeconds: 1,
    },
    {
      case: 'model: async 2 workers, burst of 200',
      args: ['model', '--kind', 'async', '--workers', '2', '--users', '200', '--service', '2s'],
      goalSeconds: 1,
    },
    {
      case: 'model: gunicorn-gthread 4x2, burst of 200 (race)',
      args: [
        'model',
        ...['--kind', 'gunicorn-gthread', '--workers', '4', '--threads', '2'],
        ...['--users', '200', '--service', '2s'],
      ],
      goalSeconds: 1,
    },
    {
      case: 'model: uvicorn 2 workers, burst of 200 (race)',
      args: ['model', '--kind', 'uvicorn', '--workers', '2', '--users', '200', '--service', '2s'],
      goalSeconds: 1,
    },
    {
      case: 'model: gthread 4x2 x 3, burst of 200 (simulated)',
      args: [
        'model',
        ...['--kind', 'gthread', '--workers', '4', '--threads', '2', '--replicas', '3'],
        ...['--users', '200', '--service', '2s'],
      ],
      goalSeconds: 1,
    },
  ];

function timeOnce(command: string, args: readonly string[]): number {
  const start = performance.now();
  const run = spawnSync(command, args, { cwd: packageRoot(), stdio: 'ignore' });
  const seconds = (performance.now() - start) / 1000;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${run.status}`);
  return seconds;
}

export const startup: Benchmark = {
  name: 'startup',
  description: 'wall time of --help, --version and model for a 200-user burst, median of 7',
  run(log) {
    const launcher = join(packageRoot(), 'harness', 'cli', 'launch.mjs');
    const figures: BenchFigure[] = [];
    const nodeAlone = median(
      Array.from({ length: ROUNDS }, () => timeOnce(process.execPath, ['-e', '0'])),
    );
    log(`  ${"node -e 0 (node's own start)".padEnd(50)} ${nodeAlone.toFixed(3)} s`);
    figures.push({ case: 'node -e 0', name: 'wall time', value: nodeAlone, unit: 's' });
    for (const c of STARTUP_CASES) {
      const seconds = median(
        Array.from({ length: ROUNDS }, () =>
          timeOnce(process.execPath, [
            '--enable-source-maps',
            launcher,
            'harness/cli/main.js',
            ...c.args,
          ]),
        ),
      );
      log(
        // On a shared machine the ratio to node's own start is steadier than the time itself.
        `  ${c.case.padEnd(50)} ${seconds.toFixed(3)} s, ${(seconds / nodeAlone).toFixed(1)} x node's start${c.goalSeconds === undefined ? '' : `  (goal < ${c.goalSeconds} s)`}`,
      );
      figures.push({
        case: c.case,
        name: 'wall time',
        value: seconds,
        unit: 's',
        ...(c.goalSeconds === undefined
          ? {}
          : { goal: { op: '<=' as const, value: c.goalSeconds } }),
      });
    }
    const npm = median(
      Array.from({ length: 3 }, () => timeOnce('npm', ['run', '-s', 'harness', '--', '--version'])),
    );
    log(`  npm run -s harness -- --version (npm's start on top) ${npm.toFixed(3)} s`);
    figures.push({
      case: 'npm run -s harness -- --version',
      name: 'wall time',
      value: npm,
      unit: 's',
    });
    return figures;
  },
};
