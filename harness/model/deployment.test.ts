import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EmulatedTopologySpec as TopologySpec } from '../scenario/types.js';
import {
  AWAIT_SLOTS,
  asyncHandlerSlots,
  engineDeployment,
  UNLIMITED_CONNECTIONS,
  WHOLE_BURST_SHARE,
} from './deployment.js';
import { predictLoad } from './predict-load.js';
import { createRandom } from './random.js';
import { acceptRaceServerOf } from './server-kinds.js';
import { distributionOf } from './service-time.js';
import { type ModelTopology, simulate } from './simulate.js';

/**
 * The async worker kind and the worker life cycle in the model, against closed forms: one async
 * worker is one queue with as many servers as its handlers may run at once, so a burst of N with
 * service S waits floor(k/c)·S for the k-th request (c: unlimited for await, the pool of 40 for
 * def, 1 for blocking or CPU-bound handlers).
 */

const asyncTopology = (
  handler: 'await' | 'def' | 'blocking' | 'cpu',
  workers = 1,
): TopologySpec => ({
  name: handler,
  kind: 'async',
  declaredKind: 'async',
  workers,
  threads: 1,
  replicas: 1,
  balancer: 'round-robin',
  workerConnections: 1000,
  backlog: 2048,
  keepAlive: 2,
  port: 0,
  asyncWorker: { handler, threadPool: 40 },
});

function burst(topology: TopologySpec, users: number, service: number, cores = 64) {
  return predictLoad({
    topology,
    load: {
      executor: 'burst',
      users,
      connections: 'new',
      threads: 1,
      record: 'requests',
      requestsFile: true,
    },
    distribution: distributionOf({ time: service, distribution: 'constant' }),
    serviceTimes: new Float64Array([service]),
    work: 'sleep',
    cores,
    seed: 1,
    replications: 20,
  });
}

test('handlers at once per async worker: unlimited, the pool, or one', () => {
  assert.equal(asyncHandlerSlots({ handler: 'await', threadPool: 40 }), AWAIT_SLOTS);
  assert.equal(asyncHandlerSlots({ handler: 'def', threadPool: 40 }), 40);
  assert.equal(asyncHandlerSlots({ handler: 'blocking', threadPool: 40 }), 1);
  assert.equal(asyncHandlerSlots({ handler: 'cpu', threadPool: 40 }), 1);
});

test('one async worker: the burst closed form with c = its handlers at once', () => {
  const S = 2;
  // await: every request starts at once.
  const awaiting = burst(asyncTopology('await'), 200, S).waits;
  assert.equal(awaiting?.stats.maxWait, 0);
  assert.equal(awaiting?.stats.makespan, S);
  // def: 40 at a time, the 200th request waits floor(199/40) x 2 = 8 s.
  const pooled = burst(asyncTopology('def'), 200, S).waits;
  assert.equal(pooled?.method, 'closed-form');
  assert.equal(pooled?.stats.maxWait, 8);
  assert.equal(pooled?.stats.makespan, 10);
  // blocking: one at a time, the last waits 199 x 2 s.
  const blocking = burst(asyncTopology('blocking'), 200, S).waits;
  assert.equal(blocking?.stats.maxWait, 398);
});

test('CPU-bound async handlers are bounded by the cores: two workers on one core take twice as long', () => {
  const S = 1;
  const twoCores = burst(asyncTopology('cpu', 2), 20, S, 2).waits;
  const oneCore = burst(asyncTopology('cpu', 2), 20, S, 1).waits;
  assert.ok(twoCores !== null && oneCore !== null);
  // Twenty 1 s requests on two workers: 10 s with a core each (at least: a burst accepted
  // whole may split unevenly), and exactly 20 s of CPU on one shared core.
  assert.ok(twoCores.stats.makespan >= 10 - 1e-9);
  assert.ok(Math.abs(oneCore.stats.makespan - 20) < 1e-6);
});

test('async workers whose handlers hold the loop take the next connection when idle; a burst may reach them whole', () => {
  for (const handler of ['blocking', 'cpu'] as const) {
    const topology = asyncTopology(handler, 2);
    // A stream: one shared queue of two, no draw.
    const stream = engineDeployment(topology, 'sleep', 100, false);
    assert.equal(stream.topology.workerConnections, 1, handler);
    assert.equal(stream.behaviour.wholeBurst, undefined, handler);
    assert.equal(stream.random, false, handler);
    // A burst: 5 runs in 18 accept it whole.
    const burstDeployment = engineDeployment(topology, 'sleep', 100, true);
    assert.equal(burstDeployment.behaviour.wholeBurst, WHOLE_BURST_SHARE, handler);
    assert.equal(burstDeployment.random, true, handler);
  }
  // Handlers that leave the loop free accept without limit, as uvicorn's workers do.
  for (const handler of ['await', 'def'] as const) {
    const built = engineDeployment(asyncTopology(handler, 2), 'sleep', 100, true);
    assert.equal(built.topology.workerConnections, UNLIMITED_CONNECTIONS, handler);
    assert.equal(built.behaviour.wholeBurst, undefined, handler);
  }
  assert.equal(acceptRaceServerOf('async'), 'async');
});

