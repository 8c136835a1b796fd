import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { packageRoot } from '../../targets/package-root.js';

import type { LoadTask } from '../load/run-load.js';
import { runLoad } from '../load/threads.js';
import { TARGET_HOST } from '../supervise/start-topology.js';
import { Supervisor } from '../supervise/supervisor.js';

/**
 * The load generator's benchmark, against one minimal loopback target (targets/minimal.ts) in one
 * run, so that every figure is a ratio measured side by side: throughput against wrk and
 * autocannon, the dispatch spread of bursts, the timing error, and memory per request.
 * Results go to `out` as lines; nothing here asserts: goals are printed beside the figures.
 */

const run = promisify(execFile);
type Out = (line: string) => void;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

async function startMinimal(supervisor: Supervisor): Promise<string> {
  const target = await supervisor.start({
    label: 'minimal',
    entry: join(packageRoot(), 'dist', 'targets', 'minimal.js'),
    config: { host: TARGET_HOST, port: 0 },
    readyTimeoutMs: 20_000,
  });
  return `http://${TARGET_HOST}:${target.port}`;
}

const context = (origin: string, path: string, keepRequests: boolean, threads = 1) => ({
  origin,
  paths: { kind: 'fixed' as const, path },
  connectTimeoutMs: 30_000,
  requestTimeoutMs: 30_000,
  keepRequests,
  threads,
});

export interface LoadGeneratorBenchOptions {
  /** Seconds per throughput measurement. */
  seconds: number;
  /** Rounds of the throughput comparison (tools alternate within a round). */
  rounds: number;
  connections: number;
  /** Requests in the memory measurement. */
  memoryRequests: number;
}

export const QUICK: LoadGeneratorBenchOptions = {
  seconds: 3,
  rounds: 3,
  connections: 50,
  memoryRequests: 100_000,
};

export async function benchLoadGenerator(
  out: Out,
  options: LoadGeneratorBenchOptions = QUICK,
): Promise<void> {
  const supervisor = new Supervisor();
  try {
    const origin = await startMinimal(supervisor);
    await throughput(out, origin, options);
    await dispatchSpread(out, origin);
    await timingError(out, origin);
    await memoryPerRequest(out, origin, options.memoryRequests);
  } finally {
    await supervisor.stopAll();
  }
}

async function throughput(
  out: Out,
  origin: string,
  options: LoadGeneratorBenchOptions,
): Promise<void> {
  const { seconds, connections } = options;
  const url = `${origin}/`;
  const tools: Array<[string, () => Promise<number>]> = [];
  if (existsSync('/usr/bin/wrk')) {
    tools.push([
      'wrk -t2',
      async () => {
        const { stdout } = await run('wrk', ['-t2', `-c${connections}`, `-d${seconds}s`, url]);
        return Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? Number.NaN);
      },
    ]);
  }
  tools.push([
    'autocannon',
    async () =>
      (await autocannon({ url, connections, duration: seconds })).requests.total / seconds,
  ]);
  const ours = (keepRequests: boolean) => async () => {
    const task: LoadTask = {
      executor: 'throughput',
      connections,
      pipelining: 1,
      durationSeconds: seconds,
    };
    const result = await runLoad(task, context(origin, '/', keepRequests));
    return (result.throughput?.completed ?? 0) / seconds;
  };
  tools.push(
    ['harness throughput', ours(false)],
    ['harness throughput, every request recorded', ours(true)],
  );
  if (existsSync('/usr/bin/hey')) {
    tools.push([
      'hey',
      async () => {
        const { stdout } = await run('hey', ['-z', `${seconds}s`, '-c', String(connections), url], {
          maxBuffer: 1 << 24,
        });
        return Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? Number.NaN);
      },
    ]);
  }
  const figures = new Map<string, number[]>(tools.map(([name]) => [name, []]));
  for (let round = 0; round < options.rounds; round++) {
    for (const [name, measure] of tools) figures.get(name)?.push(await measure());
  }
  const reference = figures.get('wrk -t2');
  out(
    `throughput: ${connections} keep-alive connections, ${seconds} s each, ${options.rounds} rounds alternating; median requests/s (ratio to wrk in the same round, median)`,
  );
  for (const [name, values] of figures) {
    const ratios =
      reference === undefined ? [] : values.map((v, i) => v / (reference[i] as number));
    const ratio = ratios.length === 0 ? '' : `   x${median(ratios).toFixed(2)} of wrk`;
    out(`  ${name.padEnd(44)} ${median(values).toFixed(0).padStart(8)} req/s${ratio}`);
  }
  if (reference === undefined) out('  (wrk not installed: apt-get install wrk to compare)');
  out('  goals: harness throughput >= 0.95x wrk; with every request recorded >= 0.7x wrk');
}

