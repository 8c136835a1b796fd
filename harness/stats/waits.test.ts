import assert from 'node:assert/strict';
import { test } from 'node:test';
import { relativeError, summarizeWaits } from './waits.js';

// Type 7 quantiles of 1..20 by hand: position (n - 1)·p = 19p between order statistics,
// p50 at 9.5 -> 10.5, p95 at 18.05 -> 19.05, p99 at 18.81 -> 19.81.
test('wait figures of 1..20 follow type 7 quantiles', () => {
  const waits = Array.from({ length: 20 }, (_, i) => 20 - i); // unsorted on purpose
  const stats = summarizeWaits(waits, 25);
  assert.equal(stats.count, 20);
  assert.equal(stats.meanWait, 10.5);
  assert.ok(Math.abs(stats.p50Wait - 10.5) < 1e-9);
  assert.ok(Math.abs(stats.p95Wait - 19.05) < 1e-9);
  assert.ok(Math.abs(stats.p99Wait - 19.81) < 1e-9);
  assert.equal(stats.maxWait, 20);
  assert.equal(stats.makespan, 25);
});

test('requests that never started are left out of the figures', () => {
  const stats = summarizeWaits([1, Number.NaN, 3], 4);
  assert.equal(stats.count, 2);
  assert.equal(stats.meanWait, 2);
  assert.ok(Number.isNaN(summarizeWaits([], 0).meanWait));
});

test('relative error is signed against the measurement', () => {
  assert.equal(relativeError(110, 100), 0.1);
  assert.equal(relativeError(90, 100), -0.1);
  assert.equal(relativeError(0, 0), 0);
  assert.equal(relativeError(1, 0), Number.POSITIVE_INFINITY);
});
