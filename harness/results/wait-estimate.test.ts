import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RawRequest } from '../load/raw-request.js';
import { Clock } from '../scenario/clock.js';
import type { RequestRecord } from './request-record.js';
import { estimateWait, numberWorkersByPid } from './wait-estimate.js';

const base: RequestRecord = {
  topology: 'u',
  index: 0,
  intendedStart: 0,
  connected: 0.01,
  written: 0.02,
  accepted: null,
  handlerStart: null,
  handlerEnd: null,
  complete: 3.5,
  wait: null,
  acceptWait: null,
  serverQueue: null,
  replica: null,
  worker: null,
  thread: null,
  pid: null,
  status: 200,
  error: null,
  errorMessage: null,
};

test('without instrumentation the wait is the latency minus the service time', () => {
  const raw: RawRequest = { index: 0, intendedNs: 0 };
  const out = estimateWait(base, raw, {
    serviceSeconds: 2,
    clock: new Clock(0.1),
    sharedClock: true,
  });
  assert.equal(out.wait, 1.5);
  assert.equal(out.waitSource, 'estimate');
});

test("with Server-Timing's app the handler time is the server's own", () => {
  // 180 ms real at time scale 0.1 is 1.8 scenario seconds.
  const raw: RawRequest = { index: 0, intendedNs: 0, server: { servedBy: {}, appMs: 180 } };
  const out = estimateWait(base, raw, {
    serviceSeconds: 2,
    clock: new Clock(0.1),
    sharedClock: true,
  });
  assert.ok(Math.abs((out.wait ?? 0) - 1.7) < 1e-12);
});

test("a remote server's instants are dropped; a local server's own clock is kept as measured", () => {
  const measured = { ...base, handlerStart: 1, wait: 1, accepted: 0.5, acceptWait: 0.5 };
  const raw: RawRequest = { index: 0, intendedNs: 0, server: { servedBy: {}, appMs: 2000 } };
  const local = estimateWait(measured, raw, {
    serviceSeconds: 2,
    clock: new Clock(1),
    sharedClock: true,
  });
  assert.equal(local, measured);
  const remote = estimateWait(measured, raw, {
    serviceSeconds: 2,
    clock: new Clock(1),
    sharedClock: false,
  });
  assert.equal(remote.handlerStart, null);
  assert.equal(remote.accepted, null);
  assert.equal(remote.wait, 1.5);
  assert.equal(remote.waitSource, 'estimate');
  const failed = estimateWait({ ...base, error: 'reset' }, raw, {
    serviceSeconds: 2,
    clock: new Clock(1),
    sharedClock: true,
  });
  assert.equal(failed.wait, null);
});

test('workers are numbered by pid per replica: known pids first, then in order seen', () => {
  const r = (replica: number, pid: number): RequestRecord => ({ ...base, replica, pid, worker: 7 });
  const out = numberWorkersByPid(
    [r(0, 30), r(0, 10), r(1, 30), r(0, 99), r(0, 99)],
    [[10, 20, 30], []],
  );
  assert.deepEqual(
    out.map((x) => [x.replica, x.worker]),
    [
      [0, 2],
      [0, 0],
      [1, 0],
      [0, 3],
      [0, 3],
    ],
  );
});
