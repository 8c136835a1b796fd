import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lateStartError, ShardStart } from './shard-start.js';
import { START_TOLERANCE_MS } from './start-at.js';

/** Clocks that read what the test sets. */
function clocks(wallMs: number, monoNs: bigint) {
  const now = { wallMs, monoNs };
  return { now, read: { wallMs: () => now.wallMs, monoNs: () => now.monoNs } };
}

test('a shard ready before --start-at waits for it on the monotonic clock, and reports no lateness', async () => {
  const c = clocks(1_000_000, 50_000_000_000n);
  const start = new ShardStart(1_000_750, c.read);
  const at = await start.startAt();
  assert.equal(at, 50_750_000_000n);
  // The load started at that instant; read back 10 ms later on both clocks.
  c.now.wallMs += 760;
  c.now.monoNs += 760_000_000n;
  const facts = start.facts(at);
  assert.equal(facts.startLatenessMs, 0);
  assert.equal(facts.actualStartWallMs, 1_000_750);
  assert.equal(facts.startMonotonicNs, '50750000000');
  assert.equal(lateStartError(facts.startLatenessMs), undefined);
});

test('a shard ready after --start-at starts at once, reports its lateness, and beyond the tolerance fails with E_START_LATE', async () => {
  const c = clocks(1_002_000, 50_000_000_000n);
  const start = new ShardStart(1_000_000, c.read);
  const at = await start.startAt();
  assert.equal(at, 50_000_000_000n, 'at once');
  const facts = start.facts(at);
  assert.equal(facts.startLatenessMs, 2_000);
  const error = lateStartError(facts.startLatenessMs);
  assert.equal(error?.code, 'E_START_LATE');
  assert.equal(error?.exitCode, 103);
  assert.match(error?.message ?? '', /2000 ms after --start-at \(tolerance 500 ms\)/);
  assert.equal(lateStartError(START_TOLERANCE_MS), undefined, 'within the tolerance');
  assert.equal(lateStartError(null), undefined, 'no --start-at');
});

test('without --start-at the shard starts when ready and records only its wall-clock start', async () => {
  const c = clocks(2_000_000, 7_000_000_000n);
  const start = new ShardStart(null, c.read);
  assert.equal(start.waits, false);
  const facts = start.facts(6_000_000_000n);
  assert.equal(facts.startAt, null);
  assert.equal(facts.startLatenessMs, null);
  assert.equal(facts.actualStartWallMs, 1_999_000);
});
