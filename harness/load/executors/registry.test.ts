import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Clock } from '../../scenario/clock.js';
import { loadScenario } from '../../scenario/load.js';
import { EXECUTORS } from '../../vocabulary.js';
import { EXECUTOR_REGISTRY, executorOf } from './registry.js';

test('the registry has one executor per name in the vocabulary, each under its own name', () => {
  assert.deepEqual(Object.keys(EXECUTOR_REGISTRY).sort(), [...EXECUTORS].sort());
  for (const name of EXECUTORS) assert.equal(EXECUTOR_REGISTRY[name].name, name);
  assert.deepEqual(
    EXECUTORS.filter((name) => EXECUTOR_REGISTRY[name].repeats),
    ['burst'],
  );
});

test('a burst plans its users at instant 0; an open loop sends the instants the model takes', async () => {
  const contest = await loadScenario('contest-200');
  const burst = executorOf(contest.load);
  assert.equal(burst.describe(contest.load), '200 users at once');
  assert.equal(burst.plannedRequests(contest.load), 200);
  assert.equal(burst.connections(contest.load), 200);
  assert.deepEqual([...burst.modelArrivals(contest.load, 1)], new Array(200).fill(0));

  const steady = await loadScenario('steady-poisson');
  const open = executorOf(steady.load);
  const arrivals = open.modelArrivals(steady.load, steady.model.seed);
  // 1.6/s for 5 minutes: about 480 Poisson arrivals, ascending, within the duration.
  assert.ok(arrivals.length > 400 && arrivals.length < 560, `${arrivals.length} arrivals`);
  assert.ok(arrivals.every((t, i) => t <= 300 && (i === 0 || t >= (arrivals[i - 1] as number))));
  const clock = new Clock(steady.timeScale);
  const task = open.task(steady.load, { clock, seed: steady.model.seed, arrivals });
  assert.equal(task.executor, 'open-loop');
  if (task.executor !== 'open-loop') return;
  assert.equal(task.instantsNs.length, arrivals.length);
  assert.ok(task.instantsNs.buffer instanceof SharedArrayBuffer);
  assert.equal(task.instantsNs[10], clock.realNs(arrivals[10] as number));
  assert.deepEqual(open.steadyRate(steady.load), { rate: 1.6, process: 'poisson' });
});
