import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arrivalInstants } from './arrivals.js';
import { statsOf } from './predict.js';
import { createRandom, deriveSeed, STREAM } from './random.js';
import { sampleServiceTimes } from './service-time.js';
import { type ModelTopology, STATUS, simulate, type WorkerBehaviour } from './simulate.js';
import { simulateStream } from './simulate-stream.js';

/** CPU sharing, recycling and timeouts, against timelines worked out by hand. */

const one: ModelTopology = {
  kind: 'sync',
  workers: 1,
  threads: 1,
  replicas: 1,
  balancer: 'round-robin',
  workerConnections: 1000,
};

function run(
  topology: ModelTopology,
  service: number[],
  behaviour: Partial<WorkerBehaviour>,
  arrivals = new Array(service.length).fill(0),
) {
  return simulate({
    topology,
    behaviour,
    arrivals: Float64Array.from(arrivals),
    service: Float64Array.from(service),
    random: createRandom(1),
  });
}

// 8 CPU-bound requests of 1 s on 4 sync workers sharing 2 cores: 4 processes busy, each gets half
// a core, so the first four finish at 2 s; the next four run the same way from 2 s to 4 s.
test('CPU-bound workers share the cores: 4 processes on 2 cores run at half speed', () => {
  const r = run({ ...one, workers: 4 }, new Array(8).fill(1), { work: 'cpu', cores: 2 });
  assert.deepEqual(Array.from(r.start), [0, 0, 0, 0, 2, 2, 2, 2]);
  assert.deepEqual(Array.from(r.end), [2, 2, 2, 2, 4, 4, 4, 4]);
  // With sleep work the cores do not matter: rounds of 1 s.
  const sleep = run({ ...one, workers: 4 }, new Array(8).fill(1), { work: 'sleep', cores: 2 });
  assert.deepEqual(Array.from(sleep.end), [1, 1, 1, 1, 2, 2, 2, 2]);
});

// One gthread worker with 4 threads on 4 cores: the GIL keeps the process to one core, so four
// 1 s CPU-bound requests share it and all finish at 4 s (sleeping ones would finish at 1 s).
test('threads of one process share one core (the GIL)', () => {
  const gthread = { ...one, kind: 'gthread' as const, threads: 4 };
  const r = run(gthread, [1, 1, 1, 1], { work: 'cpu', cores: 4 });
  assert.deepEqual(Array.from(r.start), [0, 0, 0, 0]);
  for (const end of r.end) assert.ok(Math.abs(end - 4) < 1e-9, String(end));
});

// Processor sharing with unequal work: two threads of one process, CPU work 1 s and 3 s. Both run
// at half a core until the short one has had 1 s of CPU at t = 2; the long one then runs alone and
// needs 2 s more: ends 2 and 4.
test('processor sharing gives unequal requests the hand-derived ends', () => {
  const gthread = { ...one, kind: 'gthread' as const, threads: 2 };
  const r = run(gthread, [1, 3], { work: 'cpu', cores: 8 });
  assert.ok(Math.abs((r.end[0] as number) - 2) < 1e-9);
  assert.ok(Math.abs((r.end[1] as number) - 4) < 1e-9);
});

// Two gthread workers x 2 threads, worker_connections 2, on 1 core: each worker takes 2 of the 4
// requests; 2 busy processes share the core, each request gets a quarter: 1 s of CPU takes 4 s.
test('processes and threads share: 4 requests in 2 processes on 1 core finish at 4 s', () => {
  const t = { ...one, kind: 'gthread' as const, workers: 2, threads: 2, workerConnections: 2 };
  const r = run(t, [1, 1, 1, 1], { work: 'cpu', cores: 1 });
  for (const end of r.end) assert.ok(Math.abs(end - 4) < 1e-9, String(end));
  assert.deepEqual(Array.from(r.worker).sort(), [0, 0, 1, 1], 'each worker holds two');
});

