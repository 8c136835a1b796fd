import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkLittlesLaw, littlesLawFromRecords } from './littles-law.js';

test("Little's law holds for consistent figures and fails for inconsistent ones", () => {
  // 2 req/s staying 3 s on average keep 6 in the system.
  assert.equal(
    checkLittlesLaw({ arrivalRate: 2, meanTimeInSystem: 3, meanInSystem: 6 }).holds,
    true,
  );
  const off = checkLittlesLaw({ arrivalRate: 2, meanTimeInSystem: 3, meanInSystem: 6.3 });
  assert.equal(off.holds, false);
  assert.ok(Math.abs(off.relativeError - 0.05) < 1e-12);
  assert.equal(
    checkLittlesLaw({ arrivalRate: 2, meanTimeInSystem: 3, meanInSystem: 6.3, tolerance: 0.06 })
      .holds,
    true,
  );
});

// Hand-worked records: arrivals 0, 1, 2, 3 each staying 2 s; the window [0, 5] starts and ends
// empty. λ = 4/5, W = 2, and ∫N = 4 x 2 = 8 so L = 8/5 = λW exactly.
test("Little's law from records over a window that starts and ends empty is exact", () => {
  const check = littlesLawFromRecords([0, 1, 2, 3], [2, 3, 4, 5]);
  assert.equal(check.arrivalRate, 4 / 5);
  assert.equal(check.meanTimeInSystem, 2);
  assert.ok(Math.abs(check.meanInSystem - 8 / 5) < 1e-12);
  assert.equal(check.holds, true);
});

// A request with no departure (NaN) counts as in the system until the window's end. Window
// [0, 3] over arrivals 0..3 (departures 2, 3, none, 5): W = (2 + 2 + 1 + 0)/4 = 1.25, λ = 4/3,
// λW = 5/3; ∫N over the window = 2 + 2 + 1 + 0 = 5, L = 5/3.
test("Little's law from records counts a request without a departure until the window's end", () => {
  const cut = littlesLawFromRecords([0, 1, 2, 3], [2, 3, Number.NaN, 5], { from: 0, to: 3 });
  assert.ok(Math.abs(cut.meanTimeInSystem - 1.25) < 1e-12);
  assert.ok(Math.abs(cut.meanInSystem - 5 / 3) < 1e-12);
  assert.equal(cut.holds, true);
});

// A window that opens with a request already inside: arrivals −1, 0, 1, departures 1, 2, 3,
// window [0, 3]. Counted arrivals 0 and 1: λ = 2/3, W = 2, λW = 4/3; but ∫N = 1 + 2 + 2 = 5 and
// L = 5/3, 25% above: the check says so rather than hiding it.
test("Little's law flags a window that does not start empty", () => {
  const check = littlesLawFromRecords([-1, 0, 1], [1, 2, 3], { from: 0, to: 3 });
  assert.ok(Math.abs(check.predicted - 4 / 3) < 1e-12);
  assert.ok(Math.abs(check.meanInSystem - 5 / 3) < 1e-12);
  assert.ok(Math.abs(check.relativeError - 0.25) < 1e-12);
  assert.equal(check.holds, false);
});
