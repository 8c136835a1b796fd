import assert from 'node:assert/strict';
import { test } from 'node:test';
import { burstFigures } from './bursts.js';
import type { RequestRecord } from './request-record.js';
import { measure } from './summary.js';

function record(burst: number, wait: number, complete: number): RequestRecord {
  const r: RequestRecord = {
    topology: 't',
    index: 0,
    intendedStart: 0,
    connected: 0,
    written: 0,
    accepted: null,
    handlerStart: wait,
    handlerEnd: wait + 1,
    complete,
    wait,
    acceptWait: null,
    serverQueue: null,
    replica: 0,
    worker: 0,
    thread: 0,
    pid: 1,
    status: 200,
    error: null,
    errorMessage: null,
  };
  if (burst > 0) r.burst = burst;
  return r;
}

test('repeated bursts: each figure is the mean of the bursts, with its range', () => {
  // burst 0: waits 0, 2 (mean 1, max 2, makespan 3); burst 1: waits 0, 4 (mean 2, max 4, makespan 5)
  const records = [record(0, 0, 1), record(0, 2, 3), record(1, 0, 1), record(1, 4, 5)];
  const figures = burstFigures(records);
  assert.equal(figures.perBurst.length, 2);
  assert.equal(figures.mean.meanWait, 1.5);
  assert.equal(figures.mean.maxWait, 3);
  assert.equal(figures.mean.makespan, 4);
  assert.equal(figures.mean.count, 4);
  assert.deepEqual(figures.range.maxWait, { min: 2, max: 4 });
  const measured = measure(records);
  assert.equal(measured.meanWait, 1.5);
  assert.equal(measured.bursts?.length, 2);
  // One burst: the figures of all its requests, as before repeats existed.
  assert.equal(measure(records.slice(0, 2)).meanWait, 1);
  assert.equal(measure(records.slice(0, 2)).bursts, undefined);
});