// gunicorn --max-requests 2, restart 1 s, one sync worker, burst of 5 x 1 s:
//   r0 [0,1] r1 [1,2] exit at 2, replacement accepts at 3; r2 [3,4] r3 [4,5] exit at 5, back at 6;
//   r4 [6,7]. Waits 0, 1, 3, 4, 6; makespan 7; two restarts.
test('a sync worker recycled after max-requests is away for the restart time', () => {
  const r = run(one, [1, 1, 1, 1, 1], { maxRequests: 2, restartTime: 1 });
  assert.deepEqual(Array.from(r.start), [0, 1, 3, 4, 6]);
  assert.equal(statsOf(r, new Float64Array(5)).makespan, 7);
  assert.equal(r.totals.restarts, 2);
});

// gthread, 1 worker x 1 thread, --max-requests 3, restart 1 s, burst of 5 x 1 s. Requests count
// as their handlers start.
// worker_connections 1000: the worker accepts all five at once and queues them for its thread;
// the third starts at 2 and reaches the limit, yet the two it still holds are served before it
// exits: starts 0, 1, 2, 3, 4, and one restart, at 5.
// worker_connections 1: it holds one at a time, so on reaching the limit (r2 at 2) the rest wait
// in the kernel queue; it exits at 3, the replacement accepts at 4: starts 0, 1, 2, 4, 5.
test('a recycled gthread worker finishes the connections it accepted first', () => {
  const gthread = { ...one, kind: 'gthread' as const };
  const greedy = run(gthread, new Array(5).fill(1), { maxRequests: 3, restartTime: 1 });
  assert.deepEqual(Array.from(greedy.start), [0, 1, 2, 3, 4]);
  assert.equal(greedy.totals.restarts, 1);
  const capped = run({ ...gthread, workerConnections: 1 }, new Array(5).fill(1), {
    maxRequests: 3,
    restartTime: 1,
  });
  assert.deepEqual(Array.from(capped.start), [0, 1, 2, 4, 5]);
  assert.equal(capped.totals.restarts, 1);
});

// --max-requests 10 --max-requests-jitter 10: each process serves 10 + uniform{0..10} requests,
// 15 on average, so 15,000 requests recycle about 1,000 times. The count of renewals has a
// standard deviation of √(n·var/mean³) = √(15000·10/3375) = 6.7 (renewal theory, var = (11² −
// 1)/12 = 10); tolerance ±30, 4.5 standard deviations.
test('max-requests jitter draws each process a limit from N to N + J', () => {
  const r = simulateStream({
    topology: one,
    arrivals: { kind: 'burst', users: 15_000 },
    service: { kind: 'constant', mean: 1 },
    behaviour: { maxRequests: 10, maxRequestsJitter: 10, restartTime: 0 },
    seed: 3,
  });
  assert.ok(Math.abs(r.totals.restarts - 1000) <= 30, String(r.totals.restarts));
});

// --timeout 1.5 s, restart 1 s, one sync worker, service 1 s, 2 s, 1 s arriving together:
//   r0 [0,1] ok; r1 starts at 1, is still running at 2.5 and fails, the worker is killed;
//   the replacement accepts at 3.5: r2 [3.5, 4.5] ok.
test('a request past the timeout fails and its worker is replaced after the restart time', () => {
  const r = run(one, [1, 2, 1], { timeout: 1.5, restartTime: 1 });
  assert.deepEqual(Array.from(r.status), [STATUS.ok, STATUS.timeout, STATUS.ok]);
  assert.deepEqual(Array.from(r.start), [0, 1, 3.5]);
  assert.deepEqual(Array.from(r.end), [1, 2.5, 4.5]);
  assert.equal(r.totals.timeouts, 1);
  // CPU-bound, 2 workers on 1 core: each 1 s request takes 2 s of wall time, past a 1.5 s timeout.
  const cpu = run({ ...one, workers: 2 }, [1, 1], { work: 'cpu', cores: 1, timeout: 1.5 });
  assert.deepEqual(Array.from(cpu.status), [STATUS.timeout, STATUS.timeout]);
  assert.deepEqual(Array.from(cpu.end), [1.5, 1.5]);
});

