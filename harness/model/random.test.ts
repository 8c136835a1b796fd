import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from './random.js';

test('the same seed gives the same sequence, other seeds another', () => {
  const a = createRandom(1);
  const b = createRandom(1);
  const c = createRandom(2);
  const sa = Array.from({ length: 100 }, () => a.next());
  assert.deepEqual(
    Array.from({ length: 100 }, () => b.next()),
    sa,
  );
  assert.notDeepEqual(
    Array.from({ length: 100 }, () => c.next()),
    sa,
  );
});

// Chi-square goodness of fit over 10 equal bins with 100,000 draws: 9 degrees of freedom, the
// 99.9th percentile of chi-square(9) is 27.88 (NIST/SEMATECH e-Handbook, table 1.3.6.7.4).
test('draws are uniform by a chi-square test at the 0.1% level', () => {
  const random = createRandom(12345);
  const bins = new Array(10).fill(0);
  const draws = 100_000;
  for (let i = 0; i < draws; i++) {
    const x = random.next();
    assert.ok(x >= 0 && x < 1);
    bins[Math.floor(x * 10)] += 1;
  }
  const expected = draws / 10;
  const chiSquare = bins.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
  assert.ok(chiSquare < 27.88, `chi-square ${chiSquare.toFixed(2)}`);
});

test('int(n) stays in range and reaches every value', () => {
  const random = createRandom(9);
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) {
    const k = random.int(7);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 7);
    seen.add(k);
  }
  assert.equal(seen.size, 7);
});
