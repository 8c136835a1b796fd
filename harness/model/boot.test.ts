import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BootInput, simulateBoots } from './boot.js';

/**
 * The cold-start model against closed forms. With W workers each needing D of work from a
 * resource that runs K at full speed (processor sharing), W > K workers starting together all
 * finish at L + D·W/K (L the app load); a timeout below that kills them all at the first master
 * check at which their age reaches it (checks every second; the master forks before it sleeps,
 * so a fork at a check is killed `timeout` later), again and again.
 */

const base: BootInput = {
  slots: 4,
  appLoadTime: 1,
  init: { time: 6, mode: 'every-worker', capacity: 2 },
  timeout: 30,
  checkInterval: 1,
  horizon: 60,
};

test('every worker initialising at once shares the resource: all ready at L + D·W/K', () => {
  const boot = simulateBoots(base);
  // 1 + 6 x 4 / 2 = 13
  for (const slot of boot.slots) assert.ok(Math.abs(slot.readyAt - 13) < 1e-9);
  assert.equal(boot.kills, 0);
  assert.equal(boot.firstReady, boot.lastReady);
});

test('with room for everyone, each worker is ready at L + D', () => {
  const boot = simulateBoots({ ...base, init: { time: 6, mode: 'every-worker', capacity: 4 } });
  assert.ok(Math.abs(boot.lastReady - 7) < 1e-9);
});

test('a timeout below the shared boot kills every worker at each round: a restart loop', () => {
  const boot = simulateBoots({ ...base, timeout: 10, horizon: 40 });
  // Killed at the first check its age reaches 10: t = 10, 20, 30, 40 (each fork at the kill).
  assert.equal(boot.neverReady, 4);
  assert.equal(boot.kills, 16);
  assert.equal(boot.restartLoops, 4);
  assert.deepEqual(boot.slots[0]?.forks, [0, 10, 20, 30, 40]);
  assert.equal(boot.firstReady, Number.POSITIVE_INFINITY);
});

test('one worker initialising for all: it is ready at L + D alone, the others at L', () => {
  const boot = simulateBoots({
    ...base,
    timeout: 10,
    init: { time: 6, mode: 'one-worker', capacity: 2 },
  });
  const ready = boot.slots.map((s) => s.readyAt).sort((a, b) => a - b);
  assert.deepEqual(ready, [1, 1, 1, 7]);
  assert.equal(boot.kills, 0);
  assert.equal(boot.lastInitialised, 7);
});

test('initialisation in the background: every worker ready at L, done at L + D·W/K, none killed', () => {
  const boot = simulateBoots({
    ...base,
    timeout: 10,
    init: { time: 6, mode: 'background', capacity: 2 },
  });
  for (const slot of boot.slots) assert.equal(slot.readyAt, 1);
  assert.ok(Math.abs(boot.lastInitialised - 13) < 1e-9);
  assert.equal(boot.kills, 0);
});

test('a killed claimant releases the one-worker claim to the next worker that loads', () => {
  // Alone the work takes 12 > timeout 10: the claimant is killed at 10, the next worker to load
  // after that claims it (the replacement itself, loaded at 11), and is killed again at 20.
  const boot = simulateBoots({
    ...base,
    timeout: 10,
    horizon: 30,
    init: { time: 12, mode: 'one-worker', capacity: 2 },
  });
  const claimant = boot.slots.find((s) => s.kills > 0);
  assert.ok(claimant !== undefined);
  assert.deepEqual(claimant.forks, [0, 10, 20, 30]);
  assert.equal(boot.slots.filter((s) => s.readyAt === 1).length, 3);
});

test('an app load alone longer than the timeout never boots', () => {
  const boot = simulateBoots({ ...base, appLoadTime: 5, init: null, timeout: 3, horizon: 20 });
  assert.equal(boot.neverReady, 4);
  // Killed at 3 (age 3 reached), then 6, 9, ..., 18: each fork 3 s before its kill.
  assert.deepEqual(boot.slots[0]?.forks, [0, 3, 6, 9, 12, 15, 18]);
});
