import assert from 'node:assert/strict';
import { test } from 'node:test';
import { roundRobinBurstWaits, sharedQueueBurst } from './burst.js';
import { predictBurst, statsOf } from './predict.js';
import { createRandom } from './random.js';
import { type ModelTopology, simulate } from './simulate.js';

function burst(topology: ModelTopology, n: number, service: number, seed = 7) {
  const arrivals = new Float64Array(n);
  const result = simulate({
    topology,
    arrivals,
    service: new Float64Array(n).fill(service),
    random: createRandom(seed),
  });
  return {
    result,
    waits: Array.from(result.start, (s, i) => s - (arrivals[i] as number)),
    arrivals,
  };
}

const base: ModelTopology = {
  kind: 'sync',
  workers: 1,
  threads: 1,
  replicas: 1,
  balancer: 'round-robin',
  workerConnections: 1000,
};

test('simulation equals the closed form for shared queues behind round robin', () => {
  for (const [kind, workers, threads, replicas] of [
    ['flask-dev', 1, 1, 3],
    ['sync', 4, 1, 3],
    ['sync', 3, 1, 1],
    ['gthread', 1, 8, 2],
  ] as const) {
    const topology = { ...base, kind, workers, threads, replicas };
    const servers = kind === 'gthread' ? threads : workers;
    const { waits, result, arrivals } = burst(topology, 200, 2);
    assert.deepEqual(
      waits,
      Array.from(roundRobinBurstWaits(200, replicas, servers, 2)),
      `${kind} ${workers}x${threads}x${replicas}`,
    );
    assert.equal(
      statsOf(result, arrivals).makespan,
      sharedQueueBurst(Math.ceil(200 / replicas), servers, 2).makespan,
    );
  }
});

test('least connections deals a burst like round robin', () => {
  const rr = burst({ ...base, workers: 2, replicas: 5 }, 123, 1);
  const lc = burst({ ...base, workers: 2, replicas: 5, balancer: 'least-connections' }, 123, 1);
  assert.deepEqual(lc.waits, rr.waits);
  assert.deepEqual(Array.from(lc.result.replica), Array.from(rr.result.replica));
});

// A gthread worker whose worker_connections equals its threads accepts only while a thread is
// free, so its workers again share the kernel queue: W x T servers on one queue.
test('gthread with worker_connections = threads is one shared queue of W x T', () => {
  const { waits } = burst(
    { ...base, kind: 'gthread', workers: 4, threads: 2, replicas: 3, workerConnections: 2 },
    200,
    2,
  );
  assert.deepEqual(waits, Array.from(roundRobinBurstWaits(200, 3, 8, 2)));
});

test('gthread per-worker queues make waits no shorter than one shared queue', () => {
  const shared = sharedQueueBurst(67, 8, 2);
  for (let seed = 1; seed <= 50; seed++) {
    const { result, arrivals } = burst(
      { ...base, kind: 'gthread', workers: 4, threads: 2 },
      67,
      2,
      seed,
    );
    const stats = statsOf(result, arrivals);
    assert.ok(stats.makespan >= shared.makespan, `seed ${seed}`);
    assert.ok(stats.meanWait >= shared.meanWait - 1e-9, `seed ${seed}`);
  }
});

test('a gthread request can wait in its worker while another worker is idle', () => {
  // Two workers, one thread each, three requests at once: some worker holds two of them.
  let seen = false;
  for (let seed = 1; seed <= 20 && !seen; seed++) {
    const { result } = burst({ ...base, kind: 'gthread', workers: 2, threads: 1 }, 3, 1, seed);
    const perWorker = [0, 0];
    for (const w of result.worker) perWorker[w] = (perWorker[w] ?? 0) + 1;
    if (perWorker.includes(3)) seen = true; // one worker took all three while the other idled
  }
  assert.ok(seen, 'with 20 seeds, some run puts every request on one worker');
});

