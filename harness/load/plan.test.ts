import assert from 'node:assert/strict';
import { test } from 'node:test';
import { constantRate, expectedArrivals, planArrivals, planDuration } from './plan.js';

test('a constant regular rate spaces arrivals evenly, half a gap from the start', () => {
  const arrivals = planArrivals(constantRate(4, 2, 'regular', 1), 1000);
  assert.deepEqual(Array.from(arrivals), [0.125, 0.375, 0.625, 0.875, 1.125, 1.375, 1.625, 1.875]);
});

test('a linear ramp from 0 to 10/s over 10 s puts arrival k at sqrt(2(k + 0.5)/slope)', () => {
  // Λ(t) = t²/2 for a slope of 1/s², so Λ reaches k + 0.5 at t = sqrt(2k + 1); 50 arrivals in all.
  const plan = {
    startRate: 0,
    stages: [{ target: 10, duration: 10 }],
    arrivals: 'regular' as const,
    seed: 1,
  };
  assert.equal(expectedArrivals(plan), 50);
  const arrivals = planArrivals(plan, 1000);
  assert.equal(arrivals.length, 50);
  for (let k = 0; k < 50; k++)
    assert.ok(Math.abs((arrivals[k] as number) - Math.sqrt(2 * k + 1)) < 1e-9, `k=${k}`);
});

test('stages chain: up, hold, down', () => {
  const plan = {
    startRate: 0,
    stages: [
      { target: 20, duration: 5 },
      { target: 20, duration: 10 },
      { target: 0, duration: 5 },
    ],
    arrivals: 'regular' as const,
    seed: 1,
  };
  assert.equal(planDuration(plan), 20);
  assert.equal(expectedArrivals(plan), 50 + 200 + 50);
  const arrivals = planArrivals(plan, 10_000);
  assert.equal(arrivals.length, 300);
  // During the hold, arrivals are 1/20 s apart.
  const hold = Array.from(arrivals).filter((t) => t > 6 && t < 14);
  for (let k = 1; k < hold.length; k++)
    assert.ok(Math.abs((hold[k] as number) - (hold[k - 1] as number) - 0.05) < 1e-9);
  for (let k = 1; k < arrivals.length; k++)
    assert.ok((arrivals[k] as number) > (arrivals[k - 1] as number));
});

// A Poisson process of rate λ over T: the count is Poisson(λT) (mean and variance λT), gaps are
// exponential with mean 1/λ. 10 s at 500/s gives 5000 expected; 4 standard deviations is 283.
test('Poisson arrivals have the right count and exponential gaps', () => {
  const arrivals = planArrivals(constantRate(500, 10, 'poisson', 42), 1e6);
  assert.ok(Math.abs(arrivals.length - 5000) < 4 * Math.sqrt(5000), `count ${arrivals.length}`);
  const gaps = Array.from(arrivals, (t, i) => t - (i === 0 ? 0 : (arrivals[i - 1] as number)));
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  assert.ok(Math.abs(mean - 1 / 500) < 0.1 / 500, `mean gap ${mean}`);
  // Exponential: P(gap > mean) = e^-1 ≈ 0.368; the binomial sd over 5000 gaps is about 0.007.
  const above = gaps.filter((g) => g > 1 / 500).length / gaps.length;
  assert.ok(Math.abs(above - Math.exp(-1)) < 0.03, `share above the mean ${above}`);
  assert.deepEqual(
    planArrivals(constantRate(500, 10, 'poisson', 42), 1e6),
    arrivals,
    'same seed, same plan',
  );
});

test('a plan stops at the request limit', () => {
  assert.equal(planArrivals(constantRate(1000, 100, 'regular', 1), 123).length, 123);
  assert.equal(planArrivals(constantRate(1000, 100, 'poisson', 1), 77).length, 77);
});
