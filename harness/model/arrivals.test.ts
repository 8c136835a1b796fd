import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arrivalInstants, arrivalSource, expectedRequests } from './arrivals.js';
import { createRandom } from './random.js';

test('a burst is every request at 0 and a constant rate is evenly spaced', () => {
  assert.deepEqual(
    Array.from(arrivalInstants({ kind: 'burst', users: 3 }, createRandom(1))),
    [0, 0, 0],
  );
  // 4 req/s for 1 s: 0, 0.25, 0.5, 0.75 and 1 (both ends of the duration count).
  const constant = arrivalInstants({ kind: 'constant', rate: 4, duration: 1 }, createRandom(1));
  assert.deepEqual(Array.from(constant), [0, 0.25, 0.5, 0.75, 1]);
  assert.equal(expectedRequests({ kind: 'constant', rate: 4, duration: 1 }), 5);
  const next = arrivalSource({ kind: 'burst', users: 1 }, createRandom(1));
  assert.equal(next(), 0);
  assert.equal(next(), Number.POSITIVE_INFINITY);
});

// A Poisson count over rate x duration = 100,000 expected has standard deviation √100000 = 316;
// tolerance 1,500, 4.7 standard deviations. The gaps' mean is 1/rate (standard error 0.3%);
// tolerance 1.5%.
test('Poisson arrivals come at the rate, with exponential gaps, inside the duration', () => {
  const plan = { kind: 'poisson' as const, rate: 50, duration: 2000 };
  const t = arrivalInstants(plan, createRandom(4));
  assert.ok(Math.abs(t.length - 100_000) < 1_500, String(t.length));
  let sumGap = 0;
  let sumSq = 0;
  for (let i = 1; i < t.length; i++) {
    const gap = (t[i] as number) - (t[i - 1] as number);
    assert.ok(gap >= 0);
    sumGap += gap;
    sumSq += gap * gap;
  }
  const mean = sumGap / (t.length - 1);
  const scv = (sumSq / (t.length - 1) - mean * mean) / (mean * mean);
  assert.ok(Math.abs(mean * 50 - 1) < 0.015, String(mean));
  assert.ok(Math.abs(scv - 1) < 0.05, `gaps' cv² ${scv}, exponential has 1`);
  assert.ok((t[t.length - 1] as number) <= 2000);
});

// A linear ramp from 0 to 10/s over 10 s has Λ(t) = t²/2, so arrival k (Λ = k) falls at
// sqrt(2k): 51 of them, the last at exactly 10 s.
test('a regular ramp puts arrival k where the expected count reaches k', () => {
  const plan = {
    kind: 'stages' as const,
    startRate: 0,
    stages: [{ target: 10, duration: 10 }],
    process: 'regular' as const,
  };
  const t = arrivalInstants(plan, createRandom(1));
  assert.equal(t.length, 51);
  assert.equal(expectedRequests(plan), 51);
  for (let k = 0; k <= 50; k++)
    assert.ok(Math.abs((t[k] as number) - Math.sqrt(2 * k)) < 1e-9, `k=${k}`);
});

test('stages chain up, hold and down, evenly spaced during the hold', () => {
  const plan = {
    kind: 'stages' as const,
    startRate: 0,
    stages: [
      { target: 20, duration: 5 },
      { target: 20, duration: 10 },
      { target: 0, duration: 5 },
    ],
    process: 'regular' as const,
  };
  const t = arrivalInstants(plan, createRandom(1));
  assert.equal(t.length, 301); // Λ(20) = 50 + 200 + 50, plus the arrival at 0
  const hold = Array.from(t).filter((x) => x > 6 && x < 14);
  for (let k = 1; k < hold.length; k++)
    assert.ok(Math.abs((hold[k] as number) - (hold[k - 1] as number) - 0.05) < 1e-9);
  for (let k = 1; k < t.length; k++) assert.ok((t[k] as number) >= (t[k - 1] as number));
});

// A constant-rate stage with Poisson arrivals is the plain Poisson plan, draw for draw.
test('a flat Poisson stage is the Poisson plan', () => {
  const stages = arrivalInstants(
    { kind: 'stages', startRate: 300, stages: [{ target: 300, duration: 5 }], process: 'poisson' },
    createRandom(7),
  );
  const plain = arrivalInstants({ kind: 'poisson', rate: 300, duration: 5 }, createRandom(7));
  assert.equal(stages.length, plain.length);
  for (let i = 0; i < plain.length; i++)
    assert.ok(Math.abs((stages[i] as number) - (plain[i] as number)) < 1e-9);
});
