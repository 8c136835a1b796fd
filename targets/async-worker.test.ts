import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runBurst } from '../harness/load/burst.js';
import { Recorder } from '../harness/load/recorder.js';
import type { AsyncHandler } from './lifecycle-config.js';
import { maxOverlap, startTestTopology } from './test-support/fixtures.js';

/**
 * The emulated ASGI (uvicorn) worker's four handler styles, seen from outside through a burst:
 * how many handlers run at once in one worker, and where the others wait.
 */

async function burst(
  handler: AsyncHandler,
  users: number,
  ms: number,
  workers = 1,
  threadPool = 40,
) {
  const target = await startTestTopology({
    kind: 'async',
    workers,
    asyncWorker: { handler, threadPool },
  });
  try {
    const recorder = new Recorder({ keepRequests: true });
    await runBurst(users, 'new', {
      origin: target.origin,
      path: () => `/work?ms=${ms}`,
      recorder,
      connectTimeoutMs: 60_000,
      requestTimeoutMs: 60_000,
    });
    return recorder.requests.map((r) => {
      assert.equal(r.error, undefined, `request ${r.index}: ${r.error?.message}`);
      const s = r.server;
      assert.ok(s?.startUs !== undefined && s.endUs !== undefined && s.acceptedUs !== undefined);
      return {
        start: s.startUs,
        end: s.endUs,
        accepted: s.acceptedUs,
        worker: s.servedBy.worker as number,
        thread: s.servedBy.thread as number,
      };
    });
  } finally {
    await target.stop();
  }
}

test('async handlers that await their I/O all run at once in one worker', async () => {
  const served = await burst('await', 100, 1_000);
  assert.equal(maxOverlap(served), 100);
});

test('the 40-thread pool caps def handlers at 40 per worker; the rest wait inside it', async () => {
  const served = await burst('def', 60, 400);
  assert.equal(maxOverlap(served), 40);
  assert.equal(new Set(served.map((s) => s.thread)).size, 40);
  // The 20 beyond the pool were accepted while every thread was busy and started only when one
  // came free: inside the worker, not in the kernel's queue. (Judged against the first handler's
  // end rather than a fixed wait, which a busy machine's late accepts would shorten.)
  const firstEnd = Math.min(...served.map((s) => s.end));
  const waitedInside = served.filter((s) => s.accepted < firstEnd && s.start >= firstEnd);
  assert.equal(waitedInside.length, 20);
});

test('a blocking call inside an async handler serialises its whole worker', async () => {
  const served = (await burst('blocking', 4, 200)).sort((a, b) => a.start - b.start);
  assert.equal(maxOverlap(served), 1);
  for (let k = 1; k < served.length; k++) {
    const previous = served[k - 1] as (typeof served)[number];
    assert.ok((served[k] as (typeof served)[number]).start >= previous.end);
  }
});

test('CPU-bound async handlers run one at a time per worker, on two workers two at most', async () => {
  const served = await burst('cpu', 6, 100, 2);
  assert.ok(maxOverlap(served) <= 2);
  for (const worker of new Set(served.map((s) => s.worker))) {
    assert.equal(maxOverlap(served.filter((s) => s.worker === worker)), 1);
  }
});
