import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { assertRealServers, skipWithoutRealServers } from '../../targets/real/availability.js';
import type { RunSummary } from '../results/summary.js';
import { descendants, isAlive } from '../supervise/process-tree.js';
import { type Finished, startCli, tempDir, writeScenario } from '../test-support/spawn-cli.js';

/**
 * async-capacity and sse-fanout on the real servers (uvicorn, gunicorn with uvicorn workers, the
 * bundled FastAPI app, Debian's redis-server), each beside its emulated twin: the CLI as users
 * run it, small. Skipped loudly without Debian's packages (and failing under CI).
 */

const skip = skipWithoutRealServers();

/** Runs the CLI, noting every process it starts, and checks that none outlives it. */
async function runWatched(
  args: string[],
): Promise<{ finished: Finished; seen: number[]; left: number[] }> {
  const started = startCli(args);
  const seen = new Set<number>();
  let running = true;
  const watch = (async () => {
    while (running) {
      for (const pid of descendants(started.pid)) seen.add(pid);
      await delay(100);
    }
  })();
  const finished = await started.done;
  running = false;
  await watch;
  const pids = [...seen];
  const gone = Date.now() + 5_000;
  while (pids.some(isAlive) && Date.now() < gone) await delay(50);
  return { finished, seen: pids, left: pids.filter(isAlive) };
}

async function summaryOf(dir: string, scenario: string): Promise<RunSummary> {
  return JSON.parse(
    await readFile(join(dir, 'reports', scenario, 'latest', 'summary.json'), 'utf8'),
  ) as RunSummary;
}

test('async capacity on real uvicorn: blocking in async def holds one request per worker, def the pool', {
  skip,
}, async (t) => {
  assertRealServers();
  const dir = await tempDir(t);
  const file = await writeScenario(dir, {
    name: 'real-async',
    timeScale: 0.05,
    compareEmulated: true,
    load: { executor: 'burst', users: 20 },
    service: { time: '1s' },
    topologies: [
      {
        name: 'blocking',
        kind: 'uvicorn',
        workers: 2,
        handler: 'blocking',
        claimedConcurrency: 20,
      },
      {
        name: 'def-4',
        kind: 'gunicorn-uvicorn',
        workers: 2,
        handler: 'def',
        threadPool: 4,
        claimedConcurrency: 20,
      },
    ],
    limits: { runTimeout: '2m', requestTimeout: '1m' },
    model: { replications: 20 },
  });
  const { finished, left } = await runWatched([
    'scenario',
    file,
    '--reports-dir',
    join(dir, 'reports'),
    '--no-progress',
  ]);
  assert.equal(finished.code, 0, finished.stderr);
  assert.deepEqual(left, [], 'processes left running');
  const summary = await summaryOf(dir, 'real-async');
  assert.deepEqual(
    summary.topologies.map((x) => [x.name, x.kind, x.twinOf, x.asyncWorker?.handler]),
    [
      ['blocking', 'uvicorn', null, 'blocking'],
      ['blocking (emulated)', 'async', 'blocking', 'blocking'],
      ['def-4', 'gunicorn-uvicorn', null, 'def'],
      ['def-4 (emulated)', 'async', 'def-4', 'def'],
    ],
  );
  for (const x of summary.topologies) assert.equal(x.errors, 0, x.name);
  const [blocking, , def] = summary.topologies;
  // The app's own count: a blocking call holds the event loop, so each worker process that
  // served had exactly one request in its handler at a time (one process only when the accept
  // race handed it the whole burst, as a busy machine often makes it); the def pool at most 4.
  const blockingMost = blocking?.handlersAtOnce?.appCounted?.perProcess.map((p) => p.most) ?? [];
  assert.ok(
    blockingMost.length >= 1 && blockingMost.length <= 2 && blockingMost.every((n) => n === 1),
    `blocking, per process: ${blockingMost}`,
  );
  // The model's first simulated run: one at a time per worker, on one or both workers (the
  // accept race calibrated for uvicorn often hands a burst to one worker).
  const predicted = blocking?.handlersAtOnce?.predicted ?? 0;
  assert.ok(predicted >= 1 && predicted <= 2, `predicted ${predicted}`);
  const perProcess = def?.handlersAtOnce?.appCounted?.perProcess.map((p) => p.most) ?? [];
  assert.ok(
    perProcess.length >= 1 && perProcess.every((n) => n >= 1 && n <= 4),
    `def pool of 4: ${perProcess}`,
  );
  const row = summary.figureFidelity?.find((r) => r.topology === 'blocking');
  // At most one per worker, real and emulated (one when the accept race gave one worker the
  // burst, or the other worker's requests did not overlap).
  assert.deepEqual(
    row?.cells.map((c) => c.figure),
    ['handlersAtOnce', 'handlersAtOnceApp'],
  );
  for (const c of row?.cells ?? [])
    for (const x of [c.real, c.emulated])
      assert.ok(x === null || (x >= 1 && x <= 2), `${c.figure}: ${x}`);
  assert.match(finished.stdout, /^Scenario figures: real servers/m);
  const logs = await readdir(join(dir, 'reports', 'real-async', 'latest', 'server-logs'));
  assert.deepEqual(logs.sort(), ['blocking-replica-0.log', 'def-4-replica-0.log']);
});

