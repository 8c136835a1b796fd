import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backOfEnvelope,
  roundRobinBurstWaits,
  sharedQueueBurst,
  sharedQueueWait,
} from './burst.js';

// Hand-derived references: 10 requests on 3 servers, 2 s each, start in rounds of 3:
// waits 0,0,0,2,2,2,4,4,4,6 -> sum 24, mean 2.4, max 6, the last finishes at 8.
test('shared queue burst matches the hand-derived 10 on 3 servers', () => {
  const figures = sharedQueueBurst(10, 3, 2);
  assert.equal(figures.meanWait, 2.4);
  assert.equal(figures.maxWait, 6);
  assert.equal(figures.makespan, 8);
  assert.deepEqual(
    Array.from({ length: 10 }, (_, k) => sharedQueueWait(k, 3, 2)),
    [0, 0, 0, 2, 2, 2, 4, 4, 4, 6],
  );
});

test('shared queue burst sums agree with the per-request waits for many shapes', () => {
  for (const n of [1, 2, 7, 67, 200, 1000]) {
    for (const c of [1, 2, 3, 8, 24, 80, 2000]) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += sharedQueueWait(k, c, 1.5);
      const figures = sharedQueueBurst(n, c, 1.5);
      assert.ok(Math.abs(figures.meanWait - sum / n) < 1e-9, `n=${n} c=${c}`);
      assert.equal(figures.maxWait, sharedQueueWait(n - 1, c, 1.5));
    }
  }
});

// contest-200 on Flask's dev server x 3 replicas: 67, 67 and 66 requests one at a time; the
// busiest replica's last request waits 66 x 2 s = 132 s and finishes at 134 s.
test('round robin over replicas deals requests in turn', () => {
  const waits = roundRobinBurstWaits(200, 3, 1, 2);
  assert.equal(Math.max(...waits), 132);
  assert.equal(waits[0], 0);
  assert.equal(waits[3], 2);
  assert.equal(sharedQueueBurst(67, 1, 2).makespan, 134);
});

test('the back-of-envelope figure is users / concurrency x service', () => {
  assert.equal(backOfEnvelope(200, 24, 2), (200 / 24) * 2);
  assert.equal(backOfEnvelope(200, 3, 2), (200 / 3) * 2);
});
