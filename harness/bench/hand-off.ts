import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { median } from 'simple-statistics';
import { packageRoot } from '../../targets/package-root.js';
import { serverOverheads } from '../results/hand-off.js';
import type { RequestRecord } from '../results/request-record.js';
import type { BenchFigure, Benchmark } from './benchmark.js';

/**
 * What a worker costs between one request and the next (issue 13): real gunicorn sync workers
 * (Debian's gunicorn, the harness's WSGI middleware reporting the handler's start and end) beside
 * their emulation, each given a burst of short sleeping handlers in real time so that every
 * request after a worker's first waits for it. The hand-off is the next handler's start minus
 * the previous one's end on the same worker (harness/results/hand-off.ts); the figures are
 * medians over the run's requests, real and emulated measured in the same run
 * (`compareEmulated`). Without the real servers installed (`npm run setup`) it says so.
 */

const run = promisify(execFile);
const USERS = 60;
const SERVICE = '40ms';
const WORKERS = [1, 4];

export const handOff: Benchmark = {
  name: 'hand-off',
  description: `real ms between one request's end and the next one's start on a worker: gunicorn sync beside its emulation, ${USERS} users, ${SERVICE} handlers, ${WORKERS.join(' and ')} workers`,
  run: (log) => measure(log),
};

async function measure(log: (line: string) => void): Promise<BenchFigure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'harness-hand-off-'));
  try {
    const scenario = {
      name: 'hand-off',
      description: 'the hand-off between requests, real gunicorn beside its emulation',
      timeScale: 1,
      compareEmulated: true,
      load: { executor: 'burst', users: USERS },
      service: { time: SERVICE, work: 'sleep' },
      topologies: WORKERS.map((w) => ({
        name: `sync-${w}`,
        kind: 'gunicorn-sync',
        workers: w,
      })),
      limits: { runTimeout: '2m', requestTimeout: '1m' },
      model: { seed: 1, replications: 10 },
    };
    const file = join(dir, 'hand-off.json');
    await writeFile(file, JSON.stringify(scenario));
    const cli = join(packageRoot(), 'dist', 'harness', 'cli', 'main.js');
    try {
      await run(process.execPath, [cli, 'scenario', file, '--reports-dir', dir, '--no-progress'], {
        maxBuffer: 1 << 24,
      });
    } catch (error) {
      const code = (error as { code?: number }).code;
      if (code === 103) {
        log('  skipped: the real servers are not installed (npm run setup)');
        return [];
      }
      if (code !== 99) throw error;
    }
    const text = await readFile(join(dir, 'hand-off', 'latest', 'requests.ndjson'), 'utf8');
    const records = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RequestRecord);
    const figures: BenchFigure[] = [];
    for (const w of WORKERS) {
      const gap = (topology: string) =>
        median(serverOverheads(records.filter((r) => r.topology === topology)).handOff) * 1000;
      const real = gap(`sync-${w}`);
      const emulated = gap(`sync-${w} (emulated)`);
      log(
        `  ${w} worker${w === 1 ? ' ' : 's'}  gunicorn ${real.toFixed(3)} ms   emulated ${emulated.toFixed(3)} ms   emulated / gunicorn x${(emulated / real).toFixed(2)}`,
      );
      figures.push(
        {
          case: `gunicorn sync, ${w} workers`,
          name: 'median hand-off',
          value: real,
          unit: 'ms real',
        },
        {
          case: `emulated sync, ${w} workers`,
          name: 'median hand-off',
          value: emulated,
          unit: 'ms real',
        },
        {
          case: `sync, ${w} workers`,
          name: 'emulated / gunicorn hand-off',
          value: emulated / real,
          unit: 'ratio',
        },
      );
    }
    return figures;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
