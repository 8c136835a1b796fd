import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { median } from 'simple-statistics';
import { packageRoot } from '../../targets/package-root.js';
import { realInstantsNs } from '../load/executors/open-loop-task.js';
import type { LoadTask } from '../load/run-load.js';
import { runLoad } from '../load/threads.js';
import { arrivalInstants } from '../model/arrivals.js';
import { createRandom } from '../model/random.js';
import { Clock } from '../scenario/clock.js';
import { TARGET_HOST } from '../supervise/start-topology.js';
import { Supervisor } from '../supervise/supervisor.js';
import type { BenchFigure, Benchmark } from './benchmark.js';

/**
 * The load generator's benchmarks, each against one minimal loopback target
 * (targets/minimal.ts) started for it, so that every figure is measured side by side in one
 * run: throughput against wrk and autocannon, the dispatch spread of bursts, the timing error,
 * and memory per request. They print figures and goals; nothing here fails on a number.
 */

const run = promisify(execFile);
type Out = (line: string) => void;

const SECONDS = 3;
const ROUNDS = 3;
const CONNECTIONS = 50;
const MEMORY_REQUESTS = 200_000;

/** Runs `body` against a minimal target started for it, and stops the target after. */
async function withMinimal<T>(body: (origin: string) => Promise<T>): Promise<T> {
  const supervisor = new Supervisor();
  try {
    const target = await supervisor.start({
      label: 'minimal',
      entry: join(packageRoot(), 'dist', 'targets', 'minimal.js'),
      config: { host: TARGET_HOST, port: 0 },
      readyTimeoutMs: 20_000,
    });
    return await body(`http://${TARGET_HOST}:${target.port}`);
  } finally {
    await supervisor.stopAll();
  }
}

const context = (origin: string, path: string, keepRequests: boolean, threads = 1) => ({
  origin,
  paths: { kind: 'fixed' as const, path },
  connectTimeoutMs: 30_000,
  requestTimeoutMs: 30_000,
  keepRequests,
  threads,
});

export const loadThroughput: Benchmark = {
  name: 'load-throughput',
  description: `the throughput executor against wrk and autocannon, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s`,
  run: (log) => withMinimal((origin) => throughput(log, origin)),
};

export const burstSpread: Benchmark = {
  name: 'burst-spread',
  description:
    'real ms between the first and the last request of a burst written, median of 5 bursts',
  run: (log) => withMinimal((origin) => dispatchSpread(log, origin)),
};

export const timingAccuracy: Benchmark = {
  name: 'timing-error',
  description: 'measured latency minus the configured service time, at light load',
  run: (log) => withMinimal((origin) => timingError(log, origin)),
};

export const loadMemory: Benchmark = {
  name: 'load-memory',
  description: `heap growth per request over ${MEMORY_REQUESTS.toLocaleString('en-US')} requests, histograms only and every request recorded`,
  run: (log) => withMinimal((origin) => memoryPerRequest(log, origin)),
};

async function throughput(out: Out, origin: string): Promise<BenchFigure[]> {
  const url = `${origin}/`;
  const tools: Array<[string, () => Promise<number>]> = [];
  if (existsSync('/usr/bin/wrk')) {
    tools.push([
      'wrk -t2',
      async () => {
        const { stdout } = await run('wrk', ['-t2', `-c${CONNECTIONS}`, `-d${SECONDS}s`, url]);
        return Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? Number.NaN);
      },
    ]);
  }
  tools.push([
    'autocannon',
    async () =>
      (await autocannon({ url, connections: CONNECTIONS, duration: SECONDS })).requests.total /
      SECONDS,
  ]);
  const ours = (keepRequests: boolean) => async () => {
    const task: LoadTask = {
      executor: 'throughput',
      connections: CONNECTIONS,
      pipelining: 1,
      durationSeconds: SECONDS,
    };
    const result = await runLoad(task, context(origin, '/', keepRequests));
    return (result.throughput?.completed ?? 0) / SECONDS;
  };
  tools.push(
    ['harness throughput', ours(false)],
    ['harness throughput, every request recorded', ours(true)],
  );
  if (existsSync('/usr/bin/hey')) {
    tools.push([
      'hey',
      async () => {
        const { stdout } = await run('hey', ['-z', `${SECONDS}s`, '-c', String(CONNECTIONS), url], {
          maxBuffer: 1 << 24,
        });
        return Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? Number.NaN);
      },
    ]);
  }
  const measured = new Map<string, number[]>(tools.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, measure] of tools) measured.get(name)?.push(await measure());
  }
  const reference = measured.get('wrk -t2');
  out('  median requests/s (and the median ratio to wrk within the same round)');
  const figures: BenchFigure[] = [];
  for (const [name, values] of measured) {
    const ratios =
      reference === undefined ? [] : values.map((v, i) => v / (reference[i] as number));
    const ratio = ratios.length === 0 ? '' : `   x${median(ratios).toFixed(2)} of wrk`;
    out(`  ${name.padEnd(44)} ${median(values).toFixed(0).padStart(8)} req/s${ratio}`);
    figures.push({
      case: name,
      name: 'requests per second',
      value: Math.round(median(values)),
      unit: 'req/s',
    });
    if (ratios.length > 0 && name.startsWith('harness')) {
      figures.push({
        case: name,
        name: 'ratio to wrk',
        value: Number(median(ratios).toFixed(3)),
        unit: 'x',
        goal: { op: '>=', value: name.includes('recorded') ? 0.7 : 0.95 },
      });
    }
  }
  if (reference === undefined) out('  (wrk is not installed: apt-get install wrk to compare)');
  return figures;
}

