import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median } from 'simple-statistics';
import { packageRoot } from '../../targets/package-root.js';
import type { BenchFigure, Benchmark } from './benchmark.js';

/**
 * How long `npm run model` takes to answer a 200-user burst, as a user runs it (issue 14's goal:
 * under 1 s of wall time): the whole command in a fresh Node process (start-up, module loading,
 * the calibration's lookup, 200 simulated bursts, the output), median of several runs. The
 * command is run from dist/ directly, without npm's own start-up, which a user pays on top.
 */

export const PLANNER_GOAL_SECONDS = 1;
const RUNS = 7;

const CASES: Array<{ name: string; args: string[]; goal?: false }> = [
  {
    name: 'for scale: harness --help (Node start-up and loading the CLI, no answer)',
    args: ['--help'],
    goal: false,
  },
  {
    name: 'gunicorn-gthread 3 x 3, burst of 200, 300 ms (calibrated race)',
    args: ['--kind', 'gunicorn-gthread', '--workers', '3', '--threads', '3'],
  },
  {
    name: 'gunicorn-gthread 3 x 2 x 2 replicas, HTTP-mode balancer, burst of 200, 300 ms',
    args: [
      '--kind',
      'gunicorn-gthread',
      '--workers',
      '3',
      '--threads',
      '2',
      '--replicas',
      '2',
      '--balancer-mode',
      'http',
    ],
  },
  {
    name: 'uvicorn 2 workers x 3 replicas, burst of 200, 300 ms (calibrated race)',
    args: ['--kind', 'uvicorn', '--workers', '2', '--replicas', '3'],
  },
  {
    name: 'async 2 workers, blocking handlers, burst of 200, 300 ms (burst accepted whole or not)',
    args: ['--kind', 'async', '--workers', '2', '--handler', 'blocking'],
  },
  {
    name: 'sync 4 x 3 replicas, burst of 200, 300 ms (closed form)',
    args: ['--workers', '4', '--replicas', '3'],
  },
];

export const plannerSpeed: Benchmark = {
  name: 'planner-speed',
  description: 'wall time of npm run model for a 200-user burst, a fresh process each run',
  run(log) {
    const main = join(packageRoot(), 'dist', 'harness', 'cli', 'main.js');
    const figures: BenchFigure[] = [];
    for (const c of CASES) {
      const times: number[] = [];
      for (let k = 0; k < RUNS; k++) {
        const start = performance.now();
        const out = spawnSync(
          process.execPath,
          c.goal === false
            ? [main, ...c.args]
            : [main, 'model', ...c.args, '--users', '200', '--service', '300ms', '--json'],
          { encoding: 'utf8', timeout: 60_000 },
        );
        times.push((performance.now() - start) / 1000);
        if (out.status !== 0) throw new Error(`npm run model failed: ${out.stderr}`);
      }
      const seconds = median(times);
      const verdict =
        c.goal === false
          ? ''
          : seconds <= PLANNER_GOAL_SECONDS
            ? ' (goal met)'
            : ' (above the 1 s goal)';
      log(
        `  ${c.name.padEnd(76)} median ${seconds.toFixed(3)} s of ${RUNS} runs (min ${Math.min(...times).toFixed(3)} s)${verdict}`,
      );
      figures.push({
        case: c.name,
        name: 'wall time',
        value: seconds,
        unit: 's',
        ...(c.goal === false ? {} : { goal: { op: '<=' as const, value: PLANNER_GOAL_SECONDS } }),
      });
    }
    return figures;
  },
};
