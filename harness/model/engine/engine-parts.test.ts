import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '../random.js';
import { AcceptRace } from './accept-race.js';
import { ProcessorSharing } from './processor-sharing.js';
import { ReplicaBalancer } from './replica-balancer.js';
import { NONE, RequestSlots, SlotQueues } from './request-slots.js';
import { WorkerPool } from './worker-pool.js';

test('slots grow past their capacity and queues through them stay first in, first out', () => {
  const slots = new RequestSlots(2);
  const queues = new SlotQueues(2, slots);
  const taken: number[] = [];
  for (let i = 0; i < 9; i++) {
    const s = slots.take(i, i / 10, 1);
    taken.push(s);
    queues.push(i % 2, s);
  }
  assert.equal(new Set(taken).size, 9);
  const out: number[] = [];
  while (queues.peek(0) !== NONE) out.push(slots.indexOf(queues.shift(0)));
  assert.deepEqual(out, [0, 2, 4, 6, 8]);
  assert.equal(slots.arrivalOf(taken[3] as number), 0.3);
  // A released slot is the next one taken.
  slots.release(taken[4] as number);
  assert.equal(slots.take(9, 1, 1), taken[4]);
});

test('least connections picks the replica with the fewest, ties in turn', () => {
  const balancer = new ReplicaBalancer(3, 'least-connections', createRandom(1));
  const picks: number[] = [];
  for (let k = 0; k < 3; k++) {
    const r = balancer.pick();
    balancer.opened(r);
    picks.push(r);
  }
  balancer.closed(1);
  picks.push(balancer.pick());
  assert.deepEqual(picks, [0, 1, 2, 1]);
});

test('two CPU-bound requests in one process share one core: each takes twice its service', () => {
  const cpu = new ProcessorSharing(2, 2, 4);
  cpu.advance(0);
  cpu.add(0, 0, 1);
  cpu.add(0, 1, 1);
  assert.equal(cpu.nextTime(), 2);
  cpu.advance(2);
  assert.equal(cpu.finishNext(), 0);
  assert.equal(cpu.nextTime(), 2);
  assert.equal(cpu.finishNext(), 1);
  // Alone again, one process runs at a whole core.
  cpu.add(1, 0, 1);
  assert.equal(cpu.nextTime(), 3);
});

test('a sync worker accepts only when idle; a gthread worker up to its connections', () => {
  const sync = new WorkerPool(1, 1, false, 1, undefined);
  assert.equal(sync.canAccept(0), true);
  sync.hold(0);
  sync.start(0, 7);
  assert.equal(sync.canAccept(0), false);
  const gthread = new WorkerPool(1, 2, true, 3, undefined);
  for (let k = 0; k < 3; k++) gthread.hold(0);
  assert.equal(gthread.canAccept(0), false);
  assert.equal(gthread.hasIdleThread(0), true);
});

test('a recycling worker drains on reaching its limit', () => {
  const pool = new WorkerPool(1, 1, false, 1, () => 2);
  pool.hold(0);
  pool.start(0, 0);
  pool.finish(0, 0);
  pool.freeThread(0, 0);
  pool.hold(0);
  pool.start(0, 1);
  assert.equal(pool.isDrained(0), false);
  pool.finish(0, 0);
  assert.equal(pool.isDrained(0), true);
});

test('the accept race with stickiness 1 gives waiting connections to the last acceptor', () => {
  const pool = new WorkerPool(4, 2, true, 1000, undefined);
  const race = new AcceptRace(1, 4, 1, createRandom(5));
  const first = race.choose(0, pool, 0, 0);
  for (let k = 0; k < 20; k++) assert.equal(race.choose(0, pool, 0, 0), first);
  const uniform = new AcceptRace(1, 4, 0, createRandom(5));
  const seen = new Set<number>();
  for (let k = 0; k < 50; k++) seen.add(uniform.choose(0, pool, 0, 0));
  assert.equal(seen.size, 4);
});

test('a burst given at its measured instants races as one: connections up to burstUntil count as waiting', () => {
  const pool = new WorkerPool(4, 2, true, 1000, undefined);
  // Each connection arrives at its own instant and finds the queue empty: without burstUntil
  // the stickiness does not apply and the race is uniform.
  const spread = new AcceptRace(1, 4, 1, createRandom(5));
  const seen = new Set<number>();
  for (let k = 0; k < 50; k++) seen.add(spread.choose(0, pool, k * 0.001, k * 0.001));
  assert.equal(seen.size, 4);
  // The same arrivals said to be one burst's (until 0.049 s): the last acceptor keeps them.
  const burst = new AcceptRace(1, 4, 1, createRandom(5), undefined, 0.049);
  const first = burst.choose(0, pool, 0, 0);
  for (let k = 1; k < 50; k++) assert.equal(burst.choose(0, pool, k * 0.001, k * 0.001), first);
  // After the burst, an arrival finding the queue empty is drawn uniformly again.
  const after = new Set<number>();
  for (let k = 0; k < 50; k++) after.add(burst.choose(0, pool, 1 + k, 1 + k));
  assert.equal(after.size, 4);
});
