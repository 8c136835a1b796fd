import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  fitStickiness,
  herfindahl,
  meanHerfindahl,
  modelHerfindahl,
  simulatedShares,
} from './accept-race.js';
import { predictBurst } from './predict.js';
import { createRandom } from './random.js';
import { type ModelTopology, simulate } from './simulate.js';

const gthread = (workers: number, replicas = 1): ModelTopology => ({
  kind: 'gthread',
  workers,
  threads: 2,
  replicas,
  balancer: 'round-robin',
  workerConnections: 1000,
});

function burstRun(
  topology: ModelTopology,
  users: number,
  stickiness: number | undefined,
  seed: number,
) {
  const input = {
    topology,
    arrivals: new Float64Array(users),
    service: new Float64Array(users).fill(1),
    random: createRandom(seed),
  };
  return simulate(stickiness === undefined ? input : { ...input, behaviour: { stickiness } });
}

test('the Herfindahl index of hand-worked shares', () => {
  assert.equal(herfindahl([1, 1, 1, 1]), 0.25);
  assert.equal(herfindahl([4, 0]), 1);
  assert.equal(herfindahl([3, 1]), 0.625); // (3/4)^2 + (1/4)^2
  assert.ok(Number.isNaN(herfindahl([0, 0])));
  assert.equal(
    meanHerfindahl([
      [[3, 1]],
      [
        [1, 1],
        [0, 0],
      ],
    ]),
    (0.625 + 0.5) / 2,
  );
});

test('stickiness 0 is the uniform race, draw for draw', () => {
  for (const seed of [1, 2, 3]) {
    const before = burstRun(gthread(4, 3), 200, undefined, seed);
    const zero = burstRun(gthread(4, 3), 200, 0, seed);
    assert.deepEqual(Array.from(zero.worker), Array.from(before.worker));
    assert.deepEqual(Array.from(zero.start), Array.from(before.start));
  }
});

test('the race is deterministic by seed', () => {
  const a = burstRun(gthread(4), 67, 0.9, 11);
  const b = burstRun(gthread(4), 67, 0.9, 11);
  assert.deepEqual(Array.from(a.worker), Array.from(b.worker));
  const c = burstRun(gthread(4), 67, 0.9, 12);
  assert.notDeepEqual(Array.from(a.worker), Array.from(c.worker));
});

test('stickiness 1 gives a whole burst to one worker, and the index grows with s', () => {
  const topology = gthread(4);
  const shares = simulatedShares(burstRun(topology, 50, 1, 5), topology)[0] as number[];
  assert.deepEqual(
    [...shares].sort((a, b) => b - a),
    [50, 0, 0, 0],
  );
  const question = { topology, users: 48, service: 1, runs: 300, seed: 1 };
  let previous = 0;
  for (const s of [0, 0.5, 0.9, 0.99]) {
    const h = modelHerfindahl(question, s);
    assert.ok(h > previous, `index ${h} at s=${s} not above ${previous}`);
    previous = h;
  }
});

test('the uniform race matches the multinomial expectation 1/W + (1 - 1/W)/N', () => {
  // N connections dealt uniformly to W workers: E[sum of squared shares] = 1/W + (1 - 1/W)/N.
  for (const [workers, users] of [
    [4, 48],
    [3, 20],
  ] as const) {
    const expected = 1 / workers + (1 - 1 / workers) / users;
    const h = modelHerfindahl(
      { topology: gthread(workers), users, service: 1, runs: 3000, seed: 3 },
      0,
    );
    assert.ok(
      Math.abs(h - expected) / expected < 0.02,
      `W=${workers} N=${users}: ${h} vs ${expected}`,
    );
  }
});

test('a connection that finds the queue empty is drawn uniformly whatever s', () => {
  // Arrivals a second apart, each served in half a second: no connection ever waits, so the
  // stickiness never applies and the run is the uniform one.
  const topology = gthread(3);
  const n = 60;
  const arrivals = Float64Array.from({ length: n }, (_, i) => i);
  const run = (stickiness: number) =>
    simulate({
      topology,
      behaviour: { stickiness },
      arrivals,
      service: new Float64Array(n).fill(0.5),
      random: createRandom(9),
    });
  assert.deepEqual(Array.from(run(0.95).worker), Array.from(run(0).worker));
});

test('the fit recovers the stickiness that made the shares', () => {
  // Shares simulated at a known s with other seeds than the fit's own, then fitted.
  const topology = gthread(3);
  for (const truth of [0.6, 0.9]) {
    const bursts = Array.from({ length: 400 }, (_, k) =>
      simulatedShares(burstRun(topology, 48, truth, 10_000 + k), topology),
    );
    const fit = fitStickiness(
      { topology, users: 48, service: 1, runs: 400, seed: 1 },
      meanHerfindahl(bursts),
    );
    assert.equal(fit.bound, 'inside');
    assert.ok(Math.abs(fit.stickiness - truth) < 0.05, `fitted ${fit.stickiness} for ${truth}`);
  }
});

test('shares as even as uniform or beyond the model clamp the fit to 0 or 1', () => {
  const question = { topology: gthread(3), users: 48, service: 1, runs: 100, seed: 1 };
  assert.equal(fitStickiness(question, 1 / 3).stickiness, 0);
  assert.equal(fitStickiness(question, 1 / 3).bound, 'below-uniform');
  assert.equal(fitStickiness(question, 1.01).stickiness, 1);
});

test('a sticky race lengthens a gthread burst: makespan rises with s', () => {
  const base = {
    topology: gthread(4),
    users: 67,
    service: 2,
    seed: 1,
    replications: 200,
  };
  const uniform = predictBurst(base);
  const sticky = predictBurst({ ...base, stickiness: 0.95 });
  assert.ok(sticky.stats.makespan > uniform.stats.makespan * 1.2);
  assert.match(sticky.note, /probability 0\.950/);
});
