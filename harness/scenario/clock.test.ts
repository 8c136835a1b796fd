import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Clock } from './clock.js';

test('the clock converts scenario time to real time and back at the scale', () => {
  const clock = new Clock(0.1);
  // contest-200: a 2 s handler at timeScale 0.1 sleeps 200 ms.
  assert.equal(clock.realMs(2), 200);
  assert.equal(clock.realSeconds(300), 30);
  assert.equal(clock.realNs(2), 2e8);
  assert.equal(clock.realUsRounded(2), 200_000);
  for (const s of [0, 0.5, 2, 1234.5]) {
    assert.ok(Math.abs(clock.fromRealMs(clock.realMs(s)) - s) < 1e-9, `ms ${s}`);
    assert.ok(Math.abs(clock.fromRealUs(clock.realMs(s) * 1000) - s) < 1e-9, `us ${s}`);
    assert.ok(Math.abs(clock.fromRealNs(clock.realNs(s)) - s) < 1e-9, `ns ${s}`);
    assert.ok(Math.abs(clock.fromRealSeconds(clock.realSeconds(s)) - s) < 1e-9, `s ${s}`);
  }
  assert.equal(new Clock(1).fromRealMs(1), 0.001);
});
