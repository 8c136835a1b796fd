import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Clock } from '../scenario/clock.js';
import type { RequestRecord } from './request-record.js';
import { clockOffsetOf } from './shard-state.js';

function record(fields: Partial<RequestRecord>): RequestRecord {
  return {
    topology: 't',
    index: 0,
    intendedStart: 0,
    connected: null,
    written: null,
    accepted: null,
    handlerStart: null,
    handlerEnd: null,
    complete: null,
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
    ...fields,
  };
}

test("a shard's clock offset is bounded by its requests, and given by the response leg no queue widens", () => {
  const clock = new Clock(1);
  // A client clock 0.25 s ahead of the target's: the target's instants, read against the
  // client's start, are 0.25 s early. One request served at once, one that queued 1 s.
  const ahead = 0.25;
  const records = [
    record({
      written: 0.01,
      handlerStart: 0.0102 - ahead,
      handlerEnd: 0.1102 - ahead,
      complete: 0.1105,
    }),
    record({
      index: 1,
      written: 0.01,
      handlerStart: 1.01 - ahead,
      handlerEnd: 1.11 - ahead,
      complete: 1.1104,
    }),
  ];
  const offset = clockOffsetOf(records, clock);
  assert.ok(offset !== null);
  assert.equal(offset.requests, 2);
  // The response legs (0.3 ms and 0.4 ms here) bound it from above: 250.3 ms.
  assert.ok(Math.abs(offset.ms - 250.3) < 1e-6, String(offset.ms));
  assert.ok(offset.lowMs <= 250 && offset.highMs >= 250);
});

test('no offset without the target clock, or when waits were estimated', () => {
  const clock = new Clock(0.1);
  assert.equal(clockOffsetOf([record({ written: 0.1, complete: 1 })], clock), null);
  assert.equal(
    clockOffsetOf(
      [record({ written: 0, handlerStart: 0, handlerEnd: 1, complete: 1, waitSource: 'estimate' })],
      clock,
    ),
    null,
  );
});