test('simulation is deterministic for a seed and every request is served once', () => {
  const topology: ModelTopology = {
    ...base,
    kind: 'gthread',
    workers: 4,
    threads: 2,
    replicas: 3,
    balancer: 'random',
  };
  const a = burst(topology, 500, 0.5, 42);
  const b = burst(topology, 500, 0.5, 42);
  assert.deepEqual(a.waits, b.waits);
  for (let i = 0; i < 500; i++) {
    assert.ok((a.result.end[i] as number) - (a.result.start[i] as number) === 0.5);
    assert.ok((a.result.worker[i] as number) >= 0 && (a.result.worker[i] as number) < 4);
    assert.ok((a.result.thread[i] as number) >= 0 && (a.result.thread[i] as number) < 2);
  }
  // No thread serves two requests at once.
  const byThread = new Map<string, Array<[number, number]>>();
  for (let i = 0; i < 500; i++) {
    const key = `${a.result.replica[i]}/${a.result.worker[i]}/${a.result.thread[i]}`;
    const list = byThread.get(key) ?? [];
    list.push([a.result.start[i] as number, a.result.end[i] as number]);
    byThread.set(key, list);
  }
  for (const intervals of byThread.values()) {
    intervals.sort((x, y) => x[0] - y[0]);
    for (let k = 1; k < intervals.length; k++)
      assert.ok((intervals[k]?.[0] as number) >= (intervals[k - 1]?.[1] as number) - 1e-12);
  }
});

test('predictBurst picks the closed form where it holds and simulates elsewhere', () => {
  const flask = predictBurst({
    topology: { ...base, kind: 'flask-dev', replicas: 3 },
    users: 200,
    service: 2,
    seed: 1,
    replications: 10,
  });
  assert.equal(flask.method, 'closed-form');
  assert.equal(flask.stats.makespan, 134);
  assert.equal(flask.stats.maxWait, 132);
  const gthread = predictBurst({
    topology: { ...base, kind: 'gthread', workers: 4, threads: 2, replicas: 3 },
    users: 200,
    service: 2,
    seed: 1,
    replications: 50,
  });
  assert.equal(gthread.method, 'simulation');
  assert.equal(gthread.replications, 50);
  assert.ok(gthread.spread !== undefined);
  assert.ok(
    gthread.spread.makespan.p5 <= gthread.stats.makespan &&
      gthread.stats.makespan <= gthread.spread.makespan.p95,
  );
  // One shared queue of 8 per replica would finish in ceil(67/8) x 2 = 18 s; per-worker queues cannot beat it.
  assert.ok(gthread.stats.makespan >= 18);
});

test('predictBurst simulates varying service times, the first run with the times sent', () => {
  const serviceTimes = Float64Array.from([0.5, 3, 1, 2, 0.1, 4]);
  const prediction = predictBurst({
    topology: { ...base, workers: 2 },
    users: 6,
    service: 2,
    seed: 1,
    replications: 20,
    distribution: { kind: 'exponential', mean: 2 },
    serviceTimes,
  });
  assert.equal(prediction.method, 'simulation');
  assert.equal(prediction.replications, 20);
  assert.match(prediction.note, /service times vary/);
  for (let i = 0; i < 6; i++) {
    const took = (prediction.sample.end[i] as number) - (prediction.sample.start[i] as number);
    assert.ok(Math.abs(took - (serviceTimes[i] as number)) < 1e-12, `request ${i} took ${took}`);
  }
});

// 8 CPU-bound requests of 1 s on 4 sync workers: with 4 cores the closed form holds (rounds of
// 1 s, makespan 2 s); with 2 cores each round takes 2 s, makespan 4 s (simulated).
test('predictBurst shares the cores among CPU-bound handlers', () => {
  const input = {
    topology: { ...base, workers: 4 },
    users: 8,
    service: 1,
    seed: 1,
    replications: 5,
    work: 'cpu' as const,
  };
  const roomy = predictBurst({ ...input, cores: 4 });
  assert.equal(roomy.method, 'closed-form');
  assert.equal(roomy.stats.makespan, 2);
  const tight = predictBurst({ ...input, cores: 2 });
  assert.equal(tight.method, 'simulation');
  assert.equal(tight.replications, 1, 'nothing random: one run');
  assert.equal(tight.stats.makespan, 4);
  assert.equal(tight.stats.maxWait, 2);
  assert.match(tight.note, /share 2 cores/);
});
