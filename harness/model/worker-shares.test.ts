import assert from 'node:assert/strict';
import { test } from 'node:test';
import { predictBurst } from './predict.js';
import type { ModelTopology, SimulationResult } from './simulate.js';
import { workerShareTally } from './worker-shares.js';

/** A simulated run reduced to who served each request (-1: nobody; NaN start: never started). */
function run(served: Array<[number, number]>, neverStarted = 0): SimulationResult {
  const n = served.length + neverStarted;
  const replica = new Int32Array(n).fill(-1);
  const worker = new Int32Array(n).fill(-1);
  const start = new Float64Array(n).fill(Number.NaN);
  served.forEach(([r, w], i) => {
    replica[i] = r;
    worker[i] = w;
    start[i] = 0;
  });
  return {
    replica,
    worker,
    thread: new Int32Array(n),
    start,
    end: new Float64Array(n),
    status: new Uint8Array(n),
    totals: {} as SimulationResult['totals'],
    transitions: [],
  };
}

test('worker shares: the mean over runs of each run own split, never-started requests left out', () => {
  const tally = workerShareTally(1, 2);
  assert.deepEqual(tally.shares(), {
    replications: 0,
    workers: [
      { replica: 0, worker: 0, mean: 0, p5: 0, p95: 0 },
      { replica: 0, worker: 1, mean: 0, p5: 0, p95: 0 },
    ],
  });
  // Run 1: worker 0 serves 3 of 4 (0.75); run 2: 1 of 2, with 2 requests never started (0.5).
  tally.add(
    run([
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 1],
    ]),
  );
  tally.add(
    run(
      [
        [0, 0],
        [0, 1],
      ],
      2,
    ),
  );
  const { replications, workers } = tally.shares();
  assert.equal(replications, 2);
  assert.equal(workers[0]?.mean, 0.625);
  assert.equal(workers[1]?.mean, 0.375);
  // Two runs: the 5th and 95th percentile interpolate between the smaller and the larger share
  // (0.5 + 0.05 x 0.25 and 0.5 + 0.95 x 0.25), as simple-statistics' quantileSorted does.
  const [p5, p95] = [workers[0]?.p5 as number, workers[0]?.p95 as number];
  assert.ok(Math.abs(p5 - 0.5125) < 1e-12 && Math.abs(p95 - 0.7375) < 1e-12, `${p5} ${p95}`);
});

test('worker shares: a random accept race varies from run to run, its mean near even, the band around it', () => {
  const topology: ModelTopology = {
    kind: 'gthread',
    workers: 4,
    threads: 2,
    replicas: 1,
    balancer: 'round-robin',
    workerConnections: 1000,
  };
  const tally = workerShareTally(1, 4);
  const prediction = predictBurst({
    topology,
    users: 200,
    service: 1,
    seed: 11,
    replications: 40,
    eachRun: (result) => tally.add(result),
  });
  const { replications, workers } = tally.shares();
  assert.equal(replications, prediction.replications);
  assert.equal(replications, 40);
  const total = workers.reduce((a, w) => a + w.mean, 0);
  assert.ok(Math.abs(total - 1) < 1e-9, `shares sum to ${total}`);
  for (const w of workers) {
    assert.ok(w.p5 <= w.mean && w.mean <= w.p95, JSON.stringify(w));
    // The race is uniform: over 40 runs each worker's mean share is near a quarter (one run of
    // 200 requests varies by about sqrt(200 x 1/4 x 3/4) / 200 = 3%, its mean by 3% / sqrt(40)).
    assert.ok(Math.abs(w.mean - 0.25) < 0.05, `worker ${w.worker}: ${w.mean}`);
    assert.ok(w.p95 > w.p5, `worker ${w.worker}: the race varies, ${w.p5} to ${w.p95}`);
  }
});

test('worker shares: a round-robin deal is the same every run, so its band is a point', () => {
  const tally = workerShareTally(2, 2);
  const topology: ModelTopology = {
    kind: 'sync',
    workers: 2,
    threads: 1,
    replicas: 2,
    balancer: 'round-robin',
    workerConnections: 1000,
  };
  const prediction = predictBurst({ topology, users: 40, service: 1, seed: 3, replications: 20 });
  tally.add(prediction.sample);
  for (const w of tally.shares().workers) {
    assert.equal(w.mean, 0.25);
    assert.equal(w.p5, w.p95);
  }
});
