import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mmc, mmcWaitQuantile } from './erlang-c.js';
import { parseGoal } from './goal.js';
import { searchGoal } from './goal-search.js';
import { DEFAULT_BEHAVIOUR, type ModelTopology } from './simulate.js';
import { type WhatIfInput, whatIf } from './what-if.js';

const sync4x3: ModelTopology = {
  kind: 'sync',
  workers: 4,
  threads: 1,
  replicas: 3,
  balancer: 'round-robin',
  workerConnections: 1000,
};

const question = (overrides: Partial<WhatIfInput> = {}): WhatIfInput => ({
  topology: sync4x3,
  arrivals: { kind: 'burst', users: 200 },
  service: { kind: 'constant', mean: 2 },
  behaviour: DEFAULT_BEHAVIOUR,
  seed: 1,
  replications: 20,
  ...overrides,
});

// contest-200 on sync 4 x 3 (README): 67 requests on the busiest replica, 4 at a time, 2 s each:
// the last waits floor(66/4) x 2 = 32 s and finishes at ceil(67/4) x 2 = 34 s; 200 requests in
// 34 s is 5.88/s; busy 200 x 2 s of 12 x 34 thread-seconds is 98.0%.
test('a burst on shared queues is answered by the closed form', () => {
  const r = whatIf(question());
  assert.equal(r.methods.meanWait, 'burst-closed-form');
  assert.equal(r.methods.makespan, 'burst-closed-form');
  assert.equal(r.replications, 0);
  assert.equal(r.figures.maxWait, 32);
  assert.equal(r.figures.makespan, 34);
  assert.ok(Math.abs(r.figures.throughput - 200 / 34) < 1e-12);
  assert.ok(Math.abs(r.figures.utilisation - 400 / (12 * 34)) < 1e-12);
  assert.ok(Math.abs((r.backOfEnvelope ?? 0) - (200 / 12) * 2) < 1e-12);
});

test('a burst with random effects is simulated over runs, with spread', () => {
  const r = whatIf(
    question({ topology: { ...sync4x3, kind: 'gthread', threads: 2 }, replications: 30 }),
  );
  assert.equal(r.methods.meanWait, 'simulation');
  assert.equal(r.replications, 30);
  assert.equal(r.simulatedRequests, 30 * 200);
  assert.ok(r.spread?.makespan !== undefined);
  // Per-worker queues are never faster than one shared queue of 8: ceil(67/8) x 2 = 18 s.
  assert.ok(r.figures.makespan >= 18);
  const little = r.checks.find((c) => c.name.startsWith("Little's law"));
  assert.ok(little !== undefined && Math.abs(little.relativeDifference) < 1e-9);
});

test('Poisson arrivals on M/M/c replicas take Erlang C for the steady-state figures', () => {
  const r = whatIf(
    question({
      topology: { ...sync4x3, replicas: 1 },
      arrivals: { kind: 'poisson', rate: 1.6, duration: 20_000 },
      service: { kind: 'exponential', mean: 2 },
      replications: 4,
    }),
  );
  const q = { arrivalRate: 1.6, serviceTime: 2, servers: 4 };
  assert.equal(r.methods.meanWait, 'erlang-c');
  assert.equal(r.methods.p95Wait, 'erlang-c');
  assert.equal(r.methods.maxWait, 'simulation');
  assert.equal(r.figures.meanWait, mmc(q).meanWait);
  assert.equal(r.figures.p95Wait, mmcWaitQuantile(q, 0.95));
  assert.equal(r.figures.utilisation, 0.8);
  const simulated = r.checks.find((c) => c.name === 'simulated mean wait');
  assert.ok(simulated !== undefined && Math.abs(simulated.relativeDifference) < 0.1);
});

test('approximations stand beside the simulation as checks where they apply', () => {
  const constant = whatIf(
    question({
      topology: { ...sync4x3, replicas: 1 },
      arrivals: { kind: 'poisson', rate: 1.6, duration: 20_000 },
      replications: 2,
    }),
  );
  assert.equal(constant.methods.meanWait, 'simulation');
  assert.ok(constant.checks.some((c) => c.name.startsWith('Cosmetatos')));
  assert.ok(constant.checks.some((c) => c.name.startsWith('Allen-Cunneen')));
  const roundRobin = whatIf(
    question({
      arrivals: { kind: 'poisson', rate: 4.8, duration: 5_000 },
      service: { kind: 'exponential', mean: 2 },
      replications: 2,
    }),
  );
  const ac = roundRobin.checks.find((c) => c.name.startsWith('Allen-Cunneen'));
  assert.ok(ac !== undefined);
  assert.match(ac.note, /ca² = 0\.333/);
  assert.equal(roundRobin.methods.meanWait, 'simulation', 'round robin is not M/M/c');
});

test('arrivals beyond capacity are flagged and left to the simulation', () => {
  const r = whatIf(
    question({ arrivals: { kind: 'poisson', rate: 7, duration: 600 }, replications: 2 }),
  );
  assert.equal(r.methods.meanWait, 'simulation');
  assert.ok(r.notes.some((n) => n.includes('no steady state')));
});

// Sync 4 workers, burst of 200 x 2 s, goal maxWait <= 10 s: with R replicas the busiest holds
// ceil(200/R) and its last waits floor((ceil(200/R) − 1)/4) x 2 s. R = 8: 25 -> 12 s; R = 9:
// 23 -> 10 s. So the search tries 1..9 and stops at 9.
test('the goal search finds the smallest replica count, as derived by hand', () => {
  const goal = parseGoal('maxWait<=10s');
  assert.ok(goal.ok);
  const search = searchGoal(
    question({ topology: { ...sync4x3, replicas: 1 } }),
    goal.conditions,
    'replicas',
    64,
  );
  assert.equal(search.found, 9);
  assert.deepEqual(
    search.curve.map((p) => p.result.figures.maxWait),
    [1, 2, 3, 4, 5, 6, 7, 8, 9].map((r) => Math.floor((Math.ceil(200 / r) - 1) / 4) * 2),
  );
  const never = searchGoal(question(), goal.conditions, 'workers', 2);
  assert.equal(never.found, null);
  assert.equal(never.curve.length, 2);
});

test('settings a server kind does not have are refused before anything runs', () => {
  assert.throws(
    () => whatIf(question({ topology: { ...sync4x3, kind: 'flask-dev', workers: 2 } })),
    /one process/,
  );
});
