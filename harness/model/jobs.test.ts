import assert from 'node:assert/strict';
import { test } from 'node:test';
import { predictFanout, shareGivenSpread } from './fanout.js';
import { type JobsModelInput, predictJobs, predictTakeover, slotAtOrAfter } from './jobs.js';

const base: JobsModelInput = {
  election: 'none',
  workers: 4,
  replicas: 2,
  interval: 10,
  lease: 30,
  renew: 10,
  retry: 5,
};

test('runs per slot: workers x replicas without an election, one per host with a file lock, one with a lease', () => {
  assert.equal(predictJobs(base).runsPerSlot, 8);
  assert.equal(predictJobs(base).duplicatesPerSlot, 7);
  assert.equal(predictJobs({ ...base, election: 'file-lock' }).runsPerSlot, 2);
  assert.equal(predictJobs({ ...base, election: 'lease' }).runsPerSlot, 1);
  assert.equal(predictJobs({ ...base, election: 'lease' }).duplicatesPerSlot, 0);
});

test('slots are the multiples of the interval from the first one', () => {
  assert.equal(slotAtOrAfter(42, 0.5, 10), 50.5);
  assert.equal(slotAtOrAfter(40.5, 0.5, 10), 40.5);
  assert.equal(slotAtOrAfter(-3, 0.5, 10), 0.5);
});

test('takeover windows, derived by hand', () => {
  // Slots at 0.5, 10.5, ...; the leader dies at 42.
  // Lease 30 s renewed every 10 s: its last renewal was in (32, 42], so the row expires in
  // (62, 72]; a follower retries within 5 s after that: it takes over in (62, 77]. The first
  // run is at the first slot at or after: 70.5 at the earliest, 80.5 at the latest, i.e. 28.5 s
  // to 38.5 s after the kill, with the slots 50.5 and 60.5 (and 70.5) missed.
  const lease = predictTakeover({ ...base, election: 'lease' }, 42, 0.5);
  assert.deepEqual(lease?.acquireWindow, { min: 62, max: 77 });
  assert.deepEqual(lease?.takeover, { min: 28.5, max: 38.5 });
  assert.deepEqual(lease?.missedSlots, { min: 2, max: 3 });
  // Its last run was the slot at 40.5: the successor's first comes 30 or 40 s after it.
  assert.deepEqual(lease?.gap, { min: 30, max: 40 });
  // A file lock is free the moment its holder dies: a follower takes it within 5 s, before the
  // slot at 50.5, which it runs: 8.5 s after the kill, no slot missed.
  const lock = predictTakeover({ ...base, election: 'file-lock' }, 42, 0.5);
  assert.deepEqual(lock?.acquireWindow, { min: 42, max: 47 });
  assert.deepEqual(lock?.takeover, { min: 8.5, max: 8.5 });
  assert.deepEqual(lock?.missedSlots, { min: 0, max: 0 });
  assert.deepEqual(lock?.gap, { min: 10, max: 10 });
  // Killed 2 s before a slot, a follower retrying every 5 s may miss it.
  const late = predictTakeover({ ...base, election: 'file-lock' }, 48.5, 0.5);
  assert.deepEqual(late?.takeover, { min: 2, max: 12 });
  assert.deepEqual(late?.missedSlots, { min: 0, max: 1 });
  // Last run at 40.5; the successor runs 50.5 or, having missed it, 60.5: one or two intervals.
  assert.deepEqual(late?.gap, { min: 10, max: 20 });
  assert.equal(predictTakeover(base, 42, 0.5), null);
});

test('an in-memory registry reaches 1 / (workers x replicas) of evenly spread clients, a bus all', () => {
  assert.equal(predictFanout({ registry: 'memory', workers: 4, replicas: 2 }).share, 0.125);
  assert.equal(predictFanout({ registry: 'memory', workers: 1, replicas: 1 }).share, 1);
  assert.equal(predictFanout({ registry: 'redis', workers: 4, replicas: 2 }).share, 1);
  assert.equal(shareGivenSpread('memory', 12, 48), 0.25);
  assert.equal(shareGivenSpread('redis', 0, 48), 1);
  assert.equal(shareGivenSpread('memory', 0, 0), 0);
});
