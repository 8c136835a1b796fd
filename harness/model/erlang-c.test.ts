import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allenCunneenMeanWait } from './allen-cunneen.js';
import { cosmetatosMeanWait } from './cosmetatos.js';
import { erlangB, erlangC, isStable, mmc, mmcWaitExceeds, mmcWaitQuantile } from './erlang-c.js';

/** |actual − expected| <= tolerance, with both in the message. */
function near(actual: number, expected: number, tolerance: number, what = ''): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what} ${actual} is not within ${tolerance} of ${expected}`,
  );
}

// Erlang B by hand from its definition B = (a^c/c!) / Σ_{k<=c} a^k/k!:
// c = 5, a = 2: (32/120) / (1 + 2 + 2 + 4/3 + 2/3 + 4/15) = (4/15) / (109/15) = 4/109.
// c = 10, a = 5: 2.69114 / 146.3806 = 0.018385, the figure printed in Erlang B tables.
// Tolerance 1e-12 for the exact fraction (floating-point rounding only), 5e-6 for the 5-digit table.
test('Erlang B matches hand-derived values', () => {
  near(erlangB(5, 2), 4 / 109, 1e-12, 'B(5, 2)');
  near(erlangB(10, 5), 0.018385, 5e-6, 'B(10, 5)');
  near(erlangB(1, 1), 0.5, 1e-15, 'B(1, 1)');
});

// Erlang B tables (traffic capacity at a given grade of service): 10 circuits carry 4.461
// erlangs at 1% blocking and 5 circuits 1.361 erlangs at 1% (tables to 3 decimals of an erlang,
// so the blocking there is 0.01 to within the slope times 0.0005 E, under 2e-5).
test('Erlang B reproduces the 1% column of the Erlang B table', () => {
  near(erlangB(10, 4.461), 0.01, 2e-5, 'B(10, 4.461)');
  near(erlangB(5, 1.361), 0.01, 2e-5, 'B(5, 1.361)');
});

// Erlang C by hand: C = B / (1 − ρ(1 − B)).
// M/M/1, ρ = 0.5: C = ρ = 0.5, Wq = ρS/(1 − ρ) = 1 for S = 1.
// M/M/2, a = 1: B(2, 1) = 0.5/2.5 = 1/5, C = (1/5)/(1 − ½·⅘) = 1/3, Wq = C·S/(c − a) = 1/3.
// M/M/3, a = 2: B(3, 2) = (4/3)/(19/3) = 4/19, C = (4/19)/(1 − ⅔·15/19) = 4/9, Wq = 4/9.
// Tolerance 1e-12: these are exact fractions.
test('Erlang C probability of waiting and mean wait match hand-derived values', () => {
  near(erlangC(1, 0.5), 0.5, 1e-12);
  near(erlangC(2, 1), 1 / 3, 1e-12);
  near(erlangC(3, 2), 4 / 9, 1e-12);
  const m1 = mmc({ arrivalRate: 0.5, serviceTime: 1, servers: 1 });
  near(m1.meanWait, 1, 1e-12, 'M/M/1 Wq');
  near(m1.meanInSystem, 1, 1e-12, 'M/M/1 L = ρ/(1 − ρ)');
  const m2 = mmc({ arrivalRate: 1, serviceTime: 1, servers: 2 });
  near(m2.meanWait, 1 / 3, 1e-12, 'M/M/2 Wq');
  near(m2.meanQueueLength, 1 / 3, 1e-12, 'M/M/2 Lq = λWq');
  // The same queue in other units: 4 servers of 2 s at 0.9 req/s is a = 1.8 erlangs.
  const m3 = mmc({ arrivalRate: 1, serviceTime: 2, servers: 3 });
  near(m3.meanWait, (erlangC(3, 2) * 2) / (3 - 2), 1e-12, 'M/M/3 Wq, S = 2');
  near(m3.utilisation, 2 / 3, 1e-15);
});

// From C(c, a) = B/(1 − ρ(1 − B)) with the table value B(10, 5) = 0.018385: C = 0.036106.
test('Erlang C agrees with the Erlang B table through its identity', () => {
  near(erlangC(10, 5), 0.018385 / (1 - 0.5 * (1 - 0.018385)), 1e-5);
});

// Wait tail P(Wq > t) = C·exp(−(c − a)t/S). M/M/1, ρ = 0.5, S = 1: 0.5·e^(−t/2).
// Its 95th percentile solves 0.05 = 0.5·e^(−t/2): t = 2·ln 10 = 4.605170; the median is 0 because
// half the requests do not wait at all. Tolerance 1e-9.
test('Erlang C wait tail and percentiles match hand-derived values', () => {
  const q = { arrivalRate: 0.5, serviceTime: 1, servers: 1 };
  near(mmcWaitExceeds(q, 0), 0.5, 1e-12);
  near(mmcWaitExceeds(q, 2), 0.5 * Math.exp(-1), 1e-12);
  near(mmcWaitQuantile(q, 0.95), 2 * Math.log(10), 1e-9, 'p95');
  assert.equal(mmcWaitQuantile(q, 0.5), 0);
  assert.equal(mmcWaitQuantile(q, 0.3), 0);
  // M/M/3, a = 2, S = 1: C = 4/9, p99 = ln((4/9)/0.01)/1 = ln(44.44) = 3.794240.
  near(mmcWaitQuantile({ arrivalRate: 2, serviceTime: 1, servers: 3 }, 0.99), 3.79424, 1e-5);
});

test('Erlang C refuses an unstable queue', () => {
  assert.equal(isStable({ arrivalRate: 2, serviceTime: 1, servers: 2 }), false);
  assert.throws(() => mmc({ arrivalRate: 2, serviceTime: 1, servers: 2 }), RangeError);
  assert.throws(() => erlangC(3, 3.5), /utilisation must be below 1/);
});

test('Erlang B and C stay finite for thousands of servers', () => {
  const big = mmc({ arrivalRate: 1900, serviceTime: 1, servers: 2000 });
  assert.ok(big.probabilityOfWaiting > 0 && big.probabilityOfWaiting < 1);
  assert.ok(Number.isFinite(big.meanWait));
});

// Cosmetatos at c = 1 is the exact Pollaczek-Khintchine M/D/1 wait ρS/(2(1 − ρ)): 0.5 at ρ = 0.5,
// S = 1. At c = 2, a = 1 (ρ = 0.5), by hand: Wq(M/M/2) = 1/3 and the bracket is
// 1 + 0.5·1·(√14 − 2)/(16·0.5·2) = 1.0544268, so Wq ≈ ½·⅓·1.0544268 = 0.1757378.
test('Cosmetatos reduces to Pollaczek-Khintchine at one server and matches the hand value at two', () => {
  near(cosmetatosMeanWait({ arrivalRate: 0.5, serviceTime: 1, servers: 1 }), 0.5, 1e-12);
  near(cosmetatosMeanWait({ arrivalRate: 0.8, serviceTime: 1, servers: 1 }), 0.8 / 0.4, 1e-12);
  near(cosmetatosMeanWait({ arrivalRate: 1, serviceTime: 1, servers: 2 }), 0.1757378, 1e-7);
});

// Allen-Cunneen: with ca² = cs² = 1 it is Erlang C; at c = 1 with Poisson arrivals it is the
// exact Pollaczek-Khintchine mean wait ρS(1 + cs²)/(2(1 − ρ)): ρ = 0.5, S = 1, cs² = 4 (a
// lognormal with cv 2) gives 0.5·5/1 = 2.5. Tolerance 1e-12.
test('Allen-Cunneen reduces to Erlang C and to Pollaczek-Khintchine', () => {
  const q = { arrivalRate: 2, serviceTime: 1, servers: 3 };
  near(allenCunneenMeanWait({ ...q, arrivalScv: 1, serviceScv: 1 }), mmc(q).meanWait, 1e-12);
  near(
    allenCunneenMeanWait({
      arrivalRate: 0.5,
      serviceTime: 1,
      servers: 1,
      arrivalScv: 1,
      serviceScv: 4,
    }),
    2.5,
    1e-12,
  );
  assert.equal(allenCunneenMeanWait({ ...q, arrivalScv: 0, serviceScv: 0 }), 0);
});
