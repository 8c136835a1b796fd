import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EmulatedTopologySpec as TopologySpec } from '../scenario/types.js';
import {
  AWAIT_SLOTS,
  asyncHandlerSlots,
  engineDeployment,
  UNLIMITED_CONNECTIONS,
} from './deployment.js';
import { predictLoad } from './predict-load.js';
import { acceptRaceServerOf } from './server-kinds.js';
import { distributionOf } from './service-time.js';

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
  // Twenty 1 s requests on two workers that each take the next when idle: 10 s with a core
  // each, and 20 s of CPU on one shared core.
  assert.ok(Math.abs(twoCores.stats.makespan - 10) < 1e-6);
  assert.ok(Math.abs(oneCore.stats.makespan - 20) < 1e-6);
});

test('async workers whose handlers hold the loop share a burst as one queue: no accept race', () => {
  // Two workers, 200 requests of 1 s: the shared-queue closed form, the k-th waiting
  // floor(k / 2) s (mean 49.5 s, max 99 s), whatever a race would have drawn.
  for (const handler of ['blocking', 'cpu'] as const) {
    const shared = burst(asyncTopology(handler, 2), 200, 1).waits;
    assert.ok(Math.abs((shared?.stats.meanWait ?? 0) - 49.5) < 1e-6, handler);
    assert.ok(Math.abs((shared?.stats.maxWait ?? 0) - 99) < 1e-6, handler);
    assert.ok(Math.abs((shared?.stats.makespan ?? 0) - 100) < 1e-6, handler);
    const { topology } = engineDeployment(asyncTopology(handler, 2), 'sleep', 100);
    assert.equal(topology.workerConnections, 1, handler);
    assert.equal(acceptRaceServerOf('async', { handler, threadPool: 40 }), null, handler);
  }
  // Handlers that leave the loop free accept without limit and race, as uvicorn's workers do.
  for (const handler of ['await', 'def'] as const) {
    const { topology } = engineDeployment(asyncTopology(handler, 2), 'sleep', 100);
    assert.equal(topology.workerConnections, UNLIMITED_CONNECTIONS, handler);
    assert.equal(acceptRaceServerOf('async', { handler, threadPool: 40 }), 'async', handler);
  }
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
  const loads = engineDeployment(sync, 'sleep', 100);
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
