import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TopologySpec } from '../scenario/types.js';
import { realStartup } from './start-real-topology.js';

const topology = (extra: Partial<TopologySpec> = {}): TopologySpec => ({
  name: 't',
  kind: 'gunicorn-sync',
  declaredKind: 'gunicorn-sync',
  workers: 4,
  threads: 1,
  replicas: 1,
  balancer: 'round-robin',
  workerConnections: 1000,
  backlog: 2048,
  keepAlive: 2,
  port: 0,
  ...extra,
});

test("the bundled app's start-up in real time, from the topology's scenario seconds", () => {
  const lifecycle = {
    maxRequests: 0,
    maxRequestsJitter: 0,
    appLoadTime: 4,
    preload: false,
    timeout: 8,
    init: { time: 6, mode: 'one-worker' as const, capacity: 2 },
    loadStarts: 'listening' as const,
  };
  // At time scale 0.25: 4 s of import-time work is 1000 ms real, 6 s of start-up 1500 ms.
  assert.deepEqual(realStartup(topology({ lifecycle }), 0.25, 4321, undefined), {
    appLoadMs: 1000,
    init: { ms: 1500, mode: 'one-worker', port: 4321 },
    loadStarts: 'listening',
  });
  // No resource started: no start-up work to do against it.
  assert.equal(realStartup(topology({ lifecycle }), 0.25, null, undefined)?.init, null);
  const scheduler = { election: 'none' as const, intervalUs: 1e6, runsFile: '/t/runs' };
  assert.deepEqual(realStartup(topology(), 1, null, { scheduler }), {
    appLoadMs: 0,
    init: null,
    scheduler,
    loadStarts: 'ready',
  });
  // Nothing asked for: nothing passed.
  assert.equal(realStartup(topology(), 1, null, undefined), undefined);
});
