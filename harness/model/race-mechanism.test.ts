import assert from 'node:assert/strict';
import { test } from 'node:test';
import { meanHerfindahl, simulatedShares } from './accept-race.js';
import { fitRace, modelAnswer, type RaceObservation } from './race-mechanism.js';
import { createRandom } from './random.js';
import { type ModelTopology, simulate } from './simulate.js';

const topology = (replicas: number, workers = 3): ModelTopology => ({
  kind: 'gthread',
  workers,
  threads: 2,
  replicas,
  balancer: 'round-robin',
  workerConnections: 1000,
});

function herfindahlOf(
  t: ModelTopology,
  users: number,
  race: { returnTime: number; wakeTime: number; spacing: number },
) {
  const bursts: number[][][] = [];
  for (let k = 0; k < 100; k++) {
    const result = simulate({
      topology: t,
      behaviour: { race: { ...race, timeScale: 1 } },
      arrivals: new Float64Array(users),
      service: new Float64Array(users).fill(1),
      random: createRandom(k + 1),
    });
    bursts.push(simulatedShares(result, t));
  }
  return meanHerfindahl(bursts);
}

test('a worker that is back long before the next connection races uniformly', () => {
  // Uniform race of 48 over 3 workers: H = 1/3 + (1 - 1/3)/48 = 0.347.
  const h = herfindahlOf(topology(1), 48, { returnTime: 1e-6, wakeTime: 1e-3, spacing: 1e-3 });
  assert.ok(Math.abs(h - 0.347) < 0.02, String(h));
});

test('a slow return against fast arrivals and slow wake-ups gives whole bursts to one worker', () => {
  const h = herfindahlOf(topology(1), 48, { returnTime: 1, wakeTime: 1e3, spacing: 1e-6 });
  assert.ok(h > 0.95, String(h));
});

test("more replicas space each replica's connections further apart: a less sticky race", () => {
  const race = { returnTime: 2e-3, wakeTime: 1, spacing: 3e-4 };
  const one = herfindahlOf(topology(1), 48, race);
  const four = herfindahlOf(topology(4), 192, race);
  assert.ok(one > four + 0.05, `${one} vs ${four}`);
});

test('fitRace finds back the delays that made the shares', () => {
  const truth = { returnTime: 2e-3, wakeTime: 5e-2 };
  const observe = (t: ModelTopology, users: number, spacing: number): RaceObservation => {
    const shares: number[][][] = [];
    for (let k = 0; k < 40; k++) {
      const result = simulate({
        topology: t,
        behaviour: { race: { ...truth, spacing, timeScale: 1 } },
        arrivals: new Float64Array(users),
        service: new Float64Array(users).fill(0.1),
        random: createRandom(1000 + k),
      });
      shares.push(simulatedShares(result, t));
    }
    return { name: `${users}`, topology: t, users, service: 0.1, spacing, shares, waits: [[0]] };
  };
  const observations = [
    observe(topology(1), 48, 3e-4),
    observe(topology(2), 96, 3e-4),
    observe(topology(1, 4), 100, 1e-3),
  ];
  const fit = fitRace(observations, 40);
  // The index is what is matched; check the fitted delays reproduce it on a held-out shape.
  const heldOut = observe(topology(3), 120, 3e-4);
  const predicted = modelAnswer(heldOut, fit, 100).herfindahl;
  const measured = meanHerfindahl(heldOut.shares);
  assert.ok(Math.abs(predicted - measured) < 0.05, `${predicted} vs ${measured}`);
});
