import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from './random.js';
import { fitUsl, type UslParameters, uslPeak, uslThroughput } from './usl.js';

const truth: UslParameters = { lambda: 120, sigma: 0.04, kappa: 0.0008 };
const levels = [1, 2, 4, 8, 12, 16, 24, 32, 48, 64];

// By hand: N* = √((1 − 0.04)/0.0008) = √1200 = 34.641; X(N*) = 120·34.641/(1 + 0.04·33.641 +
// 0.0008·34.641·33.641) = 4156.9/(1 + 1.34564 + 0.93228) = 4156.9/3.27792 = 1268.2.
test('USL throughput and peak match hand-derived values', () => {
  assert.equal(uslThroughput(truth, 1), 120);
  const peak = uslPeak(truth);
  assert.ok(Math.abs(peak.concurrency - Math.sqrt(1200)) < 1e-9);
  assert.ok(Math.abs(peak.throughput - 1268.2) < 0.1, String(peak.throughput));
  // κ = 0 is Amdahl's law: no peak, throughput levels off at λ/σ.
  const amdahl = uslPeak({ lambda: 100, sigma: 0.1, kappa: 0 });
  assert.equal(amdahl.concurrency, Number.POSITIVE_INFINITY);
  assert.ok(Math.abs(amdahl.throughput - 1000) < 1e-9);
});

// Exact synthetic data: the fit must recover the parameters to 1e-6 relative.
test('the USL fit recovers known parameters from exact data', () => {
  const fit = fitUsl(levels.map((n) => ({ concurrency: n, throughput: uslThroughput(truth, n) })));
  assert.ok(Math.abs(fit.lambda / truth.lambda - 1) < 1e-6, `lambda ${fit.lambda}`);
  assert.ok(Math.abs(fit.sigma / truth.sigma - 1) < 1e-6, `sigma ${fit.sigma}`);
  assert.ok(Math.abs(fit.kappa / truth.kappa - 1) < 1e-6, `kappa ${fit.kappa}`);
  assert.ok(fit.rSquared > 0.999999);
});

// With 2% (standard deviation) multiplicative noise, 3 samples per level from N = 2 to 64, the
// estimates over these 50 seeds spread with a standard deviation of 1.7% for λ and 2.3% for N*,
// and their means are within 0.2% and 0.2% of the truth. Tolerances: 8% for λ and 10% for N*,
// over 4 standard deviations, so a correct fit fails with probability below 1e-4 per seed.
test('the USL fit stays close under measurement noise, and without a point at N = 1', () => {
  for (let seed = 1; seed <= 50; seed++) {
    const random = createRandom(seed);
    const points = levels.slice(1).flatMap((n) =>
      [0, 1, 2].map(() => ({
        concurrency: n,
        throughput: uslThroughput(truth, n) * (1 + 0.02 * (2 * random.next() - 1) * Math.sqrt(3)),
      })),
    );
    const fit = fitUsl(points);
    assert.ok(Math.abs(fit.lambda / truth.lambda - 1) < 0.08, `seed ${seed}: lambda ${fit.lambda}`);
    assert.ok(
      Math.abs(fit.peakConcurrency / Math.sqrt(1200) - 1) < 0.1,
      `seed ${seed}: N* ${fit.peakConcurrency}`,
    );
    assert.ok(fit.sigma >= 0 && fit.kappa >= 0);
  }
});

test('the USL fit keeps sigma and kappa at or above 0 for linear scaling', () => {
  const fit = fitUsl([1, 2, 4, 8].map((n) => ({ concurrency: n, throughput: 50 * n })));
  assert.ok(Math.abs(fit.lambda - 50) < 1e-6);
  assert.ok(fit.sigma >= 0 && fit.sigma < 1e-9 && fit.kappa >= 0 && fit.kappa < 1e-9);
});

test('the USL fit needs three concurrencies', () => {
  assert.throws(
    () =>
      fitUsl([
        { concurrency: 1, throughput: 10 },
        { concurrency: 2, throughput: 19 },
        { concurrency: 2, throughput: 18 },
      ]),
    /three or more different concurrencies/,
  );
});
