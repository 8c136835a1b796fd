import assert from 'node:assert/strict';
import { test } from 'node:test';
import { performWork } from '../service.js';
import { sleepUntil } from './precise-timer.js';

test('a sleep never ends before its deadline', async () => {
  for (const ms of [0.3, 2, 7.5]) {
    const deadline = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
    await sleepUntil(deadline);
    assert.ok(process.hrtime.bigint() >= deadline, `woke before ${ms} ms`);
  }
});

test('a deadline already past resolves on a later turn of the loop', async () => {
  let resolved = false;
  const sleeping = sleepUntil(process.hrtime.bigint() - 1_000_000n).then(() => {
    resolved = true;
  });
  await Promise.resolve();
  assert.equal(resolved, false);
  await sleeping;
  assert.equal(resolved, true);
});

test('concurrent sleeps end in deadline order and leave the loop free meanwhile', async () => {
  const start = process.hrtime.bigint();
  const order: number[] = [];
  let ticks = 0;
  const ticker = setInterval(() => {
    ticks += 1;
  }, 1);
  await Promise.all(
    [12, 4, 8, 0].map((ms) =>
      sleepUntil(start + BigInt(ms) * 1_000_000n).then(() => order.push(ms)),
    ),
  );
  clearInterval(ticker);
  assert.deepEqual(order, [0, 4, 8, 12]);
  assert.ok(ticks > 0, 'the loop ran other callbacks while the sleeps waited');
});

test('a sleeping handler spends at least the time asked', async () => {
  const start = process.hrtime.bigint();
  await performWork('sleep', 5);
  assert.ok(process.hrtime.bigint() - start >= 5_000_000n);
});
