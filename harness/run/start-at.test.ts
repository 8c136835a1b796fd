import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkStart,
  MAX_START_AHEAD_MS,
  monotonicAt,
  parseStartAt,
  START_TOLERANCE_MS,
} from './start-at.js';

test('--start-at takes ISO 8601 with a zone or epoch milliseconds, and nothing ambiguous', () => {
  assert.deepEqual(parseStartAt('2026-12-03T10:00:00Z'), {
    ok: true,
    value: Date.UTC(2026, 11, 3, 10, 0, 0),
  });
  assert.deepEqual(parseStartAt('2026-12-03T11:00:00.250+01:00'), {
    ok: true,
    value: Date.UTC(2026, 11, 3, 10, 0, 0, 250),
  });
  assert.deepEqual(parseStartAt('1796249796639'), { ok: true, value: 1796249796639 });
  // No zone: shards in different zones would read different instants.
  for (const bad of ['2026-12-03T10:00:00', '2026-12-03', 'tomorrow', '12', '2026-13-45T10:00:00Z'])
    assert.equal(parseStartAt(bad).ok, false, bad);
});

test('a start past by more than the tolerance is refused with its lateness; within it, it goes ahead', () => {
  const at = 1_000_000;
  assert.deepEqual(checkStart(at, at - 2_000), { ok: true, waitMs: 2_000 });
  assert.deepEqual(checkStart(at, at + START_TOLERANCE_MS), { ok: true, waitMs: 0 });
  assert.deepEqual(checkStart(at, at + START_TOLERANCE_MS + 1), {
    ok: false,
    reason: 'late',
    lateMs: START_TOLERANCE_MS + 1,
  });
  const far = checkStart(at + MAX_START_AHEAD_MS + 1, at);
  assert.ok(!far.ok && far.reason === 'far');
});

test('the wall instant converts to the monotonic clock through one pair of readings', () => {
  assert.equal(monotonicAt(10_500, 10_000, 7_000_000_000n), 7_500_000_000n);
  assert.equal(monotonicAt(9_999.5, 10_000, 7_000_000_000n), 6_999_500_000n);
});