async function dispatchSpread(out: Out, origin: string): Promise<void> {
  out(
    'dispatch spread: first to last request written, real ms, median of 5 bursts (service 300 ms)',
  );
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
      cells.push(
        `${connections} connections, ${threads} thread${threads > 1 ? 's' : ''}: ${median(spreads).toFixed(1)} ms`,
      );
    }
    out(`  ${String(users).padStart(5)} users   ${cells.join('   ')}`);
  }
  out('  goals: at most 5 ms for 200, 20 ms for 1,000');
}

async function timingError(out: Out, origin: string): Promise<void> {
  const serviceMs = 20;
  const task: LoadTask = {
    executor: 'open-loop',
    plan: { kind: 'constant', rate: 50, duration: 4 },
    seed: 1,
    nsPerScenarioSecond: 1e9,
    limit: 1e6,
    maxConnections: 100,
  };
  const { recorder } = await runLoad(task, context(origin, `/?ms=${serviceMs}`, true));
  const errors = recorder.requests.map(
    (r) => ((r.completeNs as number) - (r.writtenNs as number)) / 1e6 - serviceMs,
  );
  const lateness = recorder.requests.map((r) => ((r.writtenNs as number) - r.intendedNs) / 1e6);
  const sorted = [...errors].sort((a, b) => a - b);
  out(
    `timing error: ${recorder.requests.length} requests at 50/s to a ${serviceMs} ms handler; measured latency minus the service time`,
  );
  out(
    `  median ${median(errors).toFixed(3)} ms, p99 ${(sorted[Math.floor(sorted.length * 0.99)] as number).toFixed(3)} ms; sending lateness median ${median(lateness).toFixed(3)} ms`,
  );
  out('  goal: median at most 1 ms');
}

async function memoryPerRequest(out: Out, origin: string, requests: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  out(
    `memory: ${requests} requests in an open loop at 20,000/s, heap growth after GC${gc === undefined ? ' (run node with --expose-gc for exact figures)' : ''}`,
  );
  for (const keepRequests of [false, true]) {
    gc?.();
    const before = process.memoryUsage();
    const task: LoadTask = {
      executor: 'open-loop',
      plan: { kind: 'constant', rate: 20_000, duration: (requests - 1) / 20_000 },
      seed: 1,
      nsPerScenarioSecond: 1e9,
      limit: requests,
      maxConnections: 200,
    };
    const result = await runLoad(task, context(origin, '/', keepRequests));
    gc?.();
    const after = process.memoryUsage();
    const perRequest = (after.heapUsed - before.heapUsed) / result.sent;
    const mode = keepRequests ? 'every request recorded' : 'histograms only';
    out(
      `  ${mode.padEnd(24)} ${result.sent} sent, ${result.recorder.counts.completed} completed; heap +${((after.heapUsed - before.heapUsed) / 1e6).toFixed(1)} MB = ${perRequest.toFixed(1)} bytes/request = ${((perRequest * 1e6) / 1e6).toFixed(1)} MB per million`,
    );
    // Keep the result alive until measured, then let it go.
    void result.recorder.requests.length;
  }
  out('  goal: at most 100 bytes per request with histograms only');
}
