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

test('concurrent sleeps each end at or after their own deadline, the loop free meanwhile', async () => {
  // Not necessarily in deadline order: sleeps already due when a busy machine lets the process
  // run again all end in that one turn of the loop.
  const start = process.hrtime.bigint();
  const late: bigint[] = [];
  let ticks = 0;
  const ticker = setInterval(() => {
    ticks += 1;
  }, 1);
  await Promise.all(
    [12, 4, 8, 0].map((ms) => {
      const deadline = start + BigInt(ms) * 1_000_000n;
      return sleepUntil(deadline).then(() => late.push(process.hrtime.bigint() - deadline));
    }),
  );
  clearInterval(ticker);
  assert.equal(late.length, 4);
  for (const l of late) assert.ok(l >= 0n, 'a sleep ended before its deadline');
  assert.ok(ticks > 0, 'the loop ran other callbacks while the sleeps waited');
});

test('a sleeping handler spends at least the time asked', async () => {
  const start = process.hrtime.bigint();
  await performWork('sleep', 5);
  assert.ok(process.hrtime.bigint() - start >= 5_000_000n);
});
