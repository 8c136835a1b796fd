import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SchedulerSpec } from '../scenario/types.js';
import { fanoutFigures } from './fanout-figures.js';
import { type JobRecord, jobsFigures } from './jobs-figures.js';

const lease: SchedulerSpec = { election: 'lease', lease: 30, renew: 10, retry: 5 };
const run = (at: number, replica: number, worker: number, pid: number): JobRecord => ({
  topology: 't',
  type: 'run',
  at: at + 0.01,
  slot: at,
  replica,
  worker,
  pid,
});

test('job figures count runs per slot, duplicates and missed slots, and time the takeover', () => {
  // Slots at 1, 11, ..., 81 within 90 s. Leader pid 10 runs 1..41, is killed at 42; pid 20
  // takes the lease at 68.5 and runs 71 and 81. Slots 51 and 61 get no run; slot 21 is run
  // twice (a duplicate, by pid 30).
  const records: JobRecord[] = [
    ...[1, 11, 21, 31, 41].map((s) => run(s, 0, 0, 10)),
    run(21, 1, 2, 30),
    { topology: 't', type: 'leader', at: 68.5, slot: null, replica: 1, worker: 1, pid: 20 },
    run(71, 1, 1, 20),
    run(81, 1, 1, 20),
  ];
  const f = jobsFigures({
    records,
    jobs: { interval: 10, duration: 90, killLeaderAt: 42 },
    scheduler: lease,
    workers: 4,
    replicas: 2,
    firstSlot: 1,
    kill: { at: 42, pid: 10, replica: 0, worker: 0 },
    note: null,
  });
  assert.equal(f.slots, 9);
  assert.equal(f.runs, 8);
  assert.deepEqual(f.runsPerSlot, { mean: 8 / 9, min: 0, max: 2 });
  assert.equal(f.duplicates, 1);
  assert.equal(f.missedSlots, 2);
  assert.equal(f.processesThatRan, 3);
  assert.deepEqual(
    f.perSlot.map((s) => s.runs),
    [1, 1, 2, 1, 1, 0, 0, 1, 1],
  );
  assert.equal(f.predicted.runsPerSlot, 1);
  const k = f.kill;
  assert.ok(k !== null);
  assert.equal(k.scope, 'deployment');
  assert.ok(Math.abs((k.lastRunBefore ?? 0) - 41.01) < 1e-9);
  assert.ok(Math.abs((k.firstRunAfter ?? 0) - 71.01) < 1e-9);
  assert.ok(Math.abs((k.takeover ?? 0) - 29.01) < 1e-9);
  assert.ok(Math.abs((k.gap ?? 0) - 30) < 1e-9);
  assert.equal(k.successorLeads, 68.5);
  assert.deepEqual(k.successor, { replica: 1, worker: 1, pid: 20 });
  assert.equal(k.missedSlots, 2);
});

test("a file lock's takeover is judged within the killed leader's replica", () => {
  // Replica 1 keeps running every slot; replica 0's leader (pid 10) dies at 42 and pid 11 runs
  // from 51 on: no slot of replica 0 is missed.
  const records = [
    ...[1, 11, 21, 31, 41, 51, 61].map((s) => run(s, 1, 0, 50)),
    ...[1, 11, 21, 31, 41].map((s) => run(s, 0, 3, 10)),
    ...[51, 61].map((s) => run(s, 0, 1, 11)),
  ];
  const f = jobsFigures({
    records,
    jobs: { interval: 10, duration: 70, killLeaderAt: 42 },
    scheduler: { ...lease, election: 'file-lock' },
    workers: 4,
    replicas: 2,
    firstSlot: 1,
    kill: { at: 42, pid: 10, replica: 0, worker: 3 },
    note: null,
  });
  assert.equal(f.kill?.scope, 'replica');
  assert.equal(f.kill?.missedSlots, 0);
  assert.ok(Math.abs((f.kill?.gap ?? 0) - 10) < 1e-9);
  assert.equal(f.duplicates, 7);
  assert.equal(f.predicted.runsPerSlot, 2);
  // Nobody after the kill: no takeover, and every later slot of the scope missed.
  const none = jobsFigures({
    records: records.filter((r) => r.pid !== 11),
    jobs: { interval: 10, duration: 70, killLeaderAt: 42 },
    scheduler: { ...lease, election: 'file-lock' },
    workers: 4,
    replicas: 2,
    firstSlot: 1,
    kill: { at: 42, pid: 10, replica: 0, worker: 3 },
    note: null,
  });
  assert.equal(none.kill?.takeover, null);
  assert.equal(none.kill?.missedSlots, 2);
});

test('fan-out figures: share per event, against where the clients are', () => {
  // Four clients: two on r0 w0, one on r0 w1, one whose stream failed. Event 1 is published
  // by r0 w0 and reaches its two clients; event 2 by r0 w1 reaches its one; event 3 failed.
  const { figures, records } = fanoutFigures({
    topology: 't',
    registry: 'memory',
    workers: 2,
    replicas: 1,
    clients: [
      { replica: 0, worker: 0, failure: null },
      { replica: 0, worker: 0, failure: null },
      { replica: 0, worker: 1, failure: null },
      { replica: null, worker: null, failure: 'refused' },
    ],
    events: [
      {
        id: 1,
        publisher: { replica: 0, worker: 0 },
        published: 0,
        publishedUs: 1_000,
        error: null,
      },
      {
        id: 2,
        publisher: { replica: 0, worker: 1 },
        published: 1,
        publishedUs: 2_000,
        error: null,
      },
      { id: 3, publisher: null, published: null, publishedUs: null, error: 'HTTP 502' },
    ],
    receipts: [
      { client: 0, event: 1, receivedUs: 2_000, received: 0.001 },
      { client: 1, event: 1, receivedUs: 4_000, received: 0.003 },
      { client: 1, event: 1, receivedUs: 5_000, received: 0.004 },
      { client: 2, event: 2, receivedUs: 5_000, received: 1.003 },
    ],
  });
  assert.equal(figures.clients, 3);
  assert.equal(figures.failedClients, 1);
  assert.equal(figures.events, 2);
  assert.equal(figures.failedEvents, 1);
  assert.deepEqual(
    figures.perEvent.map((e) => [e.event, e.share, e.expected]),
    [
      [1, 2 / 3, 2 / 3],
      [2, 1 / 3, 1 / 3],
    ],
  );
  assert.deepEqual(figures.share, { mean: 0.5, min: 1 / 3, max: 2 / 3 });
  assert.deepEqual(figures.deliveries, { expected: 6, made: 3, missed: 3, duplicates: 1 });
  // Latencies 1, 3 and 3 ms: the first receipt of each delivery counts.
  assert.equal(figures.latencyMs?.count, 3);
  assert.equal(figures.latencyMs?.p50, 3);
  assert.equal(figures.latencyMs?.max, 3);
  assert.equal(figures.predicted.share, 0.5);
  assert.equal(figures.predicted.shareGivenSpread, 0.5);
  assert.deepEqual(
    figures.clientsPerWorker.map((c) => c.clients),
    [2, 1],
  );
  assert.equal(records.length, 6);
  assert.equal(records.filter((r) => r.received === null).length, 3);
});
