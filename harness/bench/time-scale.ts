import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../../targets/package-root.js';
import { type RunSummary, timeScaleOf } from '../results/summary.js';
import type { BenchFigure, Benchmark } from './benchmark.js';

/**
 * Time-scale invariance (issue 13): contest-200's flask-dev and sync topologies, whose model is
 * exact, run at the scenario's own time scale and in real time (`--time-scale 1`), one after the
 * other. Figures in scenario seconds should not depend on the scale beyond noise; the ratio of
 * each figure (default scale over real time) is printed with the machine's measurement quality
 * and load average of each run. Real time makes this the slowest benchmark (about three minutes).
 */

const run = promisify(execFile);
const SCENARIO = 'contest-200';
const TOPOLOGIES = ['flask-dev-x3', 'sync-4-x3'];
const FIGURES = ['meanWait', 'p95Wait', 'maxWait', 'makespan'] as const;
/** The goal from issue 13: within 3% of each other. */
const GOAL = 0.03;

export const timeScale: Benchmark = {
  name: 'time-scale',
  description: `${SCENARIO}'s ${TOPOLOGIES.join(' and ')} at the scenario's time scale and at --time-scale 1: each figure's ratio (goal: within ${GOAL * 100}%)`,
  run: (log) => measure(log),
};

/** The run's summary and the machine's 1-minute load average as the run started and ended. */
interface ScaleRun {
  summary: RunSummary;
  load: [number, number];
}

async function summaryAt(dir: string, scale: number | null): Promise<ScaleRun> {
  const loadBefore = loadavg()[0] as number;
  const reports = join(dir, scale === null ? 'default' : `scale-${scale}`);
  const cli = join(packageRoot(), 'dist', 'harness', 'cli', 'main.js');
  const args = [cli, 'scenario', SCENARIO, '--reports-dir', reports, '--no-progress'];
  for (const t of TOPOLOGIES) args.push('--only', t);
  if (scale !== null) args.push('--time-scale', String(scale));
  await run(process.execPath, args, { maxBuffer: 1 << 24 });
  const summary = JSON.parse(
    await readFile(join(reports, SCENARIO, 'latest', 'summary.json'), 'utf8'),
  ) as RunSummary;
  return { summary, load: [loadBefore, loadavg()[0] as number] };
}

async function measure(log: (line: string) => void): Promise<BenchFigure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'harness-time-scale-'));
  try {
    const compressedRun = await summaryAt(dir, null);
    const realRun = await summaryAt(dir, 1);
    const compressed = compressedRun.summary;
    const real = realRun.summary;
    // The two runs are minutes apart on a shared machine: each one's load says how comparable.
    const loads = [compressedRun, realRun]
      .map((r) => `${r.load[0].toFixed(1)}-${r.load[1].toFixed(1)}`)
      .join(' / ');
    log(`  load average (1 min, start-end of each run): ${loads}`);
    const figures: BenchFigure[] = [];
    for (const name of TOPOLOGIES) {
      const a = compressed.topologies.find((t) => t.name === name);
      const b = real.topologies.find((t) => t.name === name);
      if (a === undefined || b === undefined) continue;
      const quality = `quality ${a.measurementQuality?.level ?? 'n/a'} / ${b.measurementQuality?.level ?? 'n/a'}`;
      // The topology's own scale where the scenario gives it one (contest-200's sync: 0.2).
      const scale = timeScaleOf(compressed, a);
      log(`  ${name}  time scale ${scale} / 1  (${quality})`);
      for (const figure of FIGURES) {
        const ratio = a.measured[figure] / b.measured[figure];
        log(
          `    ${figure.padEnd(9)} ${a.measured[figure].toFixed(2)} s / ${b.measured[figure].toFixed(2)} s   ratio ${ratio.toFixed(3)}${Math.abs(ratio - 1) <= GOAL ? '' : '   (beyond 3%)'}`,
        );
        figures.push(
          {
            case: `${name}, time scale ${scale} over 1`,
            name: `${figure} ratio`,
            value: ratio,
            unit: 'ratio',
          },
          {
            case: `${name}, time scale ${scale} over 1`,
            name: `${figure} |ratio - 1|`,
            value: Math.abs(ratio - 1),
            unit: 'fraction',
            goal: { op: '<=', value: GOAL },
          },
        );
      }
    }
    return figures;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