// One uvicorn worker with a pool of 2 threads, 4 connections at once, the loop costing c per
// accept, start and response: the 4 accepts take it to 4c, then the two free threads start at 5c
// and 6c; the first ends at 5c + S, its response takes the loop to 6c + S and the third starts at
// 7c + S; the second ends at 6c + S, its response waits for the loop (8c + S), the fourth starts
// at 9c + S. At time scale 0.5 each cost is twice as long in model seconds.
test('an event loop cost delays accepts, starts and responses one at a time per worker', () => {
  const pool: ModelTopology = { ...one, kind: 'gthread', threads: 2 };
  const S = 1;
  const c = 0.01;
  const close = (actual: Float64Array, expected: number[]): void => {
    for (const [i, e] of expected.entries())
      assert.ok(Math.abs((actual[i] as number) - e) < 1e-12, `${i}: ${actual[i]} vs ${e}`);
  };
  const r = run(pool, [S, S, S, S], { loop: { cost: c, timeScale: 1 } });
  close(r.start, [5 * c, 6 * c, 7 * c + S, 9 * c + S]);
  const slow = run(pool, [S, S, S, S], { loop: { cost: c / 2, timeScale: 0.5 } });
  close(slow.start, [5 * c, 6 * c, 7 * c + S, 9 * c + S]);
  // Without a cost the same burst starts at 0, 0, S, S: the model as it was.
  const free = run(pool, [S, S, S, S], {});
  close(free.start, [0, 0, S, S]);
  // One connection to each of two workers (each holds one at most): each loop is its own, so both
  // start at 2c, where one loop would have started them at 3c and 4c.
  const two = run({ ...pool, workers: 2, threads: 1, workerConnections: 1 }, [S, S], {
    loop: { cost: c, timeScale: 1 },
  });
  close(two.start, [2 * c, 2 * c]);
  assert.throws(() => run(pool, [S], { loop: { cost: -1, timeScale: 1 } }), /event loop cost/);
  assert.throws(
    () => run(pool, [S], { work: 'cpu', cores: 1, loop: { cost: c, timeScale: 1 } }),
    /sleep/,
  );
});

test('settings that a server kind does not have are refused', () => {
  const gthread = { ...one, kind: 'gthread' as const, threads: 2 };
  assert.throws(() => run(gthread, [1], { timeout: 1 }), /liveness check/);
  assert.throws(() => run({ ...one, kind: 'flask-dev' }, [1], { maxRequests: 5 }), /max-requests/);
});

// The streaming run and the recording run are the same simulation: same seed, same streams,
// same figures (quantiles exact below the accumulator's limit).
test('a streaming run gives the figures of the recorded run with the same seed', () => {
  const topology: ModelTopology = { ...one, kind: 'gthread', workers: 3, threads: 2, replicas: 2 };
  const plan = { kind: 'poisson' as const, rate: 2, duration: 5000 };
  const service = { kind: 'lognormal' as const, mean: 2, cv: 1.2 };
  const arrivals = arrivalInstants(plan, createRandom(deriveSeed(9, STREAM.arrivals)));
  const recorded = simulate({
    topology,
    arrivals,
    service: sampleServiceTimes(
      service,
      arrivals.length,
      createRandom(deriveSeed(9, STREAM.service)),
    ),
    random: createRandom(9),
  });
  const streamed = simulateStream({ topology, arrivals: plan, service, seed: 9 });
  assert.ok(streamed.exactQuantiles);
  const expected = statsOf(recorded, arrivals);
  for (const figure of [
    'count',
    'meanWait',
    'p50Wait',
    'p95Wait',
    'p99Wait',
    'maxWait',
    'makespan',
  ] as const)
    assert.ok(Math.abs(streamed.figures[figure] - expected[figure]) < 1e-9, figure);
});
