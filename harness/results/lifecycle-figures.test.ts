import assert from 'node:assert/strict';
import { test } from 'node:test';
import { averageLife, mostAtOnce } from './lifecycle-summary.js';
import { averageLive, type TimedRequest, windowsOf, windowWidth } from './over-time.js';
import {
  countsFromEvents,
  type LifeEvent,
  liveStepsFromEvents,
  liveStepsFromModel,
  workerLifeFigures,
} from './worker-life.js';

/** The over-time and worker-life figures on small hand-worked examples. */

const ok = (arrival: number, start: number, end: number): TimedRequest => ({
  arrival,
  start,
  end,
  ok: true,
});

test('windows count arrivals, completions and failures and take latency by arrival', () => {
  const requests: TimedRequest[] = [
    ok(0, 0, 1),
    ok(0.5, 1, 2.5),
    ok(1.2, 1.2, 1.7),
    { arrival: 1.5, start: null, end: null, ok: false },
  ];
  const [first, second, third] = windowsOf(requests, 1, 3, [{ at: 0, live: 2 }]);
  assert.equal(first?.arrived, 2);
  assert.equal(first?.completed, 0);
  // The two arriving in [0, 1): latencies 1 and 2; waits 0 and 0.5.
  assert.equal(first?.latencyMax, 2);
  assert.equal(first?.waitMean, 0.25);
  assert.equal(second?.arrived, 2);
  assert.equal(second?.failed, 1);
  // Completed in [1, 2): the first (at 1) and the third (at 1.7).
  assert.equal(second?.completed, 2);
  assert.equal(second?.throughput, 2);
  assert.equal(third?.completed, 1);
  assert.equal(first?.liveWorkers, 2);
});

test('window widths are round and about 60 to a span', () => {
  assert.equal(windowWidth(150), 5);
  assert.equal(windowWidth(40), 1);
  assert.equal(windowWidth(3), 0.05);
});

test('the time-average of a step function over a window', () => {
  const steps = [
    { at: -1, live: 4 },
    { at: 10, live: 3 },
    { at: 14, live: 4 },
  ];
  assert.equal(averageLive(steps, 0, 10), 4);
  // [10, 15): 4 s at 3, 1 s at 4.
  assert.equal(averageLive(steps, 10, 15), 3.2);
});

test('worker life: a recycled worker short for 4 s, the requests arriving meanwhile delayed', () => {
  const slots = ['0/0', '0/1'];
  const events: LifeEvent[] = [
    { at: 10, slot: '0/0', kind: 'exit', pid: 11, reason: 'max-requests' },
    { at: 10, slot: '0/0', kind: 'spawn', pid: 12 },
    { at: 14, slot: '0/0', kind: 'ready', pid: 12 },
  ];
  const steps = liveStepsFromEvents(slots, true, events);
  // Thirty requests at full strength waiting 0.1 s, two while short waiting 2 s, one failing.
  const requests: TimedRequest[] = [
    ...Array.from({ length: 30 }, (_, i) => ok(i < 10 ? i : i + 5, (i < 10 ? i : i + 5) + 0.1, 50)),
    ok(11, 13, 14),
    ok(12, 14, 15),
    { arrival: 13, start: null, end: null, ok: false },
  ];
  const life = workerLifeFigures(2, steps, 40, requests, countsFromEvents(slots, events, 40, true));
  assert.equal(life.restarts, 1);
  assert.equal(life.exitsByReason['max-requests'], 1);
  assert.equal(life.timeBelowFull, 4);
  assert.equal(life.timeAtZero, 0);
  assert.equal(life.meanLive, (2 * 36 + 4) / 40);
  assert.equal(life.degraded.requests, 3);
  assert.equal(life.degraded.failed, 1);
  assert.equal(life.degraded.meanWait, 2);
  assert.ok(Math.abs((life.delayedThreshold ?? 0) - 0.1) < 1e-9);
  assert.equal(life.delayed, 2);
  assert.equal(life.neverServed, 0);
  assert.equal(life.firstServing, 0);
  assert.equal(life.allServing, 0);
});

test('worker life of a cold start: kills while booting, restart loops, first and last serving', () => {
  const slots = ['0/0', '0/1'];
  const events: LifeEvent[] = [
    { at: 11, slot: '0/0', kind: 'exit', pid: 1, reason: 'timeout' },
    { at: 11, slot: '0/1', kind: 'exit', pid: 2, reason: 'timeout' },
    { at: 22, slot: '0/0', kind: 'exit', pid: 3, reason: 'timeout' },
    { at: 15, slot: '0/1', kind: 'ready', pid: 4 },
  ];
  const counts = countsFromEvents(slots, events, 30, false);
  assert.equal(counts.killedBooting, 3);
  assert.equal(counts.restartLoops, 1);
  assert.equal(counts.neverServed, 1);
  const life = workerLifeFigures(2, liveStepsFromEvents(slots, false, events), 30, [], counts);
  assert.equal(life.firstServing, 15);
  assert.equal(life.allServing, null);
  assert.equal(life.timeAtZero, 15);
  assert.equal(life.timeBelowFull, 30);
});

test('the model: workers up from their first instant, then each transition', () => {
  const steps = liveStepsFromModel(2, new Float64Array([0, 3]), [
    { at: 3, worker: 1, up: true },
    { at: 8, worker: 0, up: false },
  ]);
  assert.deepEqual(steps, [
    { at: 0, live: 1 },
    { at: 3, live: 2 },
    { at: 8, live: 1 },
  ]);
});

test('most handlers at once and the mean of figures over runs', () => {
  assert.equal(
    mostAtOnce([
      [0, 2],
      [1, 3],
      [2, 4],
    ]),
    2,
  );
  const a = workerLifeFigures(
    1,
    [{ at: 0, live: 1 }],
    10,
    [],
    countsFromEvents(['0/0'], [], 10, true),
  );
  const b = { ...a, restarts: 2, delayedThreshold: null };
  const mean = averageLife([a, b]);
  assert.equal(mean?.runs, 2);
  assert.equal(mean?.restarts, 1);
  assert.equal(mean?.delayedThreshold, null);
  assert.equal(mean?.exitsByReason['max-requests'], 0);
});
