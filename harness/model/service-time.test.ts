import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from './random.js';
import { describeService, parseServiceSpec } from './service-syntax.js';
import {
  type ServiceDistribution,
  sampleServiceTimes,
  serviceMean,
  serviceScv,
} from './service-time.js';

function moments(values: Float64Array): { mean: number; scv: number } {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  return { mean, scv: sq / values.length / (mean * mean) };
}

// 200,000 draws: the sample mean's standard error is cv·mean/√n (0.22% of the mean at cv 1, 0.34%
// at cv 1.5); the tolerance 1.5% is more than 4 standard errors. The sample cv² converges slower
// for the heavy-tailed lognormal (its fourth moment is large), hence 10% there.
test('sampled service times have the distribution mean and variability', () => {
  const cases: Array<[ServiceDistribution, number]> = [
    [{ kind: 'constant', mean: 2 }, 0.001],
    [{ kind: 'exponential', mean: 2 }, 0.03],
    [{ kind: 'lognormal', mean: 2, cv: 1.5 }, 0.1],
    [{ kind: 'lognormal', mean: 0.5, cv: 0.3 }, 0.03],
    [{ kind: 'empirical', samples: [1, 2, 2, 7] }, 0.03],
  ];
  for (const [d, scvTolerance] of cases) {
    const draws = sampleServiceTimes(d, 200_000, createRandom(5));
    const { mean, scv } = moments(draws);
    assert.ok(Math.abs(mean / serviceMean(d) - 1) < 0.015, `${d.kind} mean ${mean}`);
    const expected = serviceScv(d);
    assert.ok(
      Math.abs(scv - expected) <= scvTolerance * Math.max(1, expected),
      `${d.kind} scv ${scv} vs ${expected}`,
    );
    for (const v of draws) assert.ok(v >= 0 && Number.isFinite(v));
  }
});

// Empirical [1, 2, 2, 7]: mean 3, variance (4 + 1 + 1 + 16)/4 = 5.5, cs² = 5.5/9.
test('empirical moments are those of the sample', () => {
  const d: ServiceDistribution = { kind: 'empirical', samples: [1, 2, 2, 7] };
  assert.equal(serviceMean(d), 3);
  assert.ok(Math.abs(serviceScv(d) - 5.5 / 9) < 1e-12);
});

test('the same seed draws the same service times', () => {
  const d: ServiceDistribution = { kind: 'lognormal', mean: 1, cv: 1 };
  assert.deepEqual(
    sampleServiceTimes(d, 100, createRandom(3)),
    sampleServiceTimes(d, 100, createRandom(3)),
  );
});

test('the --service syntax parses every distribution and rejects nonsense', () => {
  const ok = (text: string) => {
    const r = parseServiceSpec(text);
    assert.ok(r.ok, text);
    return r.service;
  };
  assert.deepEqual(ok('2s'), { kind: 'constant', mean: 2 });
  assert.deepEqual(ok('1.5'), { kind: 'constant', mean: 1.5 });
  assert.deepEqual(ok('const:150ms'), { kind: 'constant', mean: 0.15 });
  assert.deepEqual(ok('exp:2s'), { kind: 'exponential', mean: 2 });
  assert.deepEqual(ok('lognormal:2s:cv=1.5'), { kind: 'lognormal', mean: 2, cv: 1.5 });
  assert.deepEqual(ok('empirical:1s,1.5s,4s'), { kind: 'empirical', samples: [1, 1.5, 4] });
  for (const bad of ['', 'fast', 'exp:', 'lognormal:2s', 'lognormal:2s:cv=-1', 'gamma:2s', '0s'])
    assert.equal(parseServiceSpec(bad).ok, false, bad);
  assert.equal(
    describeService({ kind: 'lognormal', mean: 2, cv: 1.5 }),
    'lognormal, mean 2s, cv 1.5',
  );
});
