import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RawRequest } from '../load/raw-request.js';
import { targetClockOf } from './shard-state.js';

/**
 * A request as a shard records it: client ns after its start, the target's instants in µs of
 * the target's clock, which reads `behindUs` behind the shard's.
 */
function request(
  index: number,
  ms: { written: number; accepted?: number; start: number; end: number; complete: number },
  startNs: bigint,
  behindUs: number,
): RawRequest {
  const target = (atMs: number): number => Number(startNs) / 1000 + atMs * 1000 - behindUs;
  return {
    index,
    intendedNs: 0,
    writtenNs: ms.written * 1e6,
    completeNs: ms.complete * 1e6,
    status: 200,
    server: {
      servedBy: {},
      ...(ms.accepted === undefined ? {} : { acceptedUs: target(ms.accepted) }),
      startUs: target(ms.start),
      endUs: target(ms.end),
    },
  };
}

test("a shard's clock against the target's is bounded by its requests, and given by the response leg no queue widens", () => {
  const startNs = 5_000_000_000_000n;
  // The target's clock reads 250 ms behind the shard's. One request served at once, one that
  // queued a second; the responses took 0.3 and 0.4 ms to be read.
  const raw = [
    request(
      0,
      { written: 10, accepted: 9.8, start: 10.2, end: 110.2, complete: 110.5 },
      startNs,
      250_000,
    ),
    request(
      1,
      { written: 10, accepted: 9.9, start: 1010, end: 1110, complete: 1110.4 },
      startNs,
      250_000,
    ),
  ];
  const clock = targetClockOf(raw, startNs);
  assert.ok(clock !== null);
  assert.equal(clock.requests, 2);
  assert.ok(Math.abs(clock.offsetMs - 250.3) < 1e-6, String(clock.offsetMs));
  assert.ok(clock.lowMs <= 250 && clock.highMs >= 250 && Math.abs(clock.lowMs - 249.8) < 1e-6);
  // The instants merge places the shards by are the target's own.
  const at = (ms: number): number => Number(startNs) / 1000 + ms * 1000 - 250_000;
  assert.ok(Math.abs((clock.firstAcceptUs ?? 0) - at(9.8)) < 1e-3);
  assert.ok(Math.abs((clock.lastAcceptUs ?? 0) - at(9.9)) < 1e-3);
  assert.ok(Math.abs(clock.firstArrivalUs - at(9.8)) < 1e-3);
});

test('no target clock without X-Server-Clock, nor from requests without a whole exchange to bound it', () => {
  assert.equal(targetClockOf([{ index: 0, intendedNs: 0, writtenNs: 1, completeNs: 2 }], 0n), null);
  const failed: RawRequest = {
    index: 0,
    intendedNs: 0,
    writtenNs: 1e6,
    failedNs: 2e6,
    server: { servedBy: {}, startUs: 1500 },
  };
  assert.equal(targetClockOf([failed], 0n), null, 'no bounds rest on it');
});