async function dispatchSpread(out: Out, origin: string): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  for (const users of [200, 1000, 5000]) {
    const cells: string[] = [];
    for (const [connections, threads] of [
      ['new', 1],
      ['new', 2],
      ['warm', 1],
    ] as const) {
      const spreads: number[] = [];
      for (let rep = 0; rep < 5; rep++) {
        const result = await runLoad(
          { executor: 'burst', users, connections },
          context(origin, '/?ms=300', true, threads),
        );
        const written = result.recorder.requests
          .map((r) => r.writtenNs)
          .filter((w): w is number => w !== undefined);
        spreads.push((Math.max(...written) - Math.min(...written)) / 1e6);
      }
      const label = `${connections} connections, ${threads} thread${threads > 1 ? 's' : ''}`;
      cells.push(`${label}: ${median(spreads).toFixed(1)} ms`);
      const goal = users === 200 ? 5 : users === 1000 ? 20 : undefined;
      figures.push({
        case: `burst of ${users}, ${label}`,
        name: 'dispatch spread',
        value: Number(median(spreads).toFixed(2)),
        unit: 'ms',
        ...(goal === undefined ? {} : { goal: { op: '<=' as const, value: goal } }),
      });
    }
    out(`  ${String(users).padStart(5)} users   ${cells.join('   ')}`);
  }
  return figures;
}

async function timingError(out: Out, origin: string): Promise<BenchFigure[]> {
  const serviceMs = 20;
  const task: LoadTask = {
    executor: 'open-loop',
    instantsNs: realInstantsNs(
      arrivalInstants({ kind: 'constant', rate: 50, duration: 4 }, createRandom(1)),
      new Clock(1),
    ),
    maxConnections: 100,
  };
  const { recorder } = await runLoad(task, context(origin, `/?ms=${serviceMs}`, true));
  const errors = recorder.requests.map(
    (r) => ((r.completeNs as number) - (r.writtenNs as number)) / 1e6 - serviceMs,
  );
  const lateness = recorder.requests.map((r) => ((r.writtenNs as number) - r.intendedNs) / 1e6);
  const sorted = [...errors].sort((a, b) => a - b);
  const p99 = sorted[Math.floor(sorted.length * 0.99)] as number;
  out(
    `  ${recorder.requests.length} requests at 50/s to a ${serviceMs} ms handler: median ${median(errors).toFixed(3)} ms, p99 ${p99.toFixed(3)} ms; sending lateness median ${median(lateness).toFixed(3)} ms`,
  );
  const at = `${serviceMs} ms handler at 50/s`;
  return [
    {
      case: at,
      name: 'timing error, median',
      value: Number(median(errors).toFixed(3)),
      unit: 'ms',
      goal: { op: '<=', value: 1 },
    },
    { case: at, name: 'timing error, p99', value: Number(p99.toFixed(3)), unit: 'ms' },
    {
      case: at,
      name: 'sending lateness, median',
      value: Number(median(lateness).toFixed(3)),
      unit: 'ms',
    },
  ];
}

async function memoryPerRequest(out: Out, origin: string): Promise<BenchFigure[]> {
  const gc = (globalThis as { gc?: () => void }).gc;
  out(
    `  an open loop at 20,000/s, heap growth after GC${gc === undefined ? ' (run node with --expose-gc for exact figures)' : ''}`,
  );
  const figures: BenchFigure[] = [];
  for (const keepRequests of [false, true]) {
    gc?.();
    const before = process.memoryUsage().heapUsed;
    const task: LoadTask = {
      executor: 'open-loop',
      instantsNs: realInstantsNs(
        arrivalInstants(
          { kind: 'constant', rate: 20_000, duration: (MEMORY_REQUESTS - 1) / 20_000 },
          createRandom(1),
        ),
        new Clock(1),
      ),
      maxConnections: 200,
    };
    const result = await runLoad(task, context(origin, '/', keepRequests));
    gc?.();
    const grown = process.memoryUsage().heapUsed - before;
    const perRequest = grown / result.sent;
    const mode = keepRequests ? 'every request recorded' : 'histograms only';
    out(
      `  ${mode.padEnd(24)} ${result.sent} sent, ${result.recorder.counts.completed} completed; heap +${(grown / 1e6).toFixed(1)} MB = ${perRequest.toFixed(1)} bytes per request (${perRequest.toFixed(1)} MB per million)`,
    );
    figures.push({
      case: mode,
      name: 'heap per request',
      value: Number(perRequest.toFixed(1)),
      unit: 'bytes',
      ...(keepRequests ? {} : { goal: { op: '<=' as const, value: 100 } }),
    });
    // Hold the recorder until after the measurement.
    void result.recorder.requests.length;
  }
  return figures;
}