test('a burst accepted whole: never, the shared queue; always, as the race draws; else per run', () => {
  // Two loop-held workers, 200 requests of 1 s at one instant, a race that always gives the next
  // connection to the worker that took the last: accepted whole, one worker takes all 200
  // (makespan 200 s); otherwise the shared queue of two (mean 49.5 s, makespan 100 s).
  const topology: ModelTopology = {
    kind: 'gthread',
    workers: 2,
    threads: 1,
    replicas: 1,
    balancer: 'round-robin',
    workerConnections: 1,
  };
  const run = (wholeBurst: number, seed: number) =>
    simulate({
      topology,
      behaviour: { stickiness: 1, wholeBurst },
      arrivals: new Float64Array(200),
      service: new Float64Array(200).fill(1),
      random: createRandom(seed),
    });
  const makespan = (r: ReturnType<typeof run>) => Math.max(...r.end);
  const meanStart = (r: ReturnType<typeof run>) => r.start.reduce((a, b) => a + b, 0) / 200;
  for (let seed = 1; seed <= 5; seed++) {
    assert.equal(makespan(run(0, seed)), 100);
    assert.ok(Math.abs(meanStart(run(0, seed)) - 49.5) < 1e-9);
    assert.equal(makespan(run(1, seed)), 200);
  }
  let whole = 0;
  const runs = 300;
  for (let seed = 1; seed <= runs; seed++) if (makespan(run(1 / 3, seed)) === 200) whole += 1;
  // Binomial(300, 1/3): mean 100, standard deviation 8.2; five of them either side.
  assert.ok(whole > 59 && whole < 141, `${whole} of ${runs}`);
});

test('recycling: a replacement accepts after the app load, at once with preload; a listening start boots', () => {
  const sync: TopologySpec = {
    ...asyncTopology('await'),
    kind: 'sync',
    declaredKind: 'sync',
    lifecycle: {
      maxRequests: 200,
      maxRequestsJitter: 20,
      appLoadTime: 4,
      preload: false,
      timeout: 0,
      init: null,
      loadStarts: 'ready',
    },
  };
  delete sync.asyncWorker;
  const loads = engineDeployment(sync, 'sleep', 100, false);
  assert.equal(loads.behaviour.restartTime, 4);
  assert.equal(loads.behaviour.maxRequests, 200);
  assert.equal(loads.behaviour.maxRequestsJitter, 20);
  assert.equal(loads.random, true);
  assert.equal(loads.firstUp, undefined);
  const preloaded = engineDeployment(
    {
      ...sync,
      lifecycle: { ...(sync.lifecycle as NonNullable<TopologySpec['lifecycle']>), preload: true },
    },
    'sleep',
    100,
    false,
  );
  assert.equal(preloaded.behaviour.restartTime, 0);
  const listening = engineDeployment(
    {
      ...sync,
      workers: 2,
      lifecycle: {
        ...(sync.lifecycle as NonNullable<TopologySpec['lifecycle']>),
        maxRequests: 0,
        maxRequestsJitter: 0,
        loadStarts: 'listening',
      },
    },
    'sleep',
    100,
    false,
  );
  assert.deepEqual([...(listening.firstUp ?? [])], [4, 4]);
});

test('a cold start delays the first requests until a worker accepts', () => {
  const topology: TopologySpec = {
    ...asyncTopology('await'),
    kind: 'sync',
    declaredKind: 'sync',
    workers: 2,
    lifecycle: {
      maxRequests: 0,
      maxRequestsJitter: 0,
      appLoadTime: 3,
      preload: false,
      timeout: 0,
      init: null,
      loadStarts: 'listening',
    },
  };
  delete topology.asyncWorker;
  const p = predictLoad({
    topology,
    load: {
      executor: 'constant-arrival-rate',
      rate: 1,
      duration: 10,
      arrivals: 'regular',
      maxConnections: 100,
      threads: 1,
      record: 'requests',
      requestsFile: true,
    },
    distribution: distributionOf({ time: 0.1, distribution: 'constant' }),
    serviceTimes: new Float64Array([0.1]),
    work: 'sleep',
    cores: 2,
    seed: 1,
    replications: 1,
  });
  // Arrivals at 0, 1, 2 wait until 3; two workers take two at once: starts 3, 3, 3.1.
  const starts = [...(p.waits?.sample.start ?? [])].slice(0, 4);
  assert.deepEqual(
    starts.map((s) => Number(s.toFixed(6))),
    [3, 3, 3.1, 3.1],
  );
  assert.equal(p.waits?.stats.maxWait, 3);
});