test('sse fanout on real FastAPI: memory reaches the publishing worker, Redis every client', {
  skip,
}, async (t) => {
  assertRealServers();
  const dir = await tempDir(t);
  const file = await writeScenario(dir, {
    name: 'real-sse',
    timeScale: 0.1,
    compareEmulated: true,
    load: { executor: 'constant-arrival-rate', rate: 2, duration: '5s', maxConnections: 50 },
    service: { time: '100ms' },
    // A grace of 1 s real after the last event: on a machine with a busy core the emulated
    // bus's deliveries took longer than the 200 ms real of a 2 s grace, and counted as missed.
    fanout: { clients: 12, events: 4, interval: '1s', grace: '10s' },
    topologies: [
      { name: 'memory-2x2', kind: 'gunicorn-uvicorn', workers: 2, replicas: 2, registry: 'memory' },
      { name: 'redis-2x2', kind: 'gunicorn-uvicorn', workers: 2, replicas: 2, registry: 'redis' },
    ],
    limits: { runTimeout: '2m', requestTimeout: '1m' },
  });
  const { finished, seen, left } = await runWatched([
    'scenario',
    file,
    '--reports-dir',
    join(dir, 'reports'),
    '--no-progress',
  ]);
  assert.equal(finished.code, 0, finished.stderr);
  assert.deepEqual(left, [], `processes left running, of ${seen.length} seen`);
  const summary = await summaryOf(dir, 'real-sse');
  const [memory, memoryTwin, redis, redisTwin] = summary.topologies;
  assert.equal(memoryTwin?.kind, 'async');
  assert.equal(redisTwin?.kind, 'async');
  for (const x of [memory, redis]) {
    const f = x?.fanout;
    assert.ok(f !== undefined, `${x?.name}: no fanout figures`);
    assert.equal(f.failedClients, 0, x?.name);
    assert.equal(f.failedEvents, 0, x?.name);
    // Every stream is held by a numbered worker of a numbered replica (X-Served-By).
    assert.ok(f.clientsPerWorker.every((w) => w.worker >= 0 && w.worker < 2 && w.replica < 2));
  }
  // Memory: each event reaches exactly the clients of the worker that handled the publish.
  for (const e of memory?.fanout?.perEvent ?? []) assert.equal(e.share, e.expected, e.publisher);
  // Redis: every event reaches every client, through every worker's subscription.
  assert.equal(redis?.fanout?.share.min, 1);
  assert.equal(redis?.fanout?.reachedAll, 4);
  const row = summary.figureFidelity?.find((r) => r.topology === 'redis-2x2');
  assert.equal(row?.cells.find((c) => c.figure === 'reachPerEvent')?.emulated, 1);
  const logs = await readdir(join(dir, 'reports', 'real-sse', 'latest', 'server-logs'));
  assert.equal(logs.filter((l) => l.startsWith('redis-2x2-replica')).length, 2);
});
