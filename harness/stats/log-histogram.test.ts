import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '../model/random.js';
import { LogHistogram } from './log-histogram.js';
import { WaitAccumulator } from './wait-accumulator.js';
import { summarizeWaits } from './waits.js';

// The histogram promises every quantile within 2^-8 = 0.39% of the exact type 7 value (bucket
// midpoints, buckets 2^-7 wide relative to their lower bound). Checked on 100,000 lognormal-ish
// values spanning six orders of magnitude, with a little slack for the interpolation: 0.4%.
test('histogram quantiles are within 0.4% of the exact ones', () => {
  const random = createRandom(11);
  const values = new Float64Array(100_000);
  const histogram = new LogHistogram();
  for (let i = 0; i < values.length; i++) {
    const v = i % 10 === 0 ? 0 : Math.exp(12 * random.next() - 8);
    values[i] = v;
    histogram.record(v);
  }
  const exact = summarizeWaits(values, 0);
  for (const [p, figure] of [
    [0.5, exact.p50Wait],
    [0.95, exact.p95Wait],
    [0.99, exact.p99Wait],
  ] as const) {
    const q = histogram.quantile(p);
    assert.ok(Math.abs(q / figure - 1) <= 0.004, `p${p * 100}: ${q} vs ${figure}`);
  }
  assert.equal(histogram.quantile(0), 0, 'the zeros stay exactly 0');
  assert.equal(histogram.count, 100_000);
});

test('the accumulator is exact while small and bounded past its limit', () => {
  const small = new WaitAccumulator(1000);
  const values = Array.from({ length: 500 }, (_, i) => (i * 7919) % 500);
  for (const v of values) small.add(v);
  assert.equal(small.exact, true);
  assert.deepEqual(small.stats(9), summarizeWaits(values, 9));

  const big = new WaitAccumulator(1000);
  const many = Array.from({ length: 5000 }, (_, i) => 1 + ((i * 7919) % 5000));
  for (const v of many) big.add(v);
  assert.equal(big.exact, false);
  const stats = big.stats(1);
  const exact = summarizeWaits(many, 1);
  assert.equal(stats.count, 5000);
  assert.equal(stats.maxWait, exact.maxWait);
  assert.ok(Math.abs(stats.meanWait - exact.meanWait) < 1e-9);
  assert.ok(Math.abs(stats.p95Wait / exact.p95Wait - 1) <= 0.004);
});
